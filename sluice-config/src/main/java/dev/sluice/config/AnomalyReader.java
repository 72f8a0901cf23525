package dev.sluice.config;

import dev.sluice.adaptive.flood.FloodSettings;
import dev.sluice.adaptive.flood.FloodSettings.TierResponse;
import dev.sluice.adaptive.flood.WatchSettings;
import dev.sluice.config.yaml.Mapping;
import dev.sluice.config.yaml.Problems;
import dev.sluice.config.yaml.YamlNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the {@code adaptive.anomaly} section into {@link FloodSettings}; stateless. Every key is
 * optional and defaults to {@link FloodSettings#DEFAULTS}; types are checked field by field with
 * the line of the value, then the record's own range checks are reported on the line of the value
 * they name. {@code newcomer-share}, {@code offender-burst} and {@code offender-cost} at the top are
 * every tier's response; {@code tiers.NAME} overrides them for one tier.
 */
public final class AnomalyReader {

  /** Keys of the {@code adaptive.anomaly} section. */
  public static final List<String> KEYS = List.of("enabled", "window", "baseline", "warmup", "threshold", "clear",
      "recovery", "probation", "by-prefix", "max-tracked", "heavy-hitter-share", "newcomer-share", "offender-burst",
      "offender-cost", "tiers", "watch");

  /** Keys of {@code adaptive.anomaly.watch}. */
  public static final List<String> WATCH_KEYS = List.of("enabled", "interval", "max-clients", "spike-sigma", "latch");

  private static final List<String> TIER_KEYS = List.of("newcomer-share", "offender-burst", "offender-cost");

  private AnomalyReader() {}

  /**
   * Returns the settings of section {@code m} ({@link FloodSettings#DEFAULTS} when absent or
   * empty), or {@code null} after recording its problems.
   */
  public static FloodSettings read(Mapping m, Problems problems) {
    if (m == null) {
      return null;
    }
    int before = problems.count();
    FloodSettings d = FloodSettings.DEFAULTS;
    TierResponse defaults = response(m, d.defaults());
    Map<String, TierResponse> tiers = new LinkedHashMap<>();
    Mapping t = m.mapping("tiers", null);
    if (t != null) {
      for (Map.Entry<String, YamlNode> e : t.fields().entrySet()) {
        Mapping tier = t.mapping(e.getKey(), TIER_KEYS);
        if (tier != null) {
          TierResponse r = response(tier, defaults != null ? defaults : d.defaults());
          if (r != null) {
            tiers.put(e.getKey(), r);
          }
        }
      }
    }
    Boolean enabled = m.bool("enabled");
    var window = m.duration("window");
    var baseline = m.duration("baseline");
    var warmup = m.duration("warmup");
    Double threshold = m.number("threshold");
    Double clear = m.number("clear");
    var recovery = m.duration("recovery");
    var probation = m.duration("probation");
    Boolean byPrefix = m.bool("by-prefix");
    Long maxTracked = m.integer("max-tracked", 1024, 1 << 26, false);
    Double heavy = m.fraction("heavy-hitter-share");
    WatchSettings watch = watch(m.mapping("watch", WATCH_KEYS));
    if (problems.count() != before || defaults == null || watch == null) {
      return null;
    }
    return m.build(() -> new FloodSettings(or(enabled, d.enabled()), or(window, d.window()),
        or(baseline, d.baseline()), or(warmup, d.warmup()), or(threshold, d.threshold()), or(clear, d.clear()),
        or(recovery, d.recovery()), or(probation, d.probation()), or(byPrefix, d.byPrefix()),
        maxTracked == null ? d.maxTracked() : maxTracked.intValue(), or(heavy, d.heavyHitterShare()), defaults,
        tiers, watch));
  }

  /** Reads {@code adaptive.anomaly.watch} (its defaults when absent); null after a problem. */
  private static WatchSettings watch(Mapping w) {
    WatchSettings d = WatchSettings.DEFAULTS;
    if (w == null) {
      return d;
    }
    Boolean enabled = w.bool("enabled");
    Long interval = w.integer("interval", 1, 3600, false);
    Long clients = w.integer("max-clients", 0, 4096, false);
    Double sigma = w.number("spike-sigma");
    Long latch = w.integer("latch", 1, 100_000, false);
    if (w.has("enabled") && enabled == null || w.has("interval") && interval == null
        || w.has("max-clients") && clients == null || w.has("spike-sigma") && sigma == null
        || w.has("latch") && latch == null) {
      return null;
    }
    return w.build(() -> new WatchSettings(or(enabled, d.enabled()),
        interval == null ? d.interval() : interval.intValue(), clients == null ? d.maxClients() : clients.intValue(),
        or(sigma, d.spikeSigma()), latch == null ? d.latch() : latch.intValue()));
  }

  /** Reads the three response numbers of {@code m}, falling back to {@code d}; null after a problem. */
  private static TierResponse response(Mapping m, TierResponse d) {
    Double share = m.fraction("newcomer-share");
    Double burst = m.fraction("offender-burst");
    Long cost = m.integer("offender-cost", 1, 1000, false);
    if (m.has("newcomer-share") && share == null || m.has("offender-burst") && burst == null
        || m.has("offender-cost") && cost == null) {
      return null;
    }
    return m.build(() -> new TierResponse(or(share, d.newcomerShare()), or(burst, d.offenderBurst()),
        cost == null ? d.offenderCost() : cost.intValue()));
  }

  private static <T> T or(T value, T fallback) {
    return value != null ? value : fallback;
  }
}
