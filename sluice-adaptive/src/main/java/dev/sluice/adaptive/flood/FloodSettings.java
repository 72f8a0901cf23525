package dev.sluice.adaptive.flood;

import java.time.Duration;
import java.util.Map;

/**
 * The {@code adaptive.anomaly} section: when the flood detector scores a tier as flooded and what
 * the response does then. Immutable; validated on construction with messages of the form {@code
 * adaptive.anomaly.path: value (expected: ...)}.
 *
 * @param enabled whether the detector runs and the response acts (default off)
 * @param window the detector's window, also how often the response steps (default 1 s)
 * @param baseline the time constant of the EWMA baselines of demand and distinct clients
 *     (default 5 min)
 * @param warmup how long the baselines learn before any score is given (default 60 s)
 * @param threshold the score at which the response acts (default 0.5)
 * @param clear the score below which the response starts to recover (default 0.2)
 * @param recovery how long the ramp back to normal limits takes once the score has fallen
 *     (default 60 s)
 * @param probation how long a client must have been seen before it counts as established;
 *     clients first seen later than this before a flood started are unproven (default 5 min)
 * @param byPrefix whether unproven clients are capped per network prefix (/24 IPv4, /56 IPv6)
 *     as well as together, for identity by remote address (default false)
 * @param maxTracked slots of the table of seen clients (rounded up to a power of two; default
 *     2^18, 4 MiB)
 * @param heavyHitterShare the share of a tier's window demand above which one client is a heavy
 *     hitter (default 0.05)
 * @param defaults the response of a tier not listed in {@code tiers}
 * @param tiers responses by tier name
 * @param watch the spike and drift watch ({@code adaptive.anomaly.watch}; null: its defaults)
 */
public record FloodSettings(
    boolean enabled, Duration window, Duration baseline, Duration warmup, double threshold, double clear,
    Duration recovery, Duration probation, boolean byPrefix, int maxTracked, double heavyHitterShare,
    TierResponse defaults, Map<String, TierResponse> tiers, WatchSettings watch) {

  /** Settings with the spike and drift watch's defaults. */
  public FloodSettings(boolean enabled, Duration window, Duration baseline, Duration warmup, double threshold,
      double clear, Duration recovery, Duration probation, boolean byPrefix, int maxTracked, double heavyHitterShare,
      TierResponse defaults, Map<String, TierResponse> tiers) {
    this(enabled, window, baseline, warmup, threshold, clear, recovery, probation, byPrefix, maxTracked,
        heavyHitterShare, defaults, tiers, WatchSettings.DEFAULTS);
  }

  /**
   * What the response does in one tier.
   *
   * @param newcomerShare the share of the tier's rate that unproven clients together may take
   *     during a flood (default 0.2)
   * @param offenderBurst the fraction of its burst an offender keeps (default 0.3)
   * @param offenderCost the token-cost multiplier of an offender (default 3)
   */
  public record TierResponse(double newcomerShare, double offenderBurst, int offenderCost) {

    /** The defaults: 20 % for newcomers, 30 % burst and ×3 cost for offenders. */
    public static final TierResponse DEFAULTS = new TierResponse(0.2, 0.3, 3);

    /** Validates the three numbers under {@code adaptive.anomaly}. */
    public TierResponse {
      share("newcomer-share", newcomerShare);
      share("offender-burst", offenderBurst);
      if (offenderCost < 1 || offenderCost > 1000) {
        throw new IllegalArgumentException("adaptive.anomaly.offender-cost: " + offenderCost
            + " (expected: >= 1 and <= 1000)");
      }
    }
  }

  /** Settings of an absent section: disabled, every other value its default. */
  public static final FloodSettings DEFAULTS = new FloodSettings(false, Duration.ofSeconds(1), Duration.ofMinutes(5),
      Duration.ofSeconds(60), 0.5, 0.2, Duration.ofSeconds(60), Duration.ofMinutes(5), false, 1 << 18, 0.05,
      TierResponse.DEFAULTS, Map.of());

  /** Validates every field. */
  public FloodSettings {
    positive("window", window);
    positive("baseline", baseline);
    if (warmup == null || warmup.isNegative()) {
      throw new IllegalArgumentException("adaptive.anomaly.warmup: " + warmup + " (expected: >= 0, e.g. 60s)");
    }
    positive("recovery", recovery);
    if (probation == null || probation.isNegative()) {
      throw new IllegalArgumentException("adaptive.anomaly.probation: " + probation
          + " (expected: >= 0, e.g. 5m)");
    }
    if (baseline.compareTo(window) < 0) {
      throw new IllegalArgumentException("adaptive.anomaly.baseline: " + baseline + " (expected: >= window "
          + window + ")");
    }
    share("threshold", threshold);
    if (!(clear >= 0 && clear < threshold)) {
      throw new IllegalArgumentException("adaptive.anomaly.clear: " + clear + " (expected: >= 0 and < threshold "
          + threshold + ")");
    }
    if (maxTracked < 1024 || maxTracked > (1 << 26)) {
      throw new IllegalArgumentException("adaptive.anomaly.max-tracked: " + maxTracked
          + " (expected: >= 1024 and <= 67108864)");
    }
    share("heavy-hitter-share", heavyHitterShare);
    if (defaults == null) {
      throw new IllegalArgumentException("adaptive.anomaly: defaults missing");
    }
    tiers = Map.copyOf(tiers);
    watch = watch == null ? WatchSettings.DEFAULTS : watch;
  }

  /** Returns the response of {@code tier}. */
  public TierResponse response(String tier) {
    return tiers.getOrDefault(tier, defaults);
  }

  /** Returns a copy switched on or off. */
  public FloodSettings withEnabled(boolean on) {
    return new FloodSettings(on, window, baseline, warmup, threshold, clear, recovery, probation, byPrefix,
        maxTracked, heavyHitterShare, defaults, tiers, watch);
  }

  private static void positive(String name, Duration d) {
    if (d == null || d.isZero() || d.isNegative()) {
      throw new IllegalArgumentException("adaptive.anomaly." + name + ": " + d + " (expected: > 0, e.g. 5s)");
    }
  }

  private static void share(String name, double v) {
    if (!(v > 0 && v <= 1)) {
      throw new IllegalArgumentException("adaptive.anomaly." + name + ": " + v + " (expected: > 0 and <= 1)");
    }
  }
}
