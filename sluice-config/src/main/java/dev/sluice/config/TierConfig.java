package dev.sluice.config;

import dev.sluice.core.Limit;

/**
 * A priority tier: the limit each of its clients gets, the tier's aggregate limit, and its
 * concurrency level.
 *
 * <p>The aggregate is either an explicit {@code aggregate} limit or a {@code share} of the global
 * limit (0 &lt; share &le; 1); with neither, the tier has no aggregate level.
 *
 * @param name tier name, as used in headers and metrics
 * @param perClient the bucket every client of this tier gets
 * @param share the tier's fraction of the global limit, or {@code null}
 * @param aggregate an explicit aggregate limit, or {@code null}
 * @param concurrency the most cost the tier's requests may hold in flight at once, or 0 for none
 */
public record TierConfig(String name, Limit perClient, Double share, Limit aggregate, long concurrency) {

  /** Validates the name, the per-client limit, that share and aggregate are not both set, and the concurrency. */
  public TierConfig {
    Checks.notBlank("tiers.<name>", name);
    if (perClient == null) {
      throw new IllegalArgumentException("tiers." + name + ".per-client: missing (expected: burst and rate)");
    }
    if (share != null && !(share > 0 && share <= 1)) {
      throw new IllegalArgumentException("tiers." + name + ".share: " + share + " (expected: > 0 and <= 1)");
    }
    if (share != null && aggregate != null) {
      throw new IllegalArgumentException(
          "tiers." + name + ".share: " + share + " (expected: either share or aggregate, not both)");
    }
    if (concurrency < 0) {
      throw new IllegalArgumentException(
          "tiers." + name + ".concurrency: " + concurrency + " (expected: an integer >= 1)");
    }
  }

  /** A tier without a concurrency level. */
  public TierConfig(String name, Limit perClient, Double share, Limit aggregate) {
    this(name, perClient, share, aggregate, 0);
  }

  /** Returns the tier's aggregate limit given the global one, or {@code null} for none. */
  public Limit aggregateLimit(Limit global) {
    if (aggregate != null) {
      return aggregate;
    }
    return share == null || global == null ? null : global.share(share);
  }
}
