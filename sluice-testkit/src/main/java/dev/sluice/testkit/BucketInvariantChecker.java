package dev.sluice.testkit;

import dev.sluice.core.Limit;

/**
 * Checks that one bucket never admits more than it may: over every window [t1, t2], admitted cost
 * is at most {@code B(t1) + ∫ r(t) dt + Σ max(0, ΔB)} — the burst in force at the window's start,
 * the tokens the rate in force at each instant adds, and any burst increases made inside the
 * window (a limit change applies from its instant on). Not thread-safe: feed events in time
 * order; concurrent tests record events per thread and merge them by timestamp first.
 *
 * <p>Every window is checked in O(1) per event: with C(t) the admitted cost and P(t) the token
 * allowance accumulated up to t, the bound is {@code C(t2) - C(t1-) <= B(t1) + P(t2) - P(t1)}, so
 * it suffices to keep the minimum over past events of {@code C(t1-) - P(t1) + B(t1)}.
 */
public final class BucketInvariantChecker {

  private final String name;
  private double ratePerNano;
  private long burst;
  private long lastTime;
  private double allowance;
  private long admitted;
  private long events;
  private double minStart;
  private double slack;

  /** Starts checking a bucket named {@code name} with {@code initial} at {@code startNanos}. */
  public BucketInvariantChecker(String name, Limit initial, long startNanos) {
    this.name = name;
    this.burst = initial.burst();
    this.ratePerNano = ratePerNano(initial);
    this.lastTime = startNanos;
    this.minStart = burst;
  }

  /**
   * Lets the bound be exceeded by up to {@code tokens}, for histories whose instants are known only
   * within a span (see {@code ConcurrencyStressTest}); 0 unless set. Returns this checker.
   */
  public BucketInvariantChecker withSlack(double tokens) {
    if (tokens < 0) {
      throw new IllegalArgumentException("slack: " + tokens + " (expected: >= 0)");
    }
    this.slack = tokens;
    return this;
  }

  private static double ratePerNano(Limit limit) {
    return (double) limit.rate().tokens() / limit.rate().periodNanos();
  }

  private void advanceTo(long now) {
    if (now < lastTime) {
      throw new IllegalStateException(name + ": event at " + now + " before " + lastTime
          + " (expected: events in time order)");
    }
    allowance += ratePerNano * (double) (now - lastTime);
    lastTime = now;
  }

  private void windowMayStartHere() {
    minStart = Math.min(minStart, admitted - allowance + burst);
  }

  /** Records that the bucket's limit became {@code next} at {@code now}. */
  public void onLimitChange(long now, Limit next) {
    advanceTo(now);
    allowance += Math.max(0, next.burst() - burst);
    burst = next.burst();
    ratePerNano = ratePerNano(next);
    windowMayStartHere();
  }

  /**
   * Records an admission of {@code cost} at {@code now}.
   *
   * @throws AssertionError naming the bucket, the instant and the excess if the bound is broken
   */
  public void onAdmit(long now, long cost) {
    advanceTo(now);
    windowMayStartHere();
    admitted += cost;
    events++;
    double excess = (admitted - allowance) - minStart;
    double tolerance = slack + 1e-6 + 1e-12 * Math.abs(allowance);
    if (excess > tolerance) {
      throw new AssertionError(String.format(
          "%s over-admitted by %.6f tokens at t=%d (admission #%d of cost %d; burst %d, admitted so far %d)",
          name, excess, now, events, cost, burst, admitted));
    }
  }

  /** Returns the most cost the bound still lets the bucket admit at the last event's instant. */
  public double headroom() {
    return Math.min(minStart, admitted - allowance + burst) - (admitted - allowance);
  }

  /** Returns the total cost admitted so far. */
  public long admitted() {
    return admitted;
  }

  /** Returns the number of admissions checked. */
  public long events() {
    return events;
  }
}
