package dev.sluice.server;

import dev.sluice.core.Clock;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * What the edge has seen of the upstream: latencies and status classes, from proxied requests and
 * from {@code POST /v1/feedback}, read in intervals by a control loop. Many writers, one reader.
 *
 * <ol>
 *   <li>{@link #record} is wait-free for writers and does not allocate (an HdrHistogram {@link
 *       Recorder} plus one {@link LongAdder} per status class).
 *   <li>{@link #takeInterval} returns everything recorded since the previous call and starts a new
 *       interval; calls are serialised, so concurrent readers each get disjoint intervals.
 *   <li>A sample recorded while an interval is being taken lands in exactly one interval.
 * </ol>
 */
public final class UpstreamSignals {

  private static final long NANOS_PER_MICRO = 1_000L;

  private final Clock clock;
  private final Recorder latencyMicros = new Recorder(3);
  private final LongAdder[] byClass = new LongAdder[6];
  private Histogram spare;
  private long intervalStart;

  /** Creates empty signals whose intervals are timed on {@code clock}. */
  public UpstreamSignals(Clock clock) {
    if (clock == null) {
      throw new IllegalArgumentException("clock: null (expected: a clock)");
    }
    this.clock = clock;
    for (int i = 0; i < byClass.length; i++) {
      byClass[i] = new LongAdder();
    }
    this.intervalStart = clock.nanoTime();
  }

  /**
   * Records one upstream response.
   *
   * @param latencyNanos how long the upstream took, or a negative value when no latency was
   *     measured (the request never reached it); only the status is counted then
   * @param status the HTTP status the upstream answered (or 502/504 that the edge answered for it)
   */
  public void record(long latencyNanos, int status) {
    if (latencyNanos >= 0) {
      latencyMicros.recordValue(Math.max(0, latencyNanos / NANOS_PER_MICRO));
    }
    int c = status / 100;
    byClass[c >= 1 && c <= 5 ? c : 0].increment();
  }

  /** Returns the signals since the previous call (or since creation) and starts a new interval. */
  public synchronized Interval takeInterval() {
    long now = clock.nanoTime();
    Histogram h = latencyMicros.getIntervalHistogram(spare);
    spare = h;
    long[] counts = new long[6];
    for (int i = 0; i < counts.length; i++) {
      counts[i] = byClass[i].sumThenReset();
    }
    Interval interval = new Interval(intervalStart, now, h.getTotalCount(),
        millis(h, 50), millis(h, 95), millis(h, 99), h.getTotalCount() == 0 ? 0 : h.getMaxValue() / 1000.0,
        counts[2], counts[3], counts[4], counts[5], counts[0] + counts[1]);
    intervalStart = now;
    return interval;
  }

  private static double millis(Histogram h, double percentile) {
    return h.getTotalCount() == 0 ? 0 : h.getValueAtPercentile(percentile) / 1000.0;
  }

  /**
   * The upstream's behaviour over one interval.
   *
   * @param startNanos the interval's start on the server's clock
   * @param endNanos its end
   * @param latencySamples how many latencies were recorded
   * @param p50Millis median latency in milliseconds (0 without samples)
   * @param p95Millis 95th percentile latency
   * @param p99Millis 99th percentile latency
   * @param maxMillis largest latency
   * @param status2xx responses with a 2xx status
   * @param status3xx responses with a 3xx status
   * @param status4xx responses with a 4xx status
   * @param status5xx responses with a 5xx status, including the edge's own 502 and 504
   * @param statusOther responses with any other status
   */
  public record Interval(long startNanos, long endNanos, long latencySamples, double p50Millis,
      double p95Millis, double p99Millis, double maxMillis, long status2xx, long status3xx,
      long status4xx, long status5xx, long statusOther) {

    /** Returns how many responses the interval counted. */
    public long responses() {
      return status2xx + status3xx + status4xx + status5xx + statusOther;
    }

    /** Returns the fraction of responses with a 5xx status (0 without responses). */
    public double errorRate() {
      long n = responses();
      return n == 0 ? 0 : (double) status5xx / n;
    }
  }
}
