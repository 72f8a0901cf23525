package dev.sluice.server.live;

import dev.sluice.adaptive.DemandForecaster;
import dev.sluice.adaptive.flood.FloodEvent;
import dev.sluice.adaptive.flood.FloodResponse;
import dev.sluice.adaptive.flood.FloodSettings;
import dev.sluice.core.Clock;
import dev.sluice.core.LimitTarget;
import dev.sluice.ml.live.ForecastBaseline;
import dev.sluice.server.observe.WallClock;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running flood response ({@code adaptive.anomaly}): one {@link FloodResponse} for the tiers
 * the store enforces, stepped every window by a scheduler thread of its own (never an event loop),
 * its scores exported as {@code sluice_anomaly_score{scope}} (scope {@code global}, {@code
 * tier:NAME}, and {@code client:KEY} for current offenders and the heavy clients the spike and
 * drift watch follows, at most 256 each), and each
 * event written as one JSON log line (logger {@code sluice.anomaly}) when it opens and when it
 * ends. {@link #configure} replaces it on every config (re)load; the seen-client table and the
 * baselines start over then. Thread-safe.
 */
public final class Anomalies implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger("sluice.anomaly");

  private final LimitTarget target;
  private final Supplier<DemandForecaster> model;
  private final Clock clock;
  private final MultiGauge scores;
  private final long epochMillisAtZero;
  private final ScheduledExecutorService scheduler;
  private volatile FloodResponse current;
  private ScheduledFuture<?> task;

  /**
   * Creates the holder for {@code target}'s tiers on {@code clock}; nothing runs until {@link
   * #configure}. {@code wall} dates the events (the offset between it and {@code clock} is taken
   * once, here).
   */
  public Anomalies(LimitTarget target, Clock clock, WallClock wall, MeterRegistry registry) {
    this(target, clock, wall, registry, () -> null);
  }

  /**
   * Creates the holder as {@link #Anomalies(LimitTarget, Clock, WallClock, MeterRegistry)} does,
   * whose spike and drift watch measures each tier's demand against {@code model}'s forecast while
   * it returns a model (the registry's active demand model), else against an EWMA ({@link
   * ForecastBaseline}).
   */
  public Anomalies(LimitTarget target, Clock clock, WallClock wall, MeterRegistry registry,
      Supplier<DemandForecaster> model) {
    this.target = target;
    this.model = model;
    this.clock = clock;
    this.epochMillisAtZero = wall.epochMillis() - clock.nanoTime() / 1_000_000;
    this.scores = MultiGauge.builder("sluice.anomaly.score")
        .description("Anomaly score in [0, 1]: global, per tier (flood, spike, drift), per client (offenders and"
            + " watched heavy clients only)")
        .register(registry);
    this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "sluice-anomaly");
      t.setDaemon(true);
      return t;
    });
  }

  /** Stops the running response, then starts one with {@code settings} if they enable it. */
  public synchronized void configure(FloodSettings settings) {
    if (task != null) {
      task.cancel(false);
      task = null;
    }
    current = null;
    scores.register(List.of(), true);
    if (settings == null || !settings.enabled()) {
      return;
    }
    FloodResponse r = FloodResponse.create(settings, settings.watch(),
        ForecastBaseline.perTier(model, settings.window().toNanos() / 1e9), target.spec(), clock,
        e -> log.info(e.toJson(epochMillisAtZero)));
    current = r;
    long every = settings.window().toNanos();
    task = scheduler.scheduleWithFixedDelay(() -> step(r), every, every, TimeUnit.NANOSECONDS);
    log.atInfo().addKeyValue("event", "anomaly-started").log("anomaly response started");
  }

  private void step(FloodResponse r) {
    try {
      if (current != r) {
        return;
      }
      r.step(target.spec());
      List<MultiGauge.Row<?>> rows = new ArrayList<>();
      rows.add(MultiGauge.Row.of(Tags.of("scope", "global"), r.globalScore()));
      for (Map.Entry<String, Double> e : r.tierScores().entrySet()) {
        rows.add(MultiGauge.Row.of(Tags.of("scope", "tier:" + e.getKey()), e.getValue()));
      }
      for (Map.Entry<String, Double> e : r.clientScores().entrySet()) {
        rows.add(MultiGauge.Row.of(Tags.of("scope", "client:" + e.getKey()), e.getValue()));
      }
      scores.register(rows, true);
    } catch (RuntimeException e) {
      log.atWarn().addKeyValue("event", "anomaly-step-failed").setCause(e).log("anomaly step failed");
    }
  }

  /**
   * The hot path: what the running response does to a request ({@link FloodResponse#admit}), or
   * {@code cost} when none runs.
   */
  public int admit(String key, String tier, int cost) {
    FloodResponse r = current;
    return r == null ? cost : r.admit(key, tier, cost);
  }

  /**
   * Returns the anomaly score of a request from {@code key} in {@code tier} for the request log
   * ({@link FloodResponse#anomalyScore}: the client's when it is watched, else its tier's), to
   * three decimals, or NaN when no response runs.
   */
  public double score(String key, String tier) {
    FloodResponse r = current;
    return r == null ? Double.NaN : Math.round(r.anomalyScore(key, tier) * 1000) / 1000.0;
  }

  /** Returns the running response, or {@code null} when {@code adaptive.anomaly} is off. */
  public FloodResponse response() {
    return current;
  }

  /** Returns the wall-clock milliseconds that clock time 0 corresponds to (to render event times). */
  public long epochMillisAtZero() {
    return epochMillisAtZero;
  }

  @Override
  public synchronized void close() {
    configure(null);
    scheduler.shutdownNow();
  }
}
