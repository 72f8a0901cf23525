package dev.sluice.adaptive;

import dev.sluice.core.AggregateLevels;
import dev.sluice.core.Level;
import dev.sluice.core.LevelState;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Collects the signals of each control interval. Recording is thread-safe and wait-free for any
 * number of request threads; {@link #snapshot} is called by one control thread at a time (it is
 * synchronized) and closes the interval.
 *
 * <ol>
 *   <li>Latencies go to an HdrHistogram {@link Recorder} (microseconds per token of the request's
 *       cost, 2 significant digits); each snapshot swaps out the interval histogram and reads
 *       p50/p95/p99 from it.
 *   <li>Counts are {@link LongAdder}s, reset by each snapshot. Demand counts only what passed the
 *       per-client limits: a request its own client's bucket denied is no demand the controlled
 *       rate could serve.
 *   <li>The error ratio is 5xx over all responses across the snapshots inside the error window
 *       (the current one included); the minimum RTT is the smallest interval median across the
 *       healthy snapshots (at most 10 % 5xx) inside the minimum-RTT window, so that fast
 *       failures during an outage do not pass for a fast backend.
 *   <li>A {@link CapacityEstimator} is fed every snapshot: the interval's served tokens per
 *       second, the tokens admitted per second, and its median latency per token when healthy.
 * </ol>
 */
public final class SignalCollector {

  private static final String DEFAULT_TIER = "default";

  private final Recorder latency = new Recorder(2);
  private final LongAdder admitted = new LongAdder();
  private final LongAdder denied = new LongAdder();
  private final LongAdder admittedCost = new LongAdder();
  private final LongAdder demandCost = new LongAdder();
  private final LongAdder status2xx = new LongAdder();
  private final LongAdder status4xx = new LongAdder();
  private final LongAdder status5xx = new LongAdder();
  private final LongAdder timeouts = new LongAdder();
  private final LongAdder completedCost = new LongAdder();
  /** Σ c² over the served responses, for {@link Signals#costSpread}. */
  private final LongAdder completedCostSquares = new LongAdder();
  private final LongAdder respondedCost = new LongAdder();
  private final ConcurrentHashMap<String, LongAdder> tierDemand = new ConcurrentHashMap<>();
  /** Per-client demand of the heaviest clients, or {@code null} when not tracked. */
  private volatile ClientDemand clients;

  private final long errorWindowNanos;
  private final long minRttWindowNanos;
  /** Per snapshot: {time, responses, 5xx}. */
  private final ArrayDeque<long[]> errorHistory = new ArrayDeque<>();
  /** Per snapshot with responses: {time, median in micros}. */
  private final ArrayDeque<long[]> rttHistory = new ArrayDeque<>();
  private final CapacityEstimator estimator;
  private Histogram recycled;
  private long lastSnapshotNanos;
  private double previousP95 = Double.NaN;

  private SignalCollector(Duration errorWindow, Duration minRttWindow, CapacityEstimator estimator, long startNanos) {
    this.errorWindowNanos = Check.positive("adaptive.error-backoff.window", errorWindow).toNanos();
    this.minRttWindowNanos = Check.positive("adaptive.gradient.min-rtt-window", minRttWindow).toNanos();
    this.estimator = estimator;
    this.lastSnapshotNanos = startNanos;
  }

  /**
   * Returns a collector whose first interval starts at {@code startNanos}, with the capacity
   * estimator's default windows.
   *
   * @param errorWindow the sliding window of the error ratio
   * @param minRttWindow the window of the minimum RTT
   */
  public static SignalCollector create(Duration errorWindow, Duration minRttWindow, long startNanos) {
    return new SignalCollector(errorWindow, minRttWindow, CapacityController.DEFAULTS.estimator(), startNanos);
  }

  /** Returns a collector with the windows {@code settings} asks for. */
  public static SignalCollector create(AdaptiveSettings settings, long startNanos) {
    return new SignalCollector(settings.errorBackoff().window(), settings.gradient().minRttWindow(),
        settings.capacity().estimator(), startNanos);
  }

  /**
   * Records one limiter decision of {@code cost} tokens in {@code tier} ({@code null}: default),
   * without knowing which level denied it: a denial counts as demand.
   */
  public void recordDecision(String tier, boolean allowed, int cost) {
    recordDecision(tier, allowed, cost, null);
  }

  /**
   * Records one limiter decision of {@code cost} tokens in {@code tier} ({@code null}: default).
   *
   * @param deniedBy the level that denied it ({@link dev.sluice.core.Decision#deniedBy()}), or
   *     {@code null} when admitted or unknown; a denial by {@link Level#CLIENT} is not demand
   */
  public void recordDecision(String tier, boolean allowed, int cost, Level deniedBy) {
    if (allowed) {
      admitted.increment();
      admittedCost.add(cost);
    } else {
      denied.increment();
      if (deniedBy == Level.CLIENT) {
        return;
      }
    }
    demandCost.add(cost);
    tierDemand.computeIfAbsent(tier == null ? DEFAULT_TIER : tier, k -> new LongAdder()).add(cost);
  }

  /** How many of the interval's heaviest clients {@link Signals#clientDemand()} reports at most. */
  public static final int CLIENTS_REPORTED = 256;

  /**
   * Starts tracking the demand of the heaviest clients ({@link ClientDemand}), which {@link
   * #recordClient} feeds and {@link Signals#clientDemand()} reports; the predictive controller's
   * heavy-client rates need it. Idempotent.
   */
  public synchronized void trackClients() {
    if (clients == null) {
      clients = new ClientDemand();
    }
  }

  /** Returns whether {@link #trackClients} was called, so callers may skip {@link #recordClient}. */
  public boolean tracksClients() {
    return clients != null;
  }

  /**
   * Records that client {@code key} of {@code tier} ({@code null}: default) asked for {@code cost}
   * tokens, whatever the decision; a no-op unless clients are tracked. Allocation-free.
   */
  public void recordClient(String tier, String key, int cost) {
    ClientDemand c = clients;
    if (c != null && key != null) {
      c.add(tier == null ? DEFAULT_TIER : tier, key, cost);
    }
  }

  /** Records one upstream response of a request of cost 1; see {@link #recordResponse(long, int, int)}. */
  public void recordResponse(long latencyNanos, int status) {
    recordResponse(latencyNanos, status, 1);
  }

  /**
   * Records one upstream response: its latency, HTTP status (a timeout is a 504) and the cost of
   * the request it answers. The latency is recorded per token ({@code latency / cost}); a
   * response below 500 adds its cost to the tokens the backend served.
   */
  public void recordResponse(long latencyNanos, int status, int cost) {
    int c = Math.max(1, cost);
    latency.recordValue(Math.max(1, latencyNanos / 1_000 / c));
    respondedCost.add(c);
    if (status >= 500) {
      status5xx.increment();
      if (status == 504) {
        timeouts.increment();
      }
    } else {
      completedCost.add(c);
      completedCostSquares.add((long) c * c);
      if (status >= 400) {
        status4xx.increment();
      } else {
        status2xx.increment();
      }
    }
  }

  /**
   * Closes the interval that ends at {@code nowNanos} and returns its signals; {@code levels}
   * supplies the tokens in each aggregate bucket ({@link AggregateLevels#NONE} when unknown).
   */
  public synchronized Signals snapshot(long nowNanos, AggregateLevels levels) {
    long interval = Math.max(1, nowNanos - lastSnapshotNanos);
    lastSnapshotNanos = nowNanos;
    Histogram h = latency.getIntervalHistogram(recycled);
    recycled = h;
    long responses = h.getTotalCount();
    double p50 = responses == 0 ? Double.NaN : h.getValueAtPercentile(50) / 1_000.0;
    double p95 = responses == 0 ? Double.NaN : h.getValueAtPercentile(95) / 1_000.0;
    double p99 = responses == 0 ? Double.NaN : h.getValueAtPercentile(99) / 1_000.0;
    long ok = status2xx.sumThenReset();
    long client = status4xx.sumThenReset();
    long server = status5xx.sumThenReset();

    errorHistory.addLast(new long[] {nowNanos, ok + client + server, server});
    while (!errorHistory.isEmpty() && errorHistory.peekFirst()[0] <= nowNanos - errorWindowNanos) {
      errorHistory.removeFirst();
    }
    long windowResponses = 0;
    long windowErrors = 0;
    for (long[] e : errorHistory) {
      windowResponses += e[1];
      windowErrors += e[2];
    }
    boolean healthy = responses > 0 && server * 10 <= responses;
    if (healthy) {
      rttHistory.addLast(new long[] {nowNanos, h.getValueAtPercentile(50)});
    }
    while (!rttHistory.isEmpty() && rttHistory.peekFirst()[0] <= nowNanos - minRttWindowNanos) {
      rttHistory.removeFirst();
    }
    long minRtt = Long.MAX_VALUE;
    for (long[] r : rttHistory) {
      minRtt = Math.min(minRtt, r[1]);
    }

    Map<String, Long> demand = new LinkedHashMap<>();
    for (Map.Entry<String, LongAdder> e : tierDemand.entrySet()) {
      demand.put(e.getKey(), e.getValue().sumThenReset());
    }
    Map<String, Long> tokens = new LinkedHashMap<>();
    for (Map.Entry<String, LevelState> e : levels.tiers().entrySet()) {
      tokens.put(e.getKey(), e.getValue().tokens());
    }
    if (levels.global() != null) {
      tokens.put("global", levels.global().tokens());
    }
    long admittedTokens = admittedCost.sumThenReset();
    long completed = completedCost.sumThenReset();
    long squares = completedCostSquares.sumThenReset();
    long responded = respondedCost.sumThenReset();
    estimator.update(nowNanos, interval, completed * 1e9 / interval, admittedTokens * 1e9 / interval,
        healthy ? p50 : Double.NaN);
    Signals s = new Signals(nowNanos, interval, admitted.sumThenReset(), denied.sumThenReset(),
        admittedTokens, demandCost.sumThenReset(), responses, ok, client, server,
        p50, p95, p99, previousP95, minRtt == Long.MAX_VALUE ? Double.NaN : minRtt / 1_000.0,
        windowResponses == 0 ? 0 : (double) windowErrors / windowResponses, windowResponses, tokens, demand,
        timeouts.sumThenReset(), completed, responded, estimator.deliveryRate(), estimator.baseRttMillis(),
        completed == 0 ? 1 : Math.max(1, (double) squares / completed),
        clients == null ? Map.of() : clients.drain(CLIENTS_REPORTED));
    previousP95 = p95;
    return s;
  }
}
