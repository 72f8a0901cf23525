package dev.sluice.server.live;

import dev.sluice.adaptive.DemandForecaster;
import dev.sluice.adaptive.PredictiveController;
import dev.sluice.adaptive.PredictiveSettings;
import dev.sluice.ml.live.DemandModel;
import dev.sluice.ml.live.DemandRetrain;
import dev.sluice.ml.live.FeatureDrift;
import dev.sluice.ml.registry.LoadedArtifact;
import dev.sluice.ml.registry.ModelMetadata;
import dev.sluice.ml.registry.ModelRegistry;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The learning work's live side, thread-safe: the model registry the config names, the active
 * demand model the {@code predictive} controller runs as {@code forecaster: model}, the model
 * meters, feature drift, and the periodic retrain.
 *
 * <ol>
 *   <li>{@code sluice_model_version{version}}: 1 for the version in use (the registry version, or
 *       {@code online:holt} / {@code online:ewma}), NaN while none is; one series at a time.
 *   <li>{@code sluice_model_prediction_error{direction}}: a histogram of |forecast − actual| in
 *       tokens per second, recorded when the forecast window closes; {@code direction} is {@code
 *       over} (forecast above the actual) or {@code under} (Micrometer's histograms take no
 *       negative values, so the sign is the label).
 *   <li>{@code sluice_model_fallbacks_total}: runs of the controller that fell back (missing model,
 *       error, past the budget), over every loop this process ran.
 *   <li>{@code sluice_feature_drift{feature}}: PSI of the live demand (feature {@code demand}, and
 *       {@code demand.TIER} per tier) against the active registry model's training deciles, or,
 *       for online models, against the first {@code adaptive.predictive.history} windows (the live
 *       window is as long); crossing {@link
 *       FeatureDrift#THRESHOLD} upward logs a WARN line with {@code event=feature-drift}.
 *   <li>Activation ({@link #activate}) loads the version first with the demand feature schema, so
 *       a model of other features is refused ({@code SchemaMismatchException}) and nothing changes.
 *   <li>The retrain runs on a daemon thread of its own, never on the control loop's.
 * </ol>
 */
public final class Prediction implements AutoCloseable {


  private static final Logger log = LoggerFactory.getLogger(Prediction.class);

  private final MeterRegistry registry;
  private final dev.sluice.server.observe.WallClock wall;
  private final ScheduledExecutorService retrainer;
  private final DistributionSummary over;
  private final DistributionSummary under;
  private final Map<String, FeatureDrift> drift = new ConcurrentHashMap<>();
  private final Map<String, Meter> driftGauges = new ConcurrentHashMap<>();
  private final Map<String, Boolean> drifted = new ConcurrentHashMap<>();
  private volatile ModelRegistry models;
  private volatile ActiveModel active;
  private volatile PredictiveController controller;
  private volatile int driftWindow = 300;
  private volatile long retiredFallbacks;
  private volatile Meter versionGauge;
  private volatile String shownVersion;
  private ScheduledFuture<?> retrain;

  /** A loaded registry model and its training deciles ({@code null}: none stored). */
  private record ActiveModel(DemandForecaster forecaster, double[] deciles) {}

  /**
   * Creates the meters in {@code registry}; no registry is open until {@link #configure}. {@code
   * wall} dates the retrain's window of request log.
   */
  public Prediction(MeterRegistry registry, dev.sluice.server.observe.WallClock wall) {
    this.registry = registry;
    this.wall = wall;
    this.retrainer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "sluice-model-retrain");
      t.setDaemon(true);
      return t;
    });
    this.over = error("over");
    this.under = error("under");
    FunctionCounter.builder("sluice.model.fallbacks", this, Prediction::fallbacks)
        .description("Predictive controller runs that fell back to the other controllers (missing model, error,"
            + " past the inference budget)")
        .register(registry);
  }

  private DistributionSummary error(String direction) {
    return DistributionSummary.builder("sluice.model.prediction.error").tag("direction", direction)
        .description("|forecast - actual| demand of a closed window, tokens per second")
        .publishPercentileHistogram().minimumExpectedValue(1.0).maximumExpectedValue(1e6)
        .register(registry);
  }

  /**
   * Opens the registry {@code settings} names (or none), loads its active model, and schedules or
   * cancels the retrain; called on every config (re)load before the loop starts.
   */
  public synchronized void configure(PredictiveSettings settings) {
    driftWindow = Math.max(20, settings.history());
    String dir = settings.models();
    ModelRegistry current = models;
    if (dir == null) {
      models = null;
      active = null;
    } else {
      if (current == null || !current.directory().equals(Path.of(dir))) {
        try {
          models = ModelRegistry.open(Path.of(dir));
        } catch (IOException | RuntimeException e) {
          log.atWarn().addKeyValue("event", "model-registry-unavailable").addKeyValue("directory", dir).setCause(e)
              .log("model registry not opened; the predictive controller falls back");
          models = null;
        }
      }
      // Every (re)load reads ACTIVE again: sluice train --activate may have moved it meanwhile.
      loadActive();
    }
    if (retrain != null) {
      retrain.cancel(false);
      retrain = null;
    }
    PredictiveSettings.Retrain r = settings.retrain();
    if (r != null && models != null) {
      long every = r.every().toNanos();
      retrain = retrainer.scheduleWithFixedDelay(() -> retrainNow(r), every, every, TimeUnit.NANOSECONDS);
    }
  }

  /** Loads the registry's active version as the active demand model; none when it is not one. */
  private void loadActive() {
    ModelRegistry m = models;
    active = null;
    if (m == null) {
      return;
    }
    try {
      var v = m.activeVersion();
      if (v.isPresent()) {
        active = load(m, v.get());
      }
    } catch (IOException | RuntimeException e) {
      log.atWarn().addKeyValue("event", "model-load-failed").setCause(e)
          .log("the active model could not be loaded; the predictive controller falls back");
    }
  }

  private static ActiveModel load(ModelRegistry m, String version) throws IOException {
    LoadedArtifact a = m.load(version, DemandModel.SCHEMA_HASH);
    return new ActiveModel(DemandModel.forecaster(a), DemandModel.deciles(a.metadata()));
  }

  /** Returns the registry in use, or {@code null} when the config names none. */
  public ModelRegistry registry() {
    return models;
  }

  /**
   * Makes {@code version} the active model: loads it with the demand feature schema (refused,
   * nothing changed, on a mismatch or a broken artifact), then moves the registry's pointer.
   *
   * @throws IllegalStateException when no registry is configured
   * @throws IllegalArgumentException for an unknown version
   * @throws dev.sluice.ml.registry.SchemaMismatchException for a model of other features
   */
  public synchronized ModelMetadata activate(String version) throws IOException {
    ModelRegistry m = models;
    if (m == null) {
      throw new IllegalStateException("no model registry (expected: adaptive.predictive.models set)");
    }
    ActiveModel loaded = load(m, version);
    ModelMetadata meta = m.activate(version);
    active = loaded;
    resetDrift();
    log.atInfo().addKeyValue("event", "model-activated").addKeyValue("version", version).log("model activated");
    return meta;
  }

  /**
   * Returns what {@code forecaster: model} runs: a forecaster that delegates to the registry's
   * active model at each call (so an activation takes effect at the next step, and with none active
   * each run falls back), or {@code null} when no registry is configured.
   */
  public DemandForecaster activeForecaster() {
    if (models == null) {
      return null;
    }
    return new DemandForecaster() {
      @Override
      public Forecast forecast(double[] history, double stepSeconds) {
        ActiveModel now = active;
        if (now == null) {
          throw new IllegalStateException("no active demand model in " + models.directory());
        }
        return now.forecaster().forecast(history, stepSeconds);
      }

      @Override
      public String version() {
        ActiveModel now = active;
        return now == null ? null : now.forecaster().version();
      }
    };
  }

  /**
   * Returns the registry's active demand model, or {@code null} while none is active (or no
   * registry is configured): the anomaly watch's tier baseline asks it at every forecast.
   */
  public DemandForecaster activeModel() {
    ActiveModel now = active;
    return now == null ? null : now.forecaster();
  }

  /** Attaches the running loop's predictive controller ({@code null}: none runs). */
  public synchronized void attach(PredictiveController next) {
    PredictiveController old = controller;
    if (old != null) {
      retiredFallbacks += old.fallbacks();
    }
    controller = next;
    resetDrift();
    if (next != null) {
      next.onPredictionError(e -> (e >= 0 ? over : under).record(Math.abs(e)));
    }
    showVersion();
  }

  /** Returns the controller attached, or {@code null}. */
  public PredictiveController controller() {
    return controller;
  }

  /** Feeds the drift monitors with the step's demand (global and per tier); called after each step. */
  public void afterStep(double demand, Map<String, Double> tierDemand) {
    if (controller == null) {
      return;
    }
    observe("demand", demand);
    tierDemand.forEach((tier, d) -> observe("demand." + tier, d));
    showVersion();
  }

  private void observe(String feature, double value) {
    FeatureDrift d = drift.computeIfAbsent(feature, f -> {
      ActiveModel a = active;
      FeatureDrift made = a != null && a.deciles() != null && f.equals("demand")
          ? FeatureDrift.against(f, driftWindow, a.deciles()) : new FeatureDrift(f, driftWindow);
      driftGauges.computeIfAbsent(f, k -> Gauge.builder("sluice.feature.drift", made, FeatureDrift::psi)
          .tag("feature", k).description("PSI of a live feature against its training (or first-seen) distribution")
          .register(registry));
      return made;
    });
    double psi = d.add(value);
    boolean was = drifted.getOrDefault(feature, false);
    boolean now = psi > FeatureDrift.THRESHOLD;
    if (now != was) {
      drifted.put(feature, now);
      if (now) {
        log.atWarn().addKeyValue("event", "feature-drift").addKeyValue("feature", feature).addKeyValue("psi", psi)
            .log("feature drift above " + FeatureDrift.THRESHOLD);
      }
    }
  }

  private void resetDrift() {
    driftGauges.values().forEach(registry::remove);
    driftGauges.clear();
    drift.clear();
    drifted.clear();
  }

  private synchronized void showVersion() {
    PredictiveController c = controller;
    String v = c == null ? null : c.modelVersion();
    if (java.util.Objects.equals(v, shownVersion) && (versionGauge != null || v == null)) {
      return;
    }
    if (versionGauge != null) {
      registry.remove(versionGauge);
      versionGauge = null;
    }
    shownVersion = v;
    if (v != null) {
      versionGauge = Gauge.builder("sluice.model.version", () -> 1).tag("version", v)
          .description("The model version the predictive controller uses (1 for the version in the label)")
          .register(registry);
    }
  }

  /** Returns the version the predictive controller uses now, or {@code null}. */
  public String modelVersion() {
    PredictiveController c = controller;
    return c == null ? null : c.modelVersion();
  }

  private long fallbacks() {
    PredictiveController c = controller;
    return retiredFallbacks + (c == null ? 0 : c.fallbacks());
  }

  /** Runs one retrain from the request log now; see {@link Retraining}. */
  void retrainNow(PredictiveSettings.Retrain r) {
    ModelRegistry m = models;
    if (m == null) {
      return;
    }
    try {
      DemandRetrain.Result result = Retraining.run(m, r, java.time.Instant.ofEpochMilli(wall.epochMillis()));
      if (result != null && result.activated()) {
        synchronized (this) {
          active = load(m, result.version());
          resetDrift();
        }
      }
    } catch (IOException | RuntimeException e) {
      log.atWarn().addKeyValue("event", "retrain-failed").setCause(e).log("model retrain failed");
    }
  }

  @Override
  public void close() {
    retrainer.shutdownNow();
  }
}
