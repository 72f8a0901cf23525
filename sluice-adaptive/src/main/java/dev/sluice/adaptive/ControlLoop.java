package dev.sluice.adaptive;

import dev.sluice.core.AggregateLevels;
import dev.sluice.core.Clock;
import dev.sluice.core.CostRule;
import dev.sluice.core.Limit;
import dev.sluice.core.LimitTarget;
import dev.sluice.core.LimiterSpec;
import dev.sluice.core.Rate;
import dev.sluice.core.TierSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The control loop: every interval it closes the {@link SignalCollector}'s interval, asks each due
 * controller for a proposal, composes them ({@link Composition}) and applies the result to its
 * {@link LimitTarget} (the bucket store that enforces the limits, local or Redis) through {@link
 * LimitTarget#reconfigure} — or, in shadow mode, only records and exports it.
 * Thread-safe: {@link #step} and {@link #runIfDue} are synchronized; readers see the last step
 * through a volatile field.
 *
 * <p>Each controller runs every {@code period} of its own; its proposal stands until it runs again,
 * so a controller slower than the loop keeps bounding the rate while the per-second ramp limit
 * moves it there over several steps. A {@link CapacityController} among the controllers also
 * yields a concurrency limit with every step ({@link #concurrencyLimit}).
 *
 * <p>The concurrency limit is applied only where the operator opted in: when the target's spec has
 * a global concurrency level ({@code global.concurrency > 0}), each step that has a finite limit
 * sets that level to it in the same {@link LimitTarget#reconfigure} as the rate — rounded up, at
 * least the largest cost rule and {@code minBurst} (which is at least the largest request cost),
 * and at most the configured level (the level in the spec the loop started from) scaled by the
 * composition's {@code maxRate} over the configured rate: the rate cap translated to concurrency at
 * the operator's own ratio of concurrency to rate (Little's law: their service time per token), so
 * a runaway estimate cannot open the backend wider than the largest rate the loop may apply needs.
 * The cap is never below the configured level itself, so the loop can always restore it.
 * Tier concurrency levels are not moved. In shadow mode it is only computed and
 * exported, never applied.
 *
 * <p>What moves: one controlled rate R, starting at the target's global rate (or, with no global
 * level, the sum of the tier aggregate rates). The global level is set to R and each tier's
 * aggregate is scaled by the same factor, so tier shares stay as configured; per-client limits are
 * not touched — except with a {@link PredictiveController} that allocates ({@link
 * PredictiveSettings.Allocation}): then the tiers' aggregates share the same total by their own
 * forecasts ({@link TierRates}) and the heaviest clients get per-client overrides ({@link
 * TierSpec#clients()}), applied whenever they change. With proportional bursts (the default) each moved level's burst scales with its
 * rate, keeping the burst's length in seconds, floored at {@code minBurst} and at the largest cost
 * rule; with fixed bursts only rates move.
 */
public final class ControlLoop {

  /*
   * Design notes. Time is the clock the loop is given, so the loop runs identically under the
   * simulator's virtual clock and the system clock; whoever drives it (a scheduler in the server, the event
   * queue in the simulator) calls runIfDue() or step(). Controllers see the rate in force after
   * the previous step (the shadow rate in shadow mode, which evolves as if it had been applied),
   * which is what makes velocity-form controllers free of wind-up. A controller runs when at least
   * its period, less a tenth of an interval for scheduling jitter, has passed since it last ran;
   * between runs its last proposal stands, because the ramp limit is per second and would
   * otherwise let a 5 s controller's step take effect for one second only. Ramp limits compound
   * over the measured interval (the signals' length), and the warm-up runs on the clock from the
   * last cut, so the loop behaves the same at any interval.
   */

  /** How fast the concurrency limit may fall per second while the backend is not saturated. */
  public static final double LEVEL_DECAY_PER_SECOND = 0.1;
  private static final System.Logger LOG = System.getLogger(ControlLoop.class.getName());

  /** How long a step waits for a remote target's levels before it goes on without them. */
  private static final long LEVELS_WAIT_MILLIS = 500;

  private final LimitTarget target;
  private final Clock clock;
  private final SignalCollector collector;
  private final AdaptiveSettings settings;
  private final List<RateController> controllers;
  private final long[] lastRun;
  private final double[] standing;
  private final CapacityController capacity;
  private final PredictiveController predictive;
  private final long intervalNanos;
  private final LimiterSpec base;
  private final double baseRate;
  private double rate;
  private long nextDue;
  private long lastCutNanos;
  private boolean everCut;
  private double concurrencyLimit = Double.NaN;
  private volatile ControlStep last;

  private ControlLoop(LimitTarget target, Clock clock, SignalCollector collector, AdaptiveSettings settings,
      List<RateController> controllers) {
    this.target = target;
    this.clock = clock;
    this.collector = collector;
    this.settings = settings;
    this.controllers = List.copyOf(controllers);
    this.lastRun = new long[this.controllers.size()];
    java.util.Arrays.fill(lastRun, Long.MIN_VALUE);
    this.standing = new double[this.controllers.size()];
    java.util.Arrays.fill(standing, RateController.ABSTAIN);
    CapacityController found = null;
    for (RateController c : this.controllers) {
      if (found == null && c instanceof CapacityController cc) {
        found = cc;
      }
    }
    this.capacity = found;
    PredictiveController forecast = null;
    for (RateController c : this.controllers) {
      if (forecast == null && c instanceof PredictiveController pc) {
        forecast = pc;
      }
    }
    this.predictive = forecast;
    if (forecast != null && forecast.settings().allocation().heavyClients() > 0) {
      collector.trackClients();
    }
    this.intervalNanos = settings.interval().toNanos();
    this.base = target.spec();
    this.baseRate = controlledRate(base);
    this.rate = baseRate;
    this.nextDue = clock.nanoTime() + intervalNanos;
  }

  /**
   * Returns a loop moving {@code target}'s rates with the controllers {@code settings} enables,
   * stepping on {@code clock}.
   */
  public static ControlLoop create(LimitTarget target, Clock clock, SignalCollector collector,
      AdaptiveSettings settings) {
    return create(target, clock, collector, settings, settings == null ? null : settings.enabledControllers());
  }

  /**
   * Returns a loop moving {@code target}'s rates with the given controllers (e.g. ones that exist
   * only in the simulator), stepping on {@code clock}; {@code settings} supplies the interval,
   * shadow mode and composition.
   *
   * @throws IllegalArgumentException if the target has neither a global nor a tier aggregate level
   */
  public static ControlLoop create(LimitTarget target, Clock clock, SignalCollector collector,
      AdaptiveSettings settings, List<RateController> controllers) {
    if (target == null || clock == null || collector == null || settings == null || controllers == null) {
      throw new IllegalArgumentException("target, clock, collector, settings and controllers: required");
    }
    return new ControlLoop(target, clock, collector, settings, controllers);
  }

  private static double controlledRate(LimiterSpec spec) {
    double rate = spec.controlledRate();
    if (rate == 0) {
      throw new IllegalArgumentException(
          "adaptive: the limiter has no global or tier aggregate limit (expected: one to move)");
    }
    return rate;
  }

  /** Returns the controlled rate in force (the shadow rate in shadow mode), tokens per second. */
  public synchronized double rate() {
    return rate;
  }

  /** Returns when the next step is due, on the loop's clock. */
  public synchronized long nextDueNanos() {
    return nextDue;
  }

  /**
   * Returns the capacity controller's concurrency limit in tokens in flight, as of the last step
   * (see {@link ControlStep#concurrencyLimit()}); {@code NaN} without one.
   */
  public synchronized double concurrencyLimit() {
    return concurrencyLimit;
  }

  /** Returns the predictive controller among the loop's controllers, or {@code null} without one. */
  public PredictiveController predictive() {
    return predictive;
  }

  /** Returns the last step, or {@code null} before the first. */
  public ControlStep lastStep() {
    return last;
  }

  /** Returns the name of the level the metrics label the controlled rate with. */
  public String target() {
    return base.global() != null ? "global" : "tiers";
  }

  /** Runs a step if one is due at the clock's current reading; returns whether it did. */
  public synchronized boolean runIfDue() {
    if (clock.nanoTime() < nextDue) {
      return false;
    }
    step();
    return true;
  }

  /** Runs one step now, whether due or not, and returns it. */
  public synchronized ControlStep step() {
    long now = clock.nanoTime();
    nextDue = now + intervalNanos;
    Signals signals = collector.snapshot(now, levels());
    // With a concurrency level in force the queue cannot outgrow it, so the capacity controller
    // probes faster and the ramp limit lets it (see CapacityController, "Bounded probing").
    boolean bounded = capacity != null && !settings.shadow() && target.spec().concurrency() > 0;
    Map<String, Double> byName = new LinkedHashMap<>();
    List<String> ran = new ArrayList<>();
    long slack = intervalNanos / 10;
    for (int i = 0; i < controllers.size(); i++) {
      RateController c = controllers.get(i);
      if (lastRun[i] == Long.MIN_VALUE || now - lastRun[i] >= c.period().toNanos() - slack) {
        lastRun[i] = now;
        standing[i] = c == capacity ? capacity.propose(rate, signals, now, bounded) : c.propose(rate, signals, now);
        ran.add(c.name());
      }
      byName.put(c.name(), standing[i]);
    }
    double previous = rate;
    Composition limits = bounded ? settings.limits().withGrowth(capacity.probeGain() - 1) : settings.limits();
    boolean urgent = limits.urgent(signals);
    double sinceCut = everCut ? (now - lastCutNanos) / 1e9 : Double.MAX_VALUE;
    // A predictive controller in lift mode abstains and lifts the demand gate to its forecast
    // instead (see PredictiveController); its gauge shows the lift.
    double lift = predictive != null && predictive.settings().lifts() ? predictive.lift() : Double.NaN;
    if (!Double.isNaN(lift)) {
      byName.put(predictive.name(), lift);
    }
    double next = limits.compose(previous, standing, sinceCut, signals.demandRate(), signals.intervalSeconds(),
        urgent, lift);
    if (next < previous) {
      lastCutNanos = now;
      everCut = true;
    }
    rate = next;
    if (capacity != null) {
      double limit = capacity.concurrencyLimit(next, signals);
      double previousLimit = Double.isFinite(concurrencyLimit) ? concurrencyLimit : base.concurrency();
      if (!Double.isNaN(limit) && previousLimit > 0 && !capacity.saturated(signals)) {
        // Only a saturated backend cuts the level at once; otherwise it decays, so that one
        // interval's noisy cost spread or thin sample (the first, before costly requests complete)
        // cannot refuse the next interval's burst.
        limit = Math.max(limit, previousLimit * Math.pow(1 - LEVEL_DECAY_PER_SECOND, signals.intervalSeconds()));
      }
      if (!Double.isNaN(limit)) {
        concurrencyLimit = limit;
      }
    }
    long level = concurrencyLevel(target.spec());
    boolean shares = predictive != null && predictive.allocates();
    if (!settings.shadow() && (next != previous || level > 0 || shares)) {
      LimiterSpec moved = next != previous || shares ? scaled(next) : target.spec();
      if (level > 0 && level != moved.concurrency()) {
        moved = moved.withConcurrency(level);
      }
      if (next != previous || moved.concurrency() != target.spec().concurrency()
          || shares && !moved.equals(target.spec())) {
        target.reconfigure(moved);
      }
    }
    ControlStep step = new ControlStep(now, previous, byName, next, !settings.shadow(), levelRates(), signals, ran,
        urgent && next < previous, concurrencyLimit);
    last = step;
    if (LOG.isLoggable(System.Logger.Level.DEBUG)) {
      LOG.log(System.Logger.Level.DEBUG, "adaptive step: rate {0} -> {1} ({2}{3}); proposals {4}; ran {5}",
          previous, next, settings.shadow() ? "shadow" : "applied", urgent ? ", urgent" : "", byName, ran);
    }
    return step;
  }

  /**
   * Returns the global concurrency level to apply with spec {@code current} in force: the
   * concurrency limit rounded up and bounded (see the class comment), or 0 to leave the level as it
   * is (no opt-in, or no finite limit yet).
   */
  private long concurrencyLevel(LimiterSpec current) {
    if (current.concurrency() <= 0 || !Double.isFinite(concurrencyLimit)) {
      return 0;
    }
    long configured = base.concurrency() > 0 ? base.concurrency() : current.concurrency();
    double scaledCap = Math.ceil(configured * settings.limits().maxRate() / baseRate);
    long cap = scaledCap >= Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(configured, (long) scaledCap);
    long floor = Math.max(1, settings.minBurst());
    for (CostRule rule : current.costs().rules()) {
      floor = Math.max(floor, rule.cost());
    }
    cap = Math.max(cap, floor);
    double up = Math.ceil(concurrencyLimit);
    long level = up >= cap ? cap : (long) up;
    return Math.max(floor, level);
  }

  /**
   * Reads the target's aggregate levels for the signals: at once from a local store; from a remote
   * one within {@link #LEVELS_WAIT_MILLIS}, else the step goes on without them (no controller
   * needs them to propose; they are reported with the step).
   */
  private AggregateLevels levels() {
    try {
      return target.aggregates().toCompletableFuture().get(LEVELS_WAIT_MILLIS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return AggregateLevels.NONE;
    } catch (ExecutionException | TimeoutException | RuntimeException e) {
      LOG.log(System.Logger.Level.DEBUG, "adaptive step: levels unavailable ({0})", String.valueOf(e));
      return AggregateLevels.NONE;
    }
  }

  /** Returns the target's spec with every moved level scaled to controlled rate {@code r}. */
  LimiterSpec scaled(double r) {
    LimiterSpec current = target.spec();
    double factor = r / baseRate;
    long floor = settings.minBurst();
    for (CostRule rule : current.costs().rules()) {
      floor = Math.max(floor, rule.cost());
    }
    // Built from the current spec, so whatever the loop does not move (per-client limits,
    // concurrency levels, the permit timeout) is kept as it is.
    LimiterSpec next = current;
    Map<String, Double> shared = PredictiveShares.tierRates(predictive, base, current, factor);
    for (TierSpec t : current.tiers().values()) {
      TierSpec b = base.tiers().get(t.name());
      if (b != null && b.aggregate() != null) {
        Double rate = shared.get(t.name());
        double f = rate == null ? factor : rate / b.aggregate().rate().perSecond();
        next = next.withTier(t.withAggregate(scale(b.aggregate(), f, floor)));
      }
    }
    if (predictive != null && predictive.settings().allocation().heavyClients() > 0) {
      Map<String, Map<String, Double>> clients = predictive.clientTargets();
      for (TierSpec t : next.tiers().values()) {
        Map<String, Double> targets = PredictiveShares.byTier(clients, t.name(), current, Map.of());
        if (!targets.isEmpty() || !t.clients().isEmpty()) {
          next = next.withTier(t.withClients(PredictiveShares.clientLimits(predictive, t.perClient(), targets, floor)));
        }
      }
    }
    return base.global() == null ? next : next.withGlobal(scale(base.global(), factor, floor));
  }

  private Limit scale(Limit limit, double factor, long floor) {
    long burst = settings.proportionalBurst()
        ? Math.max(floor, Math.round(limit.burst() * factor)) : Math.max(floor, limit.burst());
    return Limit.of(burst, toRate(limit.rate().perSecond() * factor));
  }

  /**
   * Converts tokens per second to a {@link Rate} with millitoken precision, rounded down to what a
   * bucket enforces above 10^6/s ({@link Rate#atMost}).
   */
  static Rate toRate(double perSecond) {
    long milli = Math.max(1, Math.round(perSecond * 1_000));
    return Rate.atMost(milli, 1_000_000_000_000L);
  }

  private Map<String, Double> levelRates() {
    LimiterSpec s = target.spec();
    Map<String, Double> out = new LinkedHashMap<>();
    if (s.global() != null) {
      out.put("global", s.global().rate().perSecond());
    }
    List<String> names = new ArrayList<>(s.tiers().keySet());
    for (String name : names) {
      TierSpec t = s.tiers().get(name);
      if (t.aggregate() != null) {
        out.put(name, t.aggregate().rate().perSecond());
      }
    }
    return out;
  }
}
