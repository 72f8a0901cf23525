package dev.sluice.adaptive;

import java.time.Duration;
import java.util.ArrayDeque;

/**
 * Estimates a backend's capacity the way BBR estimates a network path, from one sample per control
 * interval: the <b>delivery rate</b> is the largest per-interval rate of served tokens (completed
 * tokens per second) over the delivery window, and the <b>base RTT</b> is the smallest interval
 * median latency per token seen since it was last reset. Not thread-safe: {@link
 * SignalCollector#snapshot} feeds it under its lock; tests feed it synthetic series directly.
 *
 * <p><b>Why the base RTT does not simply expire.</b> BBR's minimum expires after 10 s. Under a
 * concurrency level, a standing queue as deep as the level can hold every sample of such a window
 * above the backend's own latency; an expiring minimum then rises to the queue's latency, the
 * queue stops counting as queueing delay, and nothing drains it (measured in S3: the base RTT
 * crept from 130 to 290 ms per token and goodput fell to 0.92 of the oracle). So a sample lowers
 * the base RTT at once, but only evidence that the latency is the backend's own raises it:
 *
 * <ul>
 *   <li><b>Re-probe.</b> A windowed minimum cannot tell a slower backend from a queue: both raise
 *       latency. BBR's ProbeRTT drains the queue for a moment so that the next sample is clean. The
 *       control loop throttles whenever queueing delay rises, so the estimator watches those
 *       throttles instead of forcing its own: a queue shrinks when fewer tokens are in flight, and
 *       its latency falls with it; a slower backend's does not. When, over the last {@code probe},
 *       every interval was healthy, the tokens in flight (served rate × latency, Little's law) fell
 *       by at least {@value #PROBE_THROTTLE} (mean of the run's last third against its first
 *       third, so that the sampling noise of short intervals is no throttle), the mean latency
 *       stayed within {@value #PROBE_BAND} of where it was, no sample rose more than {@value
 *       #PROBE_BAND} above it, and every sample sat more than {@value #PROBE_MARGIN} above the base
 *       RTT, that latency is the backend's own: the base RTT is reset to the smallest of those
 *       samples. The rise matters because a throttle is not the only thing that lowers the tokens
 *       in flight at a flat latency: when a backend loses capacity under a concurrency level, the
 *       queue sized for the old capacity drains at the new, slower rate (the latency rises), the
 *       loop cuts the level with the served rate, and the level's own headroom then holds as long a
 *       queue in time as before with proportionally fewer tokens in flight. Compared end to end the
 *       run looks like a flat throttle and would reset the base RTT to a queue's latency; the rise
 *       in between tells them apart (measured on a 24-worker pool halving to 12 behind 48
 *       closed-loop clients: the base RTT went from 109 to 180 ms and the level settled at 32
 *       instead of 21).
 *   <li><b>Slack.</b> A queue needs more work in flight than the backend serves at once. When two
 *       consecutive intervals hold at most {@value #SLACK} of the most tokens in flight seen
 *       without queueing delay over the RTT window, and both sit more than {@value #PROBE_MARGIN}
 *       above the base RTT, there is no queue to explain the latency: the base RTT is reset to the
 *       smaller sample. This catches the spiral a stale base RTT starts (a level sized with it
 *       admits less, the backend serves less, the next level is smaller) within two seconds.
 *   <li><b>Fallback.</b> When no sample has come within {@value #PROBE_MARGIN} of the base RTT for
 *       {@value #STALE_WINDOWS} RTT windows, the base RTT is the smallest sample of the last RTT
 *       window, as in BBR: a bound on how long a wrong estimate can last if neither rule fires.
 * </ul>
 *
 * <p>Samples expire from their windows; with no sample (an idle or failing backend) the last base
 * RTT is kept until a new sample arrives.
 */
public final class CapacityEstimator {

  /** A probe needs the tokens in flight to have fallen by at least this fraction over its time. */
  public static final double PROBE_THROTTLE = 0.2;
  /** A probe needs the latency to have stayed within this fraction of its first sample. */
  public static final double PROBE_BAND = 0.1;
  /** A reset needs every sample this fraction above the base RTT; closer samples count as clean. */
  public static final double PROBE_MARGIN = 0.1;
  /** Slack: tokens in flight at most this fraction of the most seen without queueing delay. */
  public static final double SLACK = 0.5;
  /** Fallback: RTT windows without a clean sample after which the window's minimum is taken. */
  public static final int STALE_WINDOWS = 3;

  private final long deliveryWindowNanos;
  private final long rttWindowNanos;
  private final long probeNanos;
  /** Completed tokens per second, per interval. */
  private final ArrayDeque<Sample> deliveries = new ArrayDeque<>();
  /** Median latency per token, per healthy interval with responses, over the RTT window. */
  private final ArrayDeque<Sample> rtts = new ArrayDeque<>();
  /** Tokens in flight of the clean intervals (latency near the base RTT) over the RTT window. */
  private final ArrayDeque<Sample> clean = new ArrayDeque<>();
  /** Median latency per token of the current run of healthy intervals, with their tokens in flight. */
  private final ArrayDeque<Sample> run = new ArrayDeque<>();
  private double baseRtt = Double.NaN;
  private long lastCleanNanos;
  /** The previous interval's latency if it was slack (see the class comment), else 0. */
  private double slackRtt;
  private long resets;

  /**
   * Returns an estimator.
   *
   * @param deliveryWindow how far back the delivery rate's maximum looks (BBR: 10 round trips;
   *     default 10 s)
   * @param rttWindow how far back the slack rule remembers the tokens in flight without a queue, and
   *     the fallback's window (BBR: 10 s)
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
   * @param admittedRate tokens per second admitted in it (kept for callers; the rules above use
   *     tokens in flight)
   * @param rttMillis its median latency per token, or {@code NaN} when it had no responses or too
   *     many errors to be a sample
   */
  public void update(long nowNanos, long intervalNanos, double completedRate, double admittedRate,
      double rttMillis) {
    deliveries.addLast(new Sample(nowNanos, intervalNanos, Math.max(0, completedRate)));
    expire(deliveries, nowNanos - deliveryWindowNanos);
    expire(rtts, nowNanos - rttWindowNanos);
    expire(clean, nowNanos - rttWindowNanos);
    if (!(rttMillis > 0)) {
      run.clear();
      slackRtt = 0;
      return;
    }
    double inFlight = Math.max(0, completedRate) * rttMillis / 1_000;
    rtts.addLast(new Sample(nowNanos, intervalNanos, rttMillis));
    if (Double.isNaN(baseRtt) || rttMillis < baseRtt) {
      baseRtt = rttMillis;
    }
    boolean elevated = rttMillis > baseRtt * (1 + PROBE_MARGIN);
    if (!elevated) {
      lastCleanNanos = nowNanos;
      clean.addLast(new Sample(nowNanos, intervalNanos, inFlight));
      run.addLast(new Sample(nowNanos, intervalNanos, rttMillis, inFlight));
      slackRtt = 0;
      probe(nowNanos);
      return;
    }
    double cleanMax = max(clean);
    boolean slack = cleanMax > 0 && inFlight <= SLACK * cleanMax;
    if (slack && slackRtt > 0) {
      reset(nowNanos, Math.min(slackRtt, rttMillis));
      return;
    }
    slackRtt = slack ? rttMillis : 0;
    if (nowNanos - lastCleanNanos >= STALE_WINDOWS * rttWindowNanos) {
      reset(nowNanos, min(rtts));
      return;
    }
    run.addLast(new Sample(nowNanos, intervalNanos, rttMillis, inFlight));
    probe(nowNanos);
  }

  private void reset(long nowNanos, double rtt) {
    baseRtt = rtt;
    resets++;
    lastCleanNanos = nowNanos;
    run.clear();
    clean.clear();
    slackRtt = 0;
  }

  private static void expire(ArrayDeque<Sample> q, long before) {
    while (!q.isEmpty() && q.peekFirst().end() <= before) {
      q.removeFirst();
    }
  }

  /** Resets the base RTT when the last {@code probe} of throttling left the latency where it was. */
  private void probe(long nowNanos) {
    // Keep the shortest run of recent healthy intervals that still spans the probe time.
    while (run.size() > 1 && nowNanos - second(run).start() >= probeNanos) {
      run.removeFirst();
    }
    if (nowNanos - run.peekFirst().start() < probeNanos) {
      return;
    }
    // First and last thirds of the run (one interval each when the run holds three or fewer), so
    // that the sampling noise of short intervals (a few dozen responses) is no throttle.
    int third = Math.max(1, run.size() / 3);
    double[] first = means(run.iterator(), third);
    double[] last = means(run.descendingIterator(), third);
    if (!(last[1] <= (1 - PROBE_THROTTLE) * first[1]) || !(Math.abs(last[0] / first[0] - 1) <= PROBE_BAND)) {
      return;
    }
    for (Sample s : run) {
      // Above the band anywhere in the run: a capacity loss under a queue, not a flat throttle (see
      // the class comment).
      if (!(s.value() > baseRtt * (1 + PROBE_MARGIN)) || s.value() > first[0] * (1 + PROBE_BAND)) {
        return;
      }
    }
    reset(nowNanos, min(run));
  }

  /** Returns the mean latency and tokens in flight of the first {@code n} samples of {@code it}. */
  private static double[] means(java.util.Iterator<Sample> it, int n) {
    double rtt = 0;
    double inFlight = 0;
    for (int i = 0; i < n; i++) {
      Sample s = it.next();
      rtt += s.value();
      inFlight += s.inFlight();
    }
    return new double[] {rtt / n, inFlight / n};
  }

  private static Sample second(ArrayDeque<Sample> q) {
    var it = q.iterator();
    it.next();
    return it.next();
  }

  private static double max(Iterable<Sample> samples) {
    double max = 0;
    for (Sample s : samples) {
      max = Math.max(max, s.value());
    }
    return max;
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
   * One interval's value: it ended at {@code end}, lasted {@code length} nanoseconds and had
   * {@code inFlight} tokens in flight on average (served rate × latency).
   */
  private record Sample(long end, long length, double value, double inFlight) {
    Sample(long end, long length, double value) {
      this(end, length, value, 0);
    }

    long start() {
      return end - length;
    }
  }
}
