package dev.sluice.core;

/**
 * The two numbers of a token bucket: a burst capacity and a refill rate.
 *
 * @param burst the most tokens the bucket holds, {@code >= 1}; also the largest cost it can admit
 * @param rate how fast spent tokens come back
 */
public record Limit(long burst, Rate rate) {

  /** Validates the burst and requires a rate. */
  public Limit {
    if (burst < 1) {
      throw new IllegalArgumentException("burst: " + burst + " (expected: >= 1)");
    }
    if (rate == null) {
      throw new IllegalArgumentException("rate: missing (expected: e.g. 100/s)");
    }
  }

  /** Returns a limit of {@code burst} tokens refilled at {@code rate}. */
  public static Limit of(long burst, Rate rate) {
    return new Limit(burst, rate);
  }

  /** Returns a limit of {@code burst} tokens refilled at {@code perSecond} tokens per second. */
  public static Limit of(long burst, long perSecond) {
    return new Limit(burst, Rate.perSecond(perSecond));
  }

  /**
   * Returns this limit scaled by {@code share} (burst rounded down, at least 1), for a tier's
   * aggregate share of the global limit.
   */
  public Limit share(double share) {
    if (!(share > 0 && share <= 1)) {
      throw new IllegalArgumentException("share: " + share + " (expected: > 0 and <= 1)");
    }
    return new Limit(Math.max(1, (long) Math.floor(burst * share)), rate.times(share));
  }

  @Override
  public String toString() {
    return "burst " + burst + " @ " + rate;
  }
}
