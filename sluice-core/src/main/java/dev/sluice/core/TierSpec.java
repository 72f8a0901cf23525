package dev.sluice.core;

/**
 * A tier as the limiter enforces it: every client's limit and the tier's aggregate limit.
 *
 * @param name the tier's name
 * @param perClient the limit of each client key in the tier
 * @param aggregate the limit of the tier's traffic as a whole, or {@code null} for none
 */
public record TierSpec(String name, Limit perClient, Limit aggregate) {

  /** Requires a name and a per-client limit. */
  public TierSpec {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("tier name: " + name + " (expected: a non-empty name)");
    }
    if (perClient == null) {
      throw new IllegalArgumentException("tiers." + name + ".per-client: missing (expected: a limit)");
    }
  }
}
