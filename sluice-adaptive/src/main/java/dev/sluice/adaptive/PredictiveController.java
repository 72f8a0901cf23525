package dev.sluice.adaptive;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleConsumer;
import java.util.function.LongSupplier;

/**
 * The {@code predictive} controller: forecasts the next window's demand from the demand history the
 * loop's signals carry and turns the forecast's upper bound into a rate. Single writer: only the
 * control loop calls {@link #propose}; the read methods ({@link #outlook}, {@link #lift}, {@link
 * #fallbacks}, {@link #forecastTier}) are safe from any thread.
 *
 * <ol>
 *   <li>Each run appends the interval's demand (tokens per second that passed the per-client
 *       limits, {@link Signals#demandRate()}) to a bounded history, and each tier's ({@link
 *       Signals#tierDemand()}) to the tier's, before forecasting: a forecast reads only windows that
 *       have closed.
 *   <li>With fewer than {@code min-history} windows it abstains (warming up, not a fallback).
 *   <li>The forecast's target is {@link #target}: the 90 % upper bound (the point when the model
 *       gives none) times {@code headroom}, within {@code [min-rate, max-rate]}.
 *   <li>A missing forecaster, one that throws or returns a non-finite point, and one that takes
 *       longer than {@code budget} on the injected ticker is a <em>fallback</em>: the controller
 *       abstains (the other controllers' proposals, or the configured rate, stand) and counts it
 *       ({@link #fallbacks}). A slow forecast is measured, not interrupted: the loop's thread waits
 *       for it, then discards it.
 *   <li>When the next window closes, the forecast's point minus that window's demand goes to the
 *       prediction-error sink ({@link #onPredictionError}).
 *   <li>In {@code cap} mode the target is the proposal (the minimum of proposals makes it a
 *       ceiling). In {@code lift} mode the proposal is {@link #ABSTAIN} and the {@link ControlLoop}
 *       reads {@link #lift} instead: the demand gate lets the rate grow to the target (at the ramp
 *       limit's pace, outside warm-up), never above the other controllers' minimum (see {@link
 *       Composition#compose(double, double[], double, double, double, boolean, double)}).
 * </ol>
 */
public final class PredictiveController implements RateController {

  /*
   * Design note. The controller is the one stateful RateController: a forecaster needs the demand
   * history, and the signals carry only the interval that just closed. The history is two ring
   * buffers guarded by this object's monitor (the loop writes once per run, /v1/predict reads),
   * and everything the loop decides from a forecast is the pure function target(). The time
   * budget is measured on the ticker the controller is given, the loop's clock: under a manual
   * clock a test model that advances the clock past the budget is a timeout, deterministically.
   */

  /**
   * The last forecast, as the loop and {@code /v1/predict} see it.
   *
   * @param point the point forecast of the next window, tokens per second
   * @param upper the 90 % upper bound ({@code NaN}: none)
   * @param target what the controller proposes or lifts to
   * @param version the model version that made it
   * @param windows how many windows of history it saw
   */
  public record Outlook(double point, double upper, double target, String version, int windows) {}

  private final PredictiveSettings settings;
  private final DemandForecaster forecaster;
  private final LongSupplier ticker;
  private final LongAdder fallbacks = new LongAdder();
  private final Ring global;
  private final Map<String, Ring> tiers = new LinkedHashMap<>();
  private volatile DoubleConsumer errors = e -> {};
  private volatile Outlook outlook;
  private volatile double lift = Double.NaN;
  private double pending = Double.NaN;
  private volatile String lastFallback;
  private volatile Map<String, Double> tierTargets = Map.of();
  private volatile Map<String, Map<String, Double>> clientTargets = Map.of();
  private final HeavyClients heavy;

  /**
   * Creates a controller.
   *
   * @param settings its parameters
   * @param forecaster the model, or {@code null} when none is available (every run is a fallback)
   * @param ticker the clock the budget is measured on, nanoseconds
   */
  public PredictiveController(PredictiveSettings settings, DemandForecaster forecaster, LongSupplier ticker) {
    if (settings == null || ticker == null) {
      throw new IllegalArgumentException("predictive: settings and ticker are required");
    }
    this.settings = settings;
    this.forecaster = forecaster;
    this.ticker = ticker;
    this.global = new Ring(settings.history());
    int k = settings.allocation().heavyClients();
    this.heavy = k == 0 ? null : new HeavyClients(k, settings.history(), settings.minHistory());
  }

  /** Returns whether it sets tier or heavy-client rates (see {@link PredictiveSettings.Allocation}). */
  public boolean allocates() {
    PredictiveSettings.Allocation a = settings.allocation();
    return a.tiers() || a.heavyClients() > 0;
  }

  /** Returns the controller's parameters. */
  public PredictiveSettings settings() {
    return settings;
  }

  @Override
  public String name() {
    return "predictive";
  }

  @Override
  public Duration period() {
    return settings.period();
  }

  /**
   * Returns the rate a forecast turns into: {@code upper × headroom} (the point when {@code upper}
   * is NaN, and never below the point), within {@code [minRate, maxRate]}. A pure function.
   */
  public static double target(DemandForecaster.Forecast f, PredictiveSettings s) {
    double upper = Double.isNaN(f.upper()) ? f.point() : Math.max(f.point(), f.upper());
    return Math.max(s.minRate(), Math.min(s.maxRate(), Math.max(0, upper) * s.headroom()));
  }

  /**
   * Returns the rate a forecast of one tier or client turns into: {@code upper × headroom} (the
   * point when {@code upper} is NaN, and never below the point), at least 0. The tier's and the
   * client's caps apply where the rate is set ({@link TierRates}, {@link HeavyClients}).
   */
  public static double shareTarget(DemandForecaster.Forecast f, double headroom) {
    double upper = Double.isNaN(f.upper()) ? f.point() : Math.max(f.point(), f.upper());
    return Math.max(0, upper) * headroom;
  }

  @Override
  public double propose(double currentRate, Signals s, long nowNanos) {
    double actual = s.demandRate();
    if (!Double.isNaN(pending)) {
      errors.accept(pending - actual);
    }
    pending = Double.NaN;
    lift = Double.NaN;
    double[] history;
    Map<String, double[]> tierHistories = new LinkedHashMap<>();
    synchronized (this) {
      global.add(actual);
      for (Map.Entry<String, Long> e : s.tierDemand().entrySet()) {
        tiers.computeIfAbsent(e.getKey(), k -> new Ring(settings.history()))
            .add(e.getValue() * 1e9 / s.intervalNanos());
      }
      for (Map.Entry<String, Ring> e : tiers.entrySet()) {
        if (!s.tierDemand().containsKey(e.getKey())) {
          e.getValue().add(0);
        }
        if (settings.allocation().tiers() && e.getValue().size() >= settings.minHistory()) {
          tierHistories.put(e.getKey(), e.getValue().toArray());
        }
      }
      history = global.size() < settings.minHistory() ? null : global.toArray();
      if (tierHistories.size() < 2) {
        tierHistories.clear(); // one tier's demand is the global demand: nothing to share
      }
    }
    if (heavy != null) {
      heavy.close(s.clientDemand(), s.intervalNanos());
    }
    if (history == null) {
      tierTargets = Map.of();
      clientTargets = Map.of();
      return ABSTAIN;
    }
    DemandForecaster.Forecast f = run(history, s.intervalSeconds());
    tierTargets = forecastTiers(tierHistories, s.intervalSeconds());
    clientTargets = heavy == null ? Map.of() : heavy.forecast(h -> run(h, s.intervalSeconds()), settings.headroom());
    if (f == null) {
      outlook = null;
      return ABSTAIN;
    }
    double target = target(f, settings);
    pending = f.point();
    outlook = new Outlook(f.point(), f.upper(), target, forecaster.version(), history.length);
    lift = target;
    return settings.lifts() ? ABSTAIN : target;
  }

  /** Forecasts every tier with enough history; {@code NaN} for one whose forecast fell back. */
  private Map<String, Double> forecastTiers(Map<String, double[]> histories, double stepSeconds) {
    if (histories.isEmpty()) {
      return Map.of();
    }
    Map<String, Double> out = new LinkedHashMap<>();
    for (Map.Entry<String, double[]> e : histories.entrySet()) {
      DemandForecaster.Forecast f = run(e.getValue(), stepSeconds);
      out.put(e.getKey(), f == null ? Double.NaN : shareTarget(f, settings.headroom()));
    }
    return java.util.Collections.unmodifiableMap(out);
  }

  /**
   * Runs the forecaster within the budget; {@code null} after counting a fallback. Every forecast
   * (the global one, each tier's, each heavy client's) has the whole budget and counts on its own.
   */
  private DemandForecaster.Forecast run(double[] history, double stepSeconds) {
    if (forecaster == null) {
      return fallback("missing model");
    }
    long start = ticker.getAsLong();
    DemandForecaster.Forecast f;
    try {
      f = forecaster.forecast(history, stepSeconds);
    } catch (RuntimeException e) {
      return fallback("error: " + e);
    }
    long took = ticker.getAsLong() - start;
    if (took > settings.budget().toNanos()) {
      return fallback("timeout: " + took / 1000 + " µs > budget " + settings.budget().toNanos() / 1000 + " µs");
    }
    if (f == null || !Double.isFinite(f.point())) {
      return fallback("error: no finite forecast");
    }
    return f;
  }

  private DemandForecaster.Forecast fallback(String why) {
    fallbacks.increment();
    lastFallback = why;
    return null;
  }

  /**
   * Returns each tier's forecast target from the last run (tokens per second; {@code NaN} for a
   * tier whose forecast fell back, which then keeps its configured share), empty while warming up or
   * with per-tier allocation off. Read by the {@link ControlLoop}.
   */
  public Map<String, Double> tierTargets() {
    return tierTargets;
  }

  /**
   * Returns the heavy clients' rates from the last run, by tier and client key (tokens per second,
   * not yet bounded by the tier's per-client limit: see {@link HeavyClients}); empty with none.
   */
  public Map<String, Map<String, Double>> clientTargets() {
    return clientTargets;
  }

  /**
   * Returns the forecast of tier {@code tier}'s next window from its own history, or {@code null}
   * when the tier has too little history, no model is available or the model fails (not counted as
   * a fallback: the loop did not ask). May run on any thread.
   */
  public DemandForecaster.Forecast forecastTier(String tier) {
    double[] history;
    synchronized (this) {
      Ring r = tiers.get(tier);
      if (r == null || r.size() < settings.minHistory() || forecaster == null) {
        return null;
      }
      history = r.toArray();
    }
    try {
      DemandForecaster.Forecast f = forecaster.forecast(history, 1);
      return f != null && Double.isFinite(f.point()) ? f : null;
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** Returns the last global forecast, or {@code null} before one or after a fallback. */
  public Outlook outlook() {
    return outlook;
  }

  /** Returns the target of the last run's forecast, {@code NaN} when it abstained or fell back. */
  public double lift() {
    return lift;
  }

  /** Returns how many runs fell back (missing model, error, timeout). */
  public long fallbacks() {
    return fallbacks.sum();
  }

  /** Returns why the last fallback happened, or {@code null} if none has. */
  public String lastFallback() {
    return lastFallback;
  }

  /** Returns the version of the model in use, or {@code null} when none is. */
  public String modelVersion() {
    return forecaster == null ? null : forecaster.version();
  }

  /** Returns a copy of the global demand history, oldest first. */
  public synchronized double[] history() {
    return global.toArray();
  }

  /** Sets where each closed window's prediction error (forecast point − actual demand) goes. */
  public void onPredictionError(DoubleConsumer sink) {
    this.errors = sink == null ? e -> {} : sink;
  }

  /** A bounded history, oldest first; not thread-safe (the controller's monitor guards it). */
  private static final class Ring {
    private final double[] values;
    private int next;
    private int size;

    Ring(int capacity) {
      values = new double[capacity];
    }

    void add(double v) {
      values[next] = v;
      next = (next + 1) % values.length;
      size = Math.min(size + 1, values.length);
    }

    int size() {
      return size;
    }

    double[] toArray() {
      double[] out = new double[size];
      int start = (next - size + values.length) % values.length;
      for (int i = 0; i < size; i++) {
        out[i] = values[(start + i) % values.length];
      }
      return out;
    }
  }
}
