package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Clock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The adaptive concurrency level end to end over real sockets, with no reload: Sluice (the server
 * {@code sluice serve} runs, {@code adaptive.enabled: true}, the {@code default} policy) in front of
 * an upstream with a fixed pool of {@value #W} workers, loaded by {@value #CLIENTS} closed-loop
 * clients. Midway the pool halves. Checked, each as a condition with a deadline:
 *
 * <ol>
 *   <li>The upstream never sees more requests at once than the level allows. What is exactly
 *       provable from outside: a request reaches the upstream only holding a permit, and a permit
 *       is granted only while the cost in flight stays within the level in force at that moment.
 *       So over the whole run the upstream's peak is at most the loop's cap on the level ({@value
 *       #CAP}: the configured level scaled by {@code limits.max-rate} over the configured rate);
 *       and over a phase that starts drained (nothing in flight at the edge or
 *       the upstream) the peak is at most the largest level in force during the phase, sampled
 *       in-process (see {@link LevelSampler} for why no value is missed).
 *   <li>The controller's concurrency limit ({@code sluice_controller_concurrency_limit}) and the
 *       level in force ({@code sluice_in_flight_limit}) fall with the pool and stay down over
 *       several steps: to at most {@value #FALL} of the full pool's mean level and not below the
 *       halved pool's workers. The controller sizes the level as delivery × base RTT × gain +
 *       floor ≈ workers × gain + floor (Little's law), so halving the pool predicts a ratio of
 *       about 0.57; the ratio rather than absolute bands keeps the check true on a loaded machine,
 *       where scheduling delay inflates the measured latency in both phases alike. A controller
 *       that never lowers the level keeps the ratio at 1 and fails (tried with a loop that never
 *       lowers the level).
 * </ol>
 *
 * <p>The configured level is the full pool's workers, so the first intervals see the backend
 * without a queue and the base RTT is its service time; the loop then opens the level (the
 * backend keeps up), a queue forms behind the {@value #CLIENTS} clients, and the controller holds
 * the level near {@code W × gain + floor}. (Configured at twice the
 * workers instead, the very first sample already holds a queue; the base RTT then includes it and
 * every limit is proportionally higher — the estimator has no forced ProbeRTT, see
 * docs/adaptive.md.)
 *
 * <p>A failed wait reports the loop's last {@value StepLog#KEPT} steps ({@link StepLog}): the
 * signals the capacity controller read and what it made of them. That is how an intermittent
 * failure was traced to the estimator's re-probe resetting the base RTT to a queue's latency
 * across the halving ({@code CapacityEstimatorTest}, the capacity-loss case).
 */
@Timeout(180)
class CapacityHalvingServeTest {

  /** The upstream's workers before the pool halves. */
  static final int W = 24;
  /** Closed-loop clients: twice the full pool. */
  static final int CLIENTS = 2 * W;
  /** The configured global concurrency level: the full pool's workers, so that no queue forms before the loop runs. */
  static final int CONFIGURED = W;
  /**
   * The largest level the loop may set: the configured level scaled by {@code limits.max-rate}
   * (2000/s by default) over the configured rate (500/s).
   */
  static final int CAP = 4 * W;
  /** The upstream's work per request. */
  static final Duration SERVICE = Duration.ofMillis(100);
  /** The control interval (and the capacity controller's period). */
  static final Duration INTERVAL = Duration.ofMillis(250);
  /** The clock the test and the server read. */
  static final Clock CLOCK = Clock.system();
  /** Steps the loop runs on the full pool before its level is measured. */
  static final int SETTLE = 12;
  /** After the halving the level must be at most this fraction of the full pool's mean level. */
  static final double FALL = 0.75;
  /** Deadline of every condition. */
  static final Duration WAIT = Duration.ofSeconds(60);

  static String config(String upstream) {
    return """
        upstream: { url: "%s", timeout: 20s }
        global: { burst: 500, rate: 500/s, concurrency: %d }
        tiers:
          api:
            per-client: { burst: 100000, rate: 100000/s }
        adaptive:
          enabled: true
          interval: %dms
          capacity: { period: %dms }
        """.formatted(upstream, CONFIGURED, INTERVAL.toMillis(), INTERVAL.toMillis());
  }

  @Test
  void theLevelFollowsTheUpstreamsPoolWhenItHalvesAndTheUpstreamNeverSeesMore() {
    double low = W / 2.0;
    try (PoolUpstream upstream = new PoolUpstream(W);
        Harness sluice = Harness.start(config(upstream.url()), CLOCK);
        LevelSampler levels = new LevelSampler(sluice);
        StepLog steps = new StepLog(sluice);
        Load load = new Load(sluice, CLIENTS)) {
      upstream.serviceTime(SERVICE);
      levels.start();
      steps.start();
      load.start();

      // Full pool: let the loop settle (its first steps open the level before a queue forms), then
      // take the mean level over 8 steps in which it stays at or above the workers.
      Harness.await(WAIT, SETTLE + " steps on the full pool", new Steps(sluice, SETTLE, (limit, level) -> true));
      Steps full = new Steps(sluice, 8, (limit, level) -> Double.isFinite(limit) && level >= W);
      try {
        Harness.await(WAIT, "8 steps with the level at or above " + W + " on the full pool", full);
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + " (last scrape: " + full + ")\n" + steps, e);
      }
      double high = FALL * full.meanLevel();
      assertThat(upstream.maxSeen()).as("the upstream's peak on the full pool, at most the loop's cap")
          .isLessThanOrEqualTo(CAP);

      // The pool halves under load: the limit and the level fall by at least a quarter from the full
      // pool's mean (halving the workers predicts (W/2 × gain + floor) / (W × gain + floor), about
      // 0.57, and stays near that when load inflates the measured latency in both phases alike), and
      // not below the halved pool's workers.
      upstream.workers(W / 2);
      steps.mark("the pool halved");
      Steps band = new Steps(sluice, 8, (limit, level) -> limit >= low && limit <= high && level >= low
          && level <= Math.ceil(high));
      try {
        Harness.await(WAIT, "8 steps with the limit and the level in [" + low + ", " + high + "] after the pool"
            + " halved (full pool's mean level " + full.meanLevel() + ")", band);
      } catch (AssertionError e) {
        throw new AssertionError(e.getMessage() + " (last scrape: " + band + ")\n" + steps, e);
      }

      // A phase that starts drained: the upstream sees at most the largest level in force during it.
      load.pause();
      Harness.await(WAIT, "nothing in flight", () -> load.idle() && upstream.seen() == 0
          && sluice.server.edgeRequestsActive() == 0);
      levels.mark();
      upstream.resetMax();
      int served = upstream.served.get();
      load.resume();
      Harness.await(WAIT, "the upstream to serve " + 4 * CLIENTS + " more requests",
          () -> upstream.served.get() >= served + 4 * CLIENTS);
      long bound = levels.bound();
      assertThat((long) upstream.maxSeen()).as("the upstream's peak after the pool halved, at most the largest level in"
          + " force (" + bound + (levels.gap() ? ", the cap: a sampling gap" : "") + ")")
          .isPositive().isLessThanOrEqualTo(bound);
      load.stop();

      PrometheusText m = PrometheusText.parse(sluice.adminGet("/metrics").body());
      assertThat(m.value("sluice_permits_expired_total")).isEqualTo(0.0);
      assertThat(load.unexpected.get()).as("answers other than 200 and 429").isZero();
      assertThat(load.ok.get()).isPositive();
    }
  }


  /**
   * A condition on consecutive control steps: holds once {@code needed} steps in a row, each seen
   * in a scrape of {@code /metrics}, had the limit ({@code sluice_controller_concurrency_limit})
   * and the level in force ({@code sluice_in_flight_limit}) satisfy {@code ok}; a scrape where
   * they do not starts the count again.
   */
  static final class Steps implements java.util.function.BooleanSupplier {
    private final Harness sluice;
    private final int needed;
    private final java.util.function.BiPredicate<Double, Double> ok;
    private long lastStep = Long.MIN_VALUE;
    private int streak;
    private double levelSum;
    private String last = "none";

    Steps(Harness sluice, int needed, java.util.function.BiPredicate<Double, Double> ok) {
      this.sluice = sluice;
      this.needed = needed;
      this.ok = ok;
    }

    @Override
    public boolean getAsBoolean() {
      var before = sluice.server.controlLoop().lastStep();
      PrometheusText m = PrometheusText.parse(sluice.adminGet("/metrics").body());
      var after = sluice.server.controlLoop().lastStep();
      if (before == null || before != after) {
        return false; // a step ran during the scrape: its gauges may mix two steps
      }
      double limit = m.value("sluice_controller_concurrency_limit");
      double level = m.value("sluice_in_flight_limit", "tier", "_global", "level", "global");
      last = "limit " + limit + ", level " + level;
      if (!ok.test(limit, level)) {
        streak = 0;
        levelSum = 0;
      } else if (after.nowNanos() != lastStep) {
        streak++;
        levelSum += level;
      }
      lastStep = after.nowNanos();
      if (streak < needed) {
        LockSupport.parkNanos(INTERVAL.toNanos() / 5);
      }
      return streak >= needed;
    }

    /** The mean level over the counted streak. */
    double meanLevel() {
      return levelSum / Math.max(1, streak);
    }

    @Override
    public String toString() {
      return last;
    }
  }

  /**
   * Keeps the loop's last {@value #KEPT} steps as lines (what the capacity controller read and
   * decided, and the level in force after the step), so that a failure shows why the level did or
   * did not move. It polls {@link dev.sluice.adaptive.ControlLoop#lastStep} every millisecond; a
   * step is at least one interval after the previous one, so none is missed unless the poller is
   * starved for an interval (a gap shows as a jump in the step times).
   */
  static final class StepLog implements AutoCloseable {
    static final int KEPT = 40;
    private final Harness sluice;
    private final Thread thread;
    private final java.util.ArrayDeque<String> lines = new java.util.ArrayDeque<>();
    private final long start = CLOCK.nanoTime();
    private dev.sluice.adaptive.ControlStep seen;
    private volatile boolean stop;

    StepLog(Harness sluice) {
      this.sluice = sluice;
      this.thread = new Thread(this::run, "step-log");
      this.thread.setDaemon(true);
    }

    void start() {
      thread.start();
    }

    private void run() {
      while (!stop) {
        poll();
        LockSupport.parkNanos(1_000_000);
      }
    }

    private synchronized void poll() {
      var step = sluice.server.controlLoop().lastStep();
      if (step == null || step == seen) {
        return;
      }
      seen = step;
      var s = step.signals();
      var c = dev.sluice.adaptive.CapacityController.DEFAULTS; // the test configures only the period
      boolean judged = c.judges(s);
      add(String.format(java.util.Locale.ROOT, "%7.2fs rate %.0f->%.0f capacity %.0f limit %.1f level %d |"
          + " responses %d answered %d admitted %d denied %d p50 %.1f p95 %.1f base %.1f served %.0f/s"
          + " delivery %.0f/s | %s", (step.nowNanos() - start) / 1e9, step.previousRate(), step.composedRate(),
          step.proposals().getOrDefault("capacity", Double.NaN), step.concurrencyLimit(),
          sluice.server.store().spec().concurrency(), s.responses(), s.respondedCost(), s.admittedCost(),
          s.denied(), s.p50Millis(), s.p95Millis(), s.baseRttMillis(), s.completedRate(), s.deliveryRate(),
          !judged ? "not judged" : (c.saturated(s) ? "saturated" : "not saturated")
              + (c.draining(s) ? ", draining" : "")));
    }

    /** Adds a line that marks an event of the test between steps. */
    synchronized void mark(String event) {
      add(String.format(java.util.Locale.ROOT, "%7.2fs -- %s", (CLOCK.nanoTime() - start) / 1e9, event));
    }

    private void add(String line) {
      if (lines.size() == KEPT) {
        lines.removeFirst();
      }
      lines.addLast(line);
    }

    @Override
    public synchronized String toString() {
      return "the loop's last steps:\n  " + String.join("\n  ", lines);
    }

    @Override
    public void close() {
      stop = true;
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Samples the global concurrency level in force, in-process, every millisecond, and keeps the
   * largest value since {@link #mark}. The loop changes the level at most once per step, and steps
   * are at least one interval apart (a fixed-delay schedule), so when no two samples are an interval
   * or more apart every level in force since the mark was sampled; otherwise the largest level the
   * loop can apply (the configured one) stands in as the bound.
   */
  static final class LevelSampler implements AutoCloseable {
    private final Harness sluice;
    private final Thread thread;
    private long max;
    private long lastNanos;
    private boolean gap;
    private volatile boolean stop;

    LevelSampler(Harness sluice) {
      this.sluice = sluice;
      this.thread = new Thread(this::run, "level-sampler");
      this.thread.setDaemon(true);
    }

    void start() {
      mark();
      thread.start();
    }

    private void run() {
      while (!stop) {
        sample();
        LockSupport.parkNanos(1_000_000);
      }
    }

    private synchronized void sample() {
      long now = CLOCK.nanoTime();
      long level = sluice.server.store().spec().concurrency();
      if (now - lastNanos >= INTERVAL.toNanos()) {
        gap = true;
      }
      lastNanos = now;
      max = Math.max(max, level);
    }

    /** Starts a new phase at the level in force now. */
    synchronized void mark() {
      gap = false;
      max = 0;
      lastNanos = CLOCK.nanoTime();
      max = sluice.server.store().spec().concurrency();
    }

    /** Returns the largest level in force since the mark (the cap after a sampling gap). */
    synchronized long bound() {
      sample();
      return gap ? CAP : max;
    }

    synchronized boolean gap() {
      return gap;
    }

    @Override
    public void close() {
      stop = true;
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /**
   * Closed-loop clients on loopback connections of one HTTP client of their own: each sends a
   * request, waits for the answer and sends the next; after a 429 it waits a quarter of the service
   * time first (load shaping, not a wait for a condition). {@link #pause} stops them between
   * requests; {@link #stop} ends their threads.
   */
  static final class Load implements AutoCloseable {
    final AtomicInteger ok = new AtomicInteger();
    final AtomicInteger unexpected = new AtomicInteger();
    private final Harness sluice;
    private final int clients;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    private final ExecutorService pool;
    private volatile boolean paused;
    private volatile boolean stop;
    private final AtomicInteger busy = new AtomicInteger();

    Load(Harness sluice, int clients) {
      this.sluice = sluice;
      this.clients = clients;
      this.pool = Executors.newFixedThreadPool(clients, r -> {
        Thread t = new Thread(r, "load-client");
        t.setDaemon(true);
        return t;
      });
    }

    void start() {
      for (int c = 0; c < clients; c++) {
        int client = c;
        pool.execute(() -> run(client));
      }
    }

    private void run(int client) {
      HttpRequest req = HttpRequest.newBuilder(URI.create(sluice.edge("/work"))).header("X-Client-ID", "c" + client)
          .timeout(Duration.ofSeconds(30)).build();
      while (!stop) {
        if (paused) {
          LockSupport.parkNanos(2_000_000);
          continue;
        }
        busy.incrementAndGet();
        if (paused) {
          busy.decrementAndGet();
          continue;
        }
        try {
          int status = http.send(req, HttpResponse.BodyHandlers.ofString()).statusCode();
          if (status == 200) {
            ok.incrementAndGet();
          } else if (status == 429) {
            LockSupport.parkNanos(SERVICE.toNanos() / 4);
          } else {
            unexpected.incrementAndGet();
          }
        } catch (InterruptedException e) {
          return;
        } catch (java.io.IOException e) {
          if (!stop) {
            unexpected.incrementAndGet();
          }
        } finally {
          busy.decrementAndGet();
        }
      }
    }

    /** Stops sending new requests; {@link #idle} once those under way are answered. */
    void pause() {
      paused = true;
    }

    void resume() {
      paused = false;
    }

    boolean idle() {
      return paused && busy.get() == 0;
    }

    /** Stops every client and waits for their threads to end; idempotent. */
    void stop() {
      stop = true;
      pool.shutdownNow();
      try {
        assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).as("load clients stopped").isTrue();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        http.shutdownNow();
      }
    }

    @Override
    public void close() {
      stop();
    }
  }
}
