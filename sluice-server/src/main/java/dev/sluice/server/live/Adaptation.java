package dev.sluice.server.live;

import dev.sluice.adaptive.AdaptiveSettings;
import dev.sluice.adaptive.ControlLoop;
import dev.sluice.adaptive.ControlStep;
import dev.sluice.adaptive.RateController;
import dev.sluice.adaptive.SignalCollector;
import dev.sluice.core.Clock;
import dev.sluice.core.Level;
import dev.sluice.core.LimitTarget;
import dev.sluice.ml.live.Predictors;
import dev.sluice.server.observe.ServerMetrics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's adaptive control loop, thread-safe: request handlers feed it decisions and upstream
 * outcomes (wait-free, through {@link SignalCollector}), and a scheduler thread of its own — never
 * an event loop — runs a {@link ControlLoop} step every {@code adaptive.interval}. Each config
 * (re)load replaces the loop with one built from the new settings.
 *
 * <ol>
 *   <li>At most one loop is running; {@link #stop} returns only when no step of the old loop is in
 *       progress or can still start, so a reload's {@code reconfigure} is never undone by a late
 *       step.
 *   <li>The loop moves the bucket store's limits through its {@link LimitTarget} face, local or
 *       Redis alike, and reads the store's aggregate levels for its signals.
 *   <li>A new loop starts from the store's spec at the time it is built: after a reload, the
 *       configured rates.
 *   <li>{@code sluice_controller_proposed_rate{controller,tier}} is a gauge per enabled controller
 *       plus {@code controller="composed"} (the applied rate, or the would-be rate in shadow mode),
 *       NaN before the first step or while a controller abstains; the applied rates themselves are
 *       {@code sluice_refill_rate}, read from the store by {@link ServerMetrics}.
 *   <li>{@code sluice_controller_concurrency_limit} is the capacity controller's concurrency limit
 *       in tokens in flight (NaN without one or before its first estimate). The loop applies it to
 *       the global concurrency level only when {@code global.concurrency} is configured and not in
 *       shadow mode; the level in force is {@code sluice_in_flight_limit}.
 *   <li>The request log reads {@link #policy}, {@link #shadowRate} and {@link #modelVersion} on
 *       request threads, wait-free: the first two from the running loop (the shadow rate is copied
 *       after each step by the scheduler thread), the last from the predictive controller's model
 *       (else a field {@link #modelVersion(String)} sets).
 *   <li>With a {@code predictive} controller, {@link Prediction} holds the model registry, the model
 *       meters and feature drift; it is fed after every step on the scheduler thread.
 * </ol>
 */
public final class Adaptation implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(Adaptation.class);

  /**
   * One loop with its collector, schedule and gauges, the policy name the request log shows, and
   * in shadow mode the last rate it would have set (NaN before its first step or when applied).
   */
  private static final class Running {
    final SignalCollector collector;
    final ControlLoop loop;
    final ScheduledFuture<?> task;
    final List<Meter> gauges;
    final String policy;
    final boolean shadow;
    volatile double shadowRate = Double.NaN;

    Running(SignalCollector collector, ControlLoop loop, ScheduledFuture<?> task, List<Meter> gauges,
        AdaptiveSettings settings) {
      this.collector = collector;
      this.loop = loop;
      this.task = task;
      this.gauges = gauges;
      this.shadow = settings.shadow();
      String name = policyName(settings.controllers());
      this.policy = shadow ? "shadow:" + name : name;
    }
  }

  private final LimitTarget target;
  private final Clock clock;
  private final MeterRegistry registry;
  private final ScheduledExecutorService scheduler;
  private final Prediction prediction;
  private final Anomalies anomalies;
  private volatile Running current;
  private volatile String modelVersion;

  /** Creates a stopped loop that will move {@code target} on {@code clock}, exporting to {@code registry}. */
  public Adaptation(LimitTarget target, Clock clock, MeterRegistry registry) {
    this(target, clock, registry, new Prediction(registry, dev.sluice.server.observe.WallClock.system()));
  }

  /** Creates a stopped loop whose predictive controller, model meters and registry are {@code prediction}'s. */
  public Adaptation(LimitTarget target, Clock clock, MeterRegistry registry, Prediction prediction) {
    this.prediction = prediction;
    this.anomalies = new Anomalies(target, clock, dev.sluice.server.observe.WallClock.system(), registry,
        prediction::activeModel);
    this.target = target;
    this.clock = clock;
    this.registry = registry;
    this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "sluice-control-loop");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Stops the running loop, then starts one with {@code settings} if they enable it; (re)starts
   * the flood response of {@code adaptive.anomaly} whether or not the loop is enabled.
   */
  public synchronized void configure(AdaptiveSettings settings) {
    stop();
    anomalies.configure(settings.anomaly());
    if (!settings.enabled()) {
      return;
    }
    SignalCollector collector = SignalCollector.create(settings, clock.nanoTime());
    prediction.configure(settings.predictive());
    ControlLoop loop;
    try {
      loop = ControlLoop.create(target, clock, collector, settings,
          settings.enabledControllers(Predictors.factory(clock::nanoTime, prediction::activeForecaster)));
    } catch (IllegalArgumentException e) {
      log.atWarn().addKeyValue("event", "adaptive-off").addKeyValue("reason", e.getMessage())
          .log("adaptive control loop not started");
      return;
    }
    List<Meter> gauges = new ArrayList<>();
    for (RateController c : settings.enabledControllers()) {
      gauges.add(proposed(loop, c.name()));
    }
    gauges.add(proposed(loop, "composed"));
    gauges.add(Gauge.builder("sluice.controller.concurrency.limit", loop, ControlLoop::concurrencyLimit)
        .description("The capacity controller's concurrency limit (applied to global.concurrency when configured),"
            + " tokens in flight")
        .register(registry));
    long every = settings.interval().toNanos();
    Running[] self = new Running[1];
    ScheduledFuture<?> task = scheduler.scheduleWithFixedDelay(() -> tick(self[0]), every, every,
        TimeUnit.NANOSECONDS);
    Running running = new Running(collector, loop, task, gauges, settings);
    prediction.attach(loop.predictive());
    self[0] = running;
    current = running;
    log.atInfo().addKeyValue("event", "adaptive-started").addKeyValue("controllers", settings.controllers())
        .addKeyValue("shadow", settings.shadow()).addKeyValue("interval", settings.interval().toString())
        .log("adaptive control loop started");
  }

  private Meter proposed(ControlLoop loop, String controller) {
    return Gauge.builder("sluice.controller.proposed.rate", loop, l -> proposal(l.lastStep(), controller))
        .tags("controller", controller, "tier", loop.target())
        .description("Rate proposed by each adaptive controller (composed: the loop's choice), tokens per second")
        .register(registry);
  }

  private static double proposal(ControlStep step, String controller) {
    if (step == null) {
      return Double.NaN;
    }
    if (controller.equals("composed")) {
      return step.composedRate();
    }
    Double p = step.proposals().get(controller);
    return p == null || p == RateController.ABSTAIN ? Double.NaN : p;
  }

  private void tick(Running running) {
    synchronized (this) {
      if (running == null || current != running) {
        return;
      }
      try {
        ControlStep step = running.loop.step();
        if (running.loop.predictive() != null) {
          java.util.Map<String, Double> tiers = new java.util.LinkedHashMap<>();
          step.signals().tierDemand().forEach((t, d) -> tiers.put(t, d * 1e9 / step.signals().intervalNanos()));
          prediction.afterStep(step.signals().demandRate(), tiers);
        }
        if (running.shadow && running.loop.lastStep() != null) {
          running.shadowRate = running.loop.lastStep().composedRate();
        }
      } catch (RuntimeException e) {
        log.atWarn().addKeyValue("event", "adaptive-step-failed").setCause(e).log("adaptive step failed");
      }
    }
  }

  /** Stops the running loop, if any, and removes its gauges; the store keeps its current rates. */
  synchronized void stop() {
    Running r = current;
    if (r == null) {
      return;
    }
    current = null;
    prediction.attach(null);
    r.task.cancel(false);
    r.gauges.forEach(registry::remove);
  }

  /** Counts one decision of {@code cost} in {@code tier}; {@code deniedBy} is the denying level or null. */
  public void recordDecision(String tier, boolean allowed, int cost, Level deniedBy) {
    Running r = current;
    if (r != null) {
      r.collector.recordDecision(tier, allowed, cost, deniedBy);
    }
  }

  /**
   * Counts what client {@code key} of {@code tier} asked for, for the predictive controller's heavy
   * clients (a no-op unless it tracks them).
   */
  public void recordClient(String tier, String key, int cost) {
    Running r = current;
    if (r != null) {
      r.collector.recordClient(tier, key, cost);
    }
  }

  /**
   * Records one upstream outcome of a request of {@code cost} tokens; one without a measured
   * latency (negative) is not a sample.
   */
  public void recordResponse(long latencyNanos, int status, int cost) {
    Running r = current;
    if (r != null && latencyNanos >= 0) {
      r.collector.recordResponse(latencyNanos, status, cost);
    }
  }

  /** Returns the running loop, or {@code null} when adaptation is off. */
  public ControlLoop loop() {
    Running r = current;
    return r == null ? null : r.loop;
  }

  /**
   * Returns the adaptive policy in force, as the request log's {@code policy} shows it: {@code
   * static} when no loop runs; {@code default} for the default controllers ({@link
   * AdaptiveSettings#DEFAULT_CONTROLLERS}), else the controller names joined by {@code +} (e.g.
   * {@code latency-aimd+error-backoff}); prefixed {@code shadow:} in shadow mode, where the loop
   * moves no rate. Wait-free (one volatile read).
   */
  public String policy() {
    Running r = current;
    return r == null ? "static" : r.policy;
  }

  /**
   * Returns, in shadow mode, the global rate the loop's last step would have set (tokens per
   * second); NaN when no loop runs, the loop applies its rates, or it has not stepped yet.
   * Wait-free.
   */
  public double shadowRate() {
    Running r = current;
    return r == null ? Double.NaN : r.shadowRate;
  }

  /**
   * Returns the version of the learned model the policy uses, or {@code null} when none does (all
   * policies so far); the request log's {@code modelVersion}.
   */
  public String modelVersion() {
    String running = prediction.modelVersion();
    return running != null ? running : modelVersion;
  }

  /** Returns the predictive side: registry, active model, model meters. */
  public Prediction prediction() {
    return prediction;
  }

  /**
   * Sets the version {@link #modelVersion} reports: the hook for the learning work's model registry
   * to call when it activates or rolls back a model ({@code null}: none). Kept across reloads.
   */
  public void modelVersion(String version) {
    this.modelVersion = version;
  }

  /** Returns the policy name of {@code controllers}: {@code default} or the names joined by {@code +}. */
  static String policyName(List<String> controllers) {
    return controllers.equals(AdaptiveSettings.DEFAULT_CONTROLLERS) ? "default" : String.join("+", controllers);
  }

  @Override
  public void close() {
    stop();
    anomalies.close();
    scheduler.shutdownNow();
    prediction.close();
  }

  /** Returns the flood response holder (running only while {@code adaptive.anomaly.enabled}). */
  public Anomalies anomalies() {
    return anomalies;
  }
}
