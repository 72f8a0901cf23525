package dev.sluice.core;

/** Thrown when a request names a tier the limiter does not have. */
public final class UnknownTierException extends IllegalArgumentException {

  private static final long serialVersionUID = 1L;

  private final String tier;

  /** Creates the exception for {@code tier}; the message lists the known tiers. */
  public UnknownTierException(String tier, java.util.Collection<String> known) {
    super("tier: " + tier + " (expected: one of " + known + ")");
    this.tier = tier;
  }

  /** Returns the unknown tier's name. */
  public String tier() {
    return tier;
  }
}
