package dev.sluice.adaptive;

import java.time.Duration;

/**
 * A capacity-estimating controller after BBR: it reads the backend's delivery rate (completed
 * tokens per second) and base RTT (latency per token without a queue) from the {@link
 * CapacityEstimator} in the signals, and takes queueing delay — the interval's median latency per
 * token above the base RTT — as its congestion signal, never an absolute latency. With {@code d}
 * the tokens served per second in the interval, {@code D} the estimator's delivery rate (the
 * window's largest {@code d}), {@code B} the base RTT, {@code q} the queueing delay, {@code a} the
 * admitted rate and {@code r} the rate in force:
 *
 * <ul>
 *   <li><b>Timeouts</b> (at least {@value #TIMEOUT_RATIO} of the responses): the queue has grown
 *       past the deadline. If the interval already drained it fast (admitted tokens at least {@code
 *       maxCut / 2} below the answered ones), the timeouts are the old queue's and it holds {@code
 *       r}; otherwise it cuts: {@code min(r, a) * (1 - maxCut)}. (The served rate is no guide here:
 *       work on requests that time out is done but never seen.)
 *   <li><b>Draining</b> (saturated, but the interval admitted at least {@code maxCut / 2} fewer
 *       tokens than were answered): the queue is already shrinking by itself — the latency is a
 *       past burst's — so it holds {@code r} and the concurrency limit. (Measured on the NASA
 *       replay, whose arrivals come in whole-second lumps: the second after a lump, with no
 *       arrivals, still answers the lump's tail at twice the base RTT; cutting on it set the level
 *       to 9 tokens and refused the next lump, 9.2 % compliant 429s below capacity and 0.89 of the
 *       oracle; holding gives 0.3 % and 1.00.)
 *   <li><b>Saturated</b> ({@code q} above the tolerated delay {@code target * B} plus three
 *       standard errors of the interval's median, so that sampling noise in a small interval is no
 *       queue): the backend serves {@code d} and holds about {@code d * q} tokens of queue (Little's
 *       law). It proposes the rate that serves at {@code d} and drains the excess queue over {@code
 *       drainTime}: {@code min(r, d * (1 - (q - tolerated) / drainTime))}, cut at most by {@code
 *       maxCut}. It never proposes more than the backend now delivers, so a rate above capacity
 *       comes down to it in one step.
 *   <li><b>Not saturated</b>: the backend keeps up, so the rate is free to grow: {@code max(r, D) *
 *       gain}. The composition's ramp limit and demand gate bound each step.
 * </ul>
 *
 * <p>It abstains with fewer than {@code minResponses} responses, before the first base RTT, and in
 * an interval where more than a tenth of the responses were errors other than timeouts: fast
 * failures say nothing about capacity (error backoff is the controller for them).
 *
 * <p>It also computes a <b>concurrency limit</b> ({@link #concurrencyLimit}): the tokens in flight
 * the backend needs to serve its delivery rate at the base RTT, times {@code gain}, plus {@code
 * floor} — Little's law with headroom. The control loop applies it to the global concurrency level
 * when the operator configured one ({@link ControlLoop}).
 *
 * <p><b>Bounded probing.</b> While a concurrency level is in force, the queue cannot outgrow it: a
 * token rate above capacity admits at most the level's worth of extra work before the in-flight
 * bound refuses the rest. The rate then probes at {@code probeGain} per period instead of {@code
 * gain} ({@link #propose(double, Signals, long, boolean)}), and the loop lifts its ramp limit to
 * the same growth, so a backend that got its capacity back is found within seconds (S3 recovers
 * from 340 to 800 tokens/s in two steps instead of 33 s).
 *
 * <p>The sketch sets the token rate to {@code delivery * gain} while saturated. That is
 * BBR's pacing, which relies on its congestion window to bound the queue; with no concurrency
 * level applied, a rate above delivery grows the queue by {@code (gain - 1) * delivery} every
 * second, so here {@code gain} applies only while the backend keeps up and to the concurrency limit.
 *
 * @param period how often it runs (default 1 s, the default interval)
 * @param gain growth factor while not saturated and headroom of the concurrency limit, in [1, 2]
 *     (BBR's pacing gain while probing is 1.25; default 1.25)
 * @param target the queueing delay tolerated before the backend counts as saturated, as a fraction
 *     of the base RTT (default 0.1)
 * @param drainTime over how long an excess queue is to be drained (default 2 s)
 * @param maxCut the largest relative cut one proposal makes, in (0, 1) (default 0.5)
 * @param floor tokens added to the concurrency limit, so that a tiny estimate still admits
 *     something (default 5)
 * @param minResponses the fewest responses in an interval it judges (default 20)
 * @param deliveryWindow the delivery rate's window (default 10 s)
 * @param rttWindow the base RTT's window (default 10 s)
 * @param probe how long a throttle must leave the latency where it was before the base RTT is reset
 *     to it (default 3 s; see {@link CapacityEstimator})
 * @param probeGain growth factor per period while not saturated and a concurrency level bounds the
 *     queue, in [1, 4] (default 1.5)
 */
public record CapacityController(
    Duration period, double gain, double target, Duration drainTime, double maxCut, double floor,
    long minResponses, Duration deliveryWindow, Duration rttWindow, Duration probe, double probeGain) implements RateController {

  /** The share of timed-out responses at which the backend counts as saturated whatever the latency. */
  public static final double TIMEOUT_RATIO = 0.01;
  /** Standard errors of the interval's median that a queueing delay must exceed to count. */
  public static final double NOISE_Z = 3;

  /** Defaults: see the parameters. */
  public static final CapacityController DEFAULTS = new CapacityController(Duration.ofSeconds(1), 1.25, 0.1,
      Duration.ofSeconds(2), 0.5, 5, 20, Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(3), 1.5);

  /** Validates every parameter. */
  public CapacityController {
    String p = "adaptive.capacity.";
    Check.positive(p + "period", period);
    Check.range(p + "gain", gain, 1, 2, false, false);
    Check.range(p + "target", target, 0, 10, false, false);
    Check.positive(p + "drain-time", drainTime);
    Check.range(p + "max-cut", maxCut, 0, 1, true, true);
    Check.nonNegative(p + "floor", floor);
    Check.nonNegative(p + "min-responses", minResponses);
    Check.positive(p + "delivery-window", deliveryWindow);
    Check.positive(p + "rtt-window", rttWindow);
    Check.positive(p + "probe", probe);
    Check.range(p + "probe-gain", probeGain, 1, 4, false, false);
  }

  @Override
  public String name() {
    return "capacity";
  }

  /** Returns a fresh estimator with this controller's windows, for a {@link SignalCollector}. */
  public CapacityEstimator estimator() {
    return new CapacityEstimator(deliveryWindow, rttWindow, probe);
  }

  /** Returns whether the controller judges this interval at all (see the class comment). */
  public boolean judges(Signals s) {
    return s.responses() > 0 && s.responses() >= minResponses && s.baseRttMillis() > 0 && s.p50Millis() >= 0
        && (s.status5xx() - s.timeouts()) * 10 <= s.responses();
  }

  /**
   * Returns the queueing delay tolerated in this interval, ms per token: {@code target} times the
   * base RTT plus {@value #NOISE_Z} standard errors of the interval's median, estimated from its
   * own spread as {@code 1.2533 * ((p95 - p50) / 1.645) / sqrt(responses)}.
   */
  public double tolerated(Signals s) {
    double spread = s.p95Millis() > s.p50Millis() ? (s.p95Millis() - s.p50Millis()) / 1.645 : 0;
    return target * s.baseRttMillis() + NOISE_Z * 1.2533 * spread / Math.sqrt(Math.max(1, s.responses()));
  }

  /** Returns whether at least {@value #TIMEOUT_RATIO} of the interval's responses timed out. */
  public static boolean timingOut(Signals s) {
    return s.timeouts() > 0 && s.timeoutRatio() >= TIMEOUT_RATIO;
  }

  /** Returns whether the interval admitted at least {@code maxCut / 2} fewer tokens than were answered. */
  public boolean draining(Signals s) {
    return s.respondedCost() > 0 && s.admittedCost() <= (1 - maxCut / 2) * s.respondedCost();
  }

  /** Returns whether the backend is saturated in this interval: timeouts, or queueing delay above tolerance. */
  public boolean saturated(Signals s) {
    return timingOut(s) || s.queueingDelayMillis() > tolerated(s);
  }

  @Override
  public double propose(double currentRate, Signals s, long nowNanos) {
    return propose(currentRate, s, nowNanos, false);
  }

  /**
   * Returns the proposal as {@link #propose(double, Signals, long)}, growing by {@code probeGain}
   * instead of {@code gain} while not saturated when {@code bounded}: a concurrency level bounds
   * the queue (see the class comment).
   */
  public double propose(double currentRate, Signals s, long nowNanos, boolean bounded) {
    if (!judges(s)) {
      return ABSTAIN;
    }
    if (timingOut(s)) {
      return draining(s) ? currentRate : Math.min(currentRate, s.admittedRate()) * (1 - maxCut);
    }
    double served = s.completedRate();
    if (saturated(s)) {
      if (draining(s)) {
        return currentRate;
      }
      double excess = s.queueingDelayMillis() - tolerated(s);
      double factor = Math.max(1 - maxCut, 1 - excess / drainTime.toNanos() * 1e6);
      return Math.min(currentRate, served * factor);
    }
    double delivery = s.deliveryRate() >= 0 ? Math.max(s.deliveryRate(), served) : served;
    return Math.max(currentRate, delivery) * (bounded ? probeGain : gain);
  }

  /**
   * Returns the concurrency limit in tokens: {@code delivery * B * gain + floor}, where delivery is
   * the interval's served rate while saturated (the window's largest would be stale after the
   * backend lost capacity) and the estimator's delivery rate otherwise; {@code NaN} when the
   * controller does not judge the interval.
   */
  public double concurrencyLimit(Signals s) {
    return concurrencyLimit(0, s);
  }

  /**
   * Returns the concurrency limit in tokens with token rate {@code rate} in force: as {@link
   * #concurrencyLimit(Signals)}, but while the backend is not saturated the rate counts as
   * delivery when it is larger ({@code max(rate, delivery) * B * gain + floor}), as in {@link
   * #propose}: an applied concurrency level then leaves room for what the token rate admits, so
   * Poisson bursts below capacity are not denied for want of in-flight room. While saturated the
   * served rate alone counts, as before.
   */
  public double concurrencyLimit(double rate, Signals s) {
    if (!judges(s)) {
      return Double.NaN;
    }
    double served = s.completedRate();
    boolean saturated = saturated(s);
    if (saturated && draining(s)) {
      return Double.NaN;
    }
    double delivery = saturated || !(s.deliveryRate() >= 0) ? served : Math.max(s.deliveryRate(), served);
    if (!saturated) {
      delivery = Math.max(delivery, rate);
    }
    // Little's law in tokens: a request of cost c is in flight c per-token RTTs, so the cost in
    // flight is delivery × per-token RTT × the cost-weighted mean cost (1 when every cost is 1).
    return delivery * s.baseRttMillis() / 1_000 * s.costSpread() * gain + floor;
  }
}
