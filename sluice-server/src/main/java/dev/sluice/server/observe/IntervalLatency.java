package dev.sluice.server.observe;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Upstream latencies of the current interval, for the live dashboard: many writers (request
 * threads, wait-free through an HdrHistogram {@link Recorder}), one reader that closes the interval
 * ({@link #interval}). Values are microseconds, clamped to one hour, 2 significant digits.
 */
public final class IntervalLatency {

  private static final long MAX_MICROS = 3_600_000_000L;

  /**
   * One closed interval.
   *
   * @param count responses recorded in it
   * @param p50Millis median latency, {@code NaN} without a response
   * @param p95Millis 95th percentile
   * @param p99Millis 99th percentile
   */
  public record Percentiles(long count, double p50Millis, double p95Millis, double p99Millis) {}

  private final Recorder recorder = new Recorder(MAX_MICROS, 2);
  private Histogram recycled;

  /** Records one latency; wait-free and allocation-free. */
  public void record(long nanos) {
    recorder.recordValue(Math.max(0, Math.min(MAX_MICROS, nanos / 1_000)));
  }

  /** Closes the interval and returns its percentiles; one reader at a time (synchronized). */
  public synchronized Percentiles interval() {
    Histogram h = recorder.getIntervalHistogram(recycled);
    recycled = h;
    long n = h.getTotalCount();
    if (n == 0) {
      return new Percentiles(0, Double.NaN, Double.NaN, Double.NaN);
    }
    return new Percentiles(n, h.getValueAtPercentile(50) / 1e3, h.getValueAtPercentile(95) / 1e3,
        h.getValueAtPercentile(99) / 1e3);
  }
}
