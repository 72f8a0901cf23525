package dev.sluice.core;

/**
 * A tier as the limiter enforces it: every client's limit, the tier's aggregate limit and its
 * concurrency level.
 *
 * @param name the tier's name
 * @param perClient the limit of each client key in the tier
 * @param aggregate the limit of the tier's traffic as a whole, or {@code null} for none
 * @param concurrency the most cost the tier's requests may hold in flight at once (each admitted
 *     request holds its cost until its permit is released or expires), or 0 for no concurrency level
 */
public record TierSpec(String name, Limit perClient, Limit aggregate, long concurrency) {

  /** Requires a name and a per-client limit, and a concurrency of 0 (none) or more. */
  public TierSpec {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("tier name: " + name + " (expected: a non-empty name)");
    }
    if (perClient == null) {
      throw new IllegalArgumentException("tiers." + name + ".per-client: missing (expected: a limit)");
    }
    if (concurrency < 0) {
      throw new IllegalArgumentException(
          "tiers." + name + ".concurrency: " + concurrency + " (expected: >= 1, or 0 for none)");
    }
  }

  /** A tier without a concurrency level. */
  public TierSpec(String name, Limit perClient, Limit aggregate) {
    this(name, perClient, aggregate, 0);
  }

  /** Returns this tier with per-client limit {@code limit}. */
  public TierSpec withPerClient(Limit limit) {
    return new TierSpec(name, limit, aggregate, concurrency);
  }

  /** Returns this tier with aggregate limit {@code limit} ({@code null} for none). */
  public TierSpec withAggregate(Limit limit) {
    return new TierSpec(name, perClient, limit, concurrency);
  }

  /** Returns this tier with concurrency level {@code max} (0 for none). */
  public TierSpec withConcurrency(long max) {
    return new TierSpec(name, perClient, aggregate, max);
  }
}
