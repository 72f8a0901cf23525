package dev.sluice.adaptive;

import java.time.Duration;
import java.util.ArrayDeque;

/**
 * Estimates a backend's capacity the way BBR estimates a network path, from one sample per control
 * interval: the <b>delivery rate</b> is the largest per-interval rate of served tokens (completed
 * tokens per second) over the delivery window, and the <b>base RTT</b> is the smallest interval
 * median latency per token over the RTT window. Not thread-safe: {@link SignalCollector#snapshot}
 * feeds it under its lock; tests feed it synthetic series directly.
 *
 * <p><b>Re-probe.</b> A windowed minimum cannot tell a slower backend from a queue: both raise
 * latency. BBR's ProbeRTT drains the queue for a moment so that the next sample is clean. The
 * control loop throttles whenever queueing delay rises (the {@link CapacityController} proposes less
 * than the backend delivers), so the estimator watches those throttles instead of forcing its own:
 * a queue shrinks when fewer tokens are admitted, and its latency falls with it; a slower backend's
 * does not. When, over the last {@code probe}, every interval was healthy, the admitted rate fell by
 * at least {@value #PROBE_THROTTLE} (last interval against first), the latency stayed within
 * {@value #PROBE_BAND} of where it was, and every sample sat more than {@value #PROBE_MARGIN} above
 * the base RTT, that latency is the backend's own: the base RTT is reset to the smallest of those
 * samples and the older ones are forgotten. A slower backend is so recognised after about {@code
 * probe} of throttling instead of a whole RTT window.
 *
 * <p>Samples expire from their windows; when the RTT window holds no sample (an idle or failing
 * backend) the last base RTT is kept until a new sample arrives.
 */
public final class CapacityEstimator {

  /** A probe needs the admitted rate to have fallen by at least this fraction over its time. */
  public static final double PROBE_THROTTLE = 0.05;
  /** A probe needs the latency to have stayed within this fraction of its first sample. */
  public static final double PROBE_BAND = 0.1;
  /** A probe resets the base RTT only when every sample is this fraction above it. */
  public static final double PROBE_MARGIN = 0.1;

  private final long deliveryWindowNanos;
  private final long rttWindowNanos;
  private final long probeNanos;
  /** Completed tokens per second, per interval. */
  private final ArrayDeque<Sample> deliveries = new ArrayDeque<>();
  /** Median latency per token, per healthy interval with responses. */
  private final ArrayDeque<Sample> rtts = new ArrayDeque<>();
  /** Median latency per token of the current run of healthy intervals, with their admitted rates. */
  private final ArrayDeque<Sample> run = new ArrayDeque<>();
  private double baseRtt = Double.NaN;
  private long resets;

  /**
   * Returns an estimator.
   *
   * @param deliveryWindow how far back the delivery rate's maximum looks (BBR: 10 round trips;
   *     default 10 s)
   * @param rttWindow how far back the base RTT's minimum looks (BBR: 10 s)
   * @param probe how long a throttle must leave the latency where it was before the base RTT is reset
   */
  public CapacityEstimator(Duration deliveryWindow, Duration rttWindow, Duration probe) {
    this.deliveryWindowNanos = Check.positive("adaptive.capacity.delivery-window", deliveryWindow).toNanos();
    this.rttWindowNanos = Check.positive("adaptive.capacity.rtt-window", rttWindow).toNanos();
    this.probeNanos = Check.positive("adaptive.capacity.probe", probe).toNanos();
  }

  /**
   * Feeds one interval.
   *
   * @param nowNanos when the interval ended
   * @param intervalNanos its length
   * @param completedRate tokens per second the backend served in it
   * @param admittedRate tokens per second admitted in it
   * @param rttMillis its median latency per token, or {@code NaN} when it had no responses or too
   *     many errors to be a sample
   */
  public void update(long nowNanos, long intervalNanos, double completedRate, double admittedRate,
      double rttMillis) {
    deliveries.addLast(new Sample(nowNanos, intervalNanos, Math.max(0, completedRate), 0));
    while (deliveries.peekFirst().end() <= nowNanos - deliveryWindowNanos) {
      deliveries.removeFirst();
    }
    boolean sample = rttMillis > 0;
    if (sample) {
      rtts.addLast(new Sample(nowNanos, intervalNanos, rttMillis, admittedRate));
    }
    while (!rtts.isEmpty() && rtts.peekFirst().end() <= nowNanos - rttWindowNanos) {
      rtts.removeFirst();
    }
    if (!rtts.isEmpty()) {
      baseRtt = min(rtts);
    }
    if (sample) {
      run.addLast(new Sample(nowNanos, intervalNanos, rttMillis, admittedRate));
      probe(nowNanos);
    } else {
      run.clear();
    }
  }

  /** Resets the base RTT when the last {@code probe} of throttling left the latency where it was. */
  private void probe(long nowNanos) {
    // Keep the shortest run of recent healthy intervals that still spans the probe time.
    while (run.size() > 1 && nowNanos - second(run).start() >= probeNanos) {
      run.removeFirst();
    }
    Sample first = run.peekFirst();
    Sample last = run.peekLast();
    if (nowNanos - first.start() < probeNanos || !(last.admitted() <= (1 - PROBE_THROTTLE) * first.admitted())
        || !(Math.abs(last.value() / first.value() - 1) <= PROBE_BAND)) {
      return;
    }
    for (Sample s : run) {
      if (!(s.value() > baseRtt * (1 + PROBE_MARGIN))) {
        return;
      }
    }
    rtts.clear();
    rtts.addAll(run);
    baseRtt = min(run);
    resets++;
    run.clear();
  }

  private static Sample second(ArrayDeque<Sample> q) {
    var it = q.iterator();
    it.next();
    return it.next();
  }

  private static double min(Iterable<Sample> samples) {
    double min = Double.POSITIVE_INFINITY;
    for (Sample s : samples) {
      min = Math.min(min, s.value());
    }
    return min;
  }

  /** Returns the delivery rate, tokens per second: the window's largest; {@code NaN} before any interval. */
  public double deliveryRate() {
    double max = Double.NaN;
    for (Sample d : deliveries) {
      max = Double.isNaN(max) ? d.value() : Math.max(max, d.value());
    }
    return max;
  }

  /** Returns the base RTT per token in milliseconds; {@code NaN} before the first sample. */
  public double baseRttMillis() {
    return baseRtt;
  }

  /** Returns how many times a probe reset the base RTT. */
  public long resets() {
    return resets;
  }

  /**
   * One interval's value: it ended at {@code end}, lasted {@code length} nanoseconds and admitted
   * {@code admitted} tokens per second.
   */
  private record Sample(long end, long length, double value, double admitted) {
    long start() {
      return end - length;
    }
  }
}
