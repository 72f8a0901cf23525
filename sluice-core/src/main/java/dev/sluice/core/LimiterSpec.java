package dev.sluice.core;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Everything a {@link Limiter} enforces, resolved (tier shares turned into limits); the unit a
 * limiter is built from and reconfigured to.
 *
 * @param tiers tiers by name, at least one
 * @param defaultTier the tier of requests that name none
 * @param global the global limit, or {@code null} for none
 * @param costs cost rules for {@link Limiter#costOf}
 * @param maxClientsPerTier the most client buckets kept per tier
 * @param idleExpiry how often client buckets that are full again are forgotten
 */
public record LimiterSpec(
    Map<String, TierSpec> tiers,
    String defaultTier,
    Limit global,
    CostTable costs,
    long maxClientsPerTier,
    Duration idleExpiry) {

  /** Validates and copies. */
  public LimiterSpec {
    if (tiers == null || tiers.isEmpty()) {
      throw new IllegalArgumentException("tiers: none (expected: at least one tier)");
    }
    tiers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tiers));
    if (!tiers.containsKey(defaultTier)) {
      throw new IllegalArgumentException(
          "default tier: " + defaultTier + " (expected: one of " + tiers.keySet() + ")");
    }
    if (costs == null) {
      costs = CostTable.of(List.of());
    }
    if (maxClientsPerTier < 1) {
      throw new IllegalArgumentException("max clients per tier: " + maxClientsPerTier + " (expected: >= 1)");
    }
    if (idleExpiry == null || idleExpiry.isNegative() || idleExpiry.isZero()) {
      throw new IllegalArgumentException("idle expiry: " + idleExpiry + " (expected: > 0)");
    }
  }

  /** Returns a builder with one million clients per tier and ten minutes idle expiry. */
  public static Builder builder() {
    return new Builder();
  }

  /** Builds a {@link LimiterSpec}; the first tier added is the default unless one is named. */
  public static final class Builder {
    private final Map<String, TierSpec> tiers = new LinkedHashMap<>();
    private String defaultTier;
    private Limit global;
    private final List<CostRule> costs = new ArrayList<>();
    private long maxClientsPerTier = 1_000_000;
    private Duration idleExpiry = Duration.ofMinutes(10);

    private Builder() {}

    /** Adds a tier without an aggregate level. */
    public Builder tier(String name, Limit perClient) {
      return tier(name, perClient, null);
    }

    /** Adds a tier with an aggregate level ({@code null} for none). */
    public Builder tier(String name, Limit perClient, Limit aggregate) {
      tiers.put(name, new TierSpec(name, perClient, aggregate));
      return this;
    }

    /** Names the default tier. */
    public Builder defaultTier(String name) {
      this.defaultTier = name;
      return this;
    }

    /** Sets the global limit ({@code null} for none). */
    public Builder global(Limit limit) {
      this.global = limit;
      return this;
    }

    /** Adds a cost rule; rules match in the order added. */
    public Builder cost(String method, String pathPattern, int cost) {
      costs.add(CostRule.of(method, pathPattern, cost));
      return this;
    }

    /** Bounds the client buckets kept per tier. */
    public Builder maxClientsPerTier(long max) {
      this.maxClientsPerTier = max;
      return this;
    }

    /** Sets how long an unused client bucket is kept. */
    public Builder idleExpiry(Duration idle) {
      this.idleExpiry = idle;
      return this;
    }

    /** Returns the spec; throws {@link IllegalArgumentException} when it is incomplete. */
    public LimiterSpec build() {
      String def = defaultTier != null ? defaultTier : tiers.keySet().stream().findFirst().orElse(null);
      return new LimiterSpec(tiers, def, global, CostTable.of(costs), maxClientsPerTier, idleExpiry);
    }
  }
}
