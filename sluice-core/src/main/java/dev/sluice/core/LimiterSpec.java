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
 * @param concurrency the most cost all requests together may hold in flight at once, or 0 for no
 *     global concurrency level (tiers have their own, {@link TierSpec#concurrency()})
 * @param permitTimeout how long a permit of a concurrency level may stay out: one not released by
 *     then expires and its cost is freed, so a caller that never completes cannot leak capacity
 */
public record LimiterSpec(
    Map<String, TierSpec> tiers,
    String defaultTier,
    Limit global,
    CostTable costs,
    long maxClientsPerTier,
    Duration idleExpiry,
    long concurrency,
    Duration permitTimeout) {

  /** The permit timeout when none is given: one minute. */
  public static final Duration DEFAULT_PERMIT_TIMEOUT = Duration.ofMinutes(1);

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
    if (concurrency < 0) {
      throw new IllegalArgumentException("global.concurrency: " + concurrency + " (expected: >= 1, or 0 for none)");
    }
    if (permitTimeout == null || permitTimeout.isNegative() || permitTimeout.isZero()) {
      throw new IllegalArgumentException("global.permit-timeout: " + permitTimeout + " (expected: > 0)");
    }
  }

  /** A spec without a global concurrency level, with the default permit timeout. */
  public LimiterSpec(Map<String, TierSpec> tiers, String defaultTier, Limit global, CostTable costs,
      long maxClientsPerTier, Duration idleExpiry) {
    this(tiers, defaultTier, global, costs, maxClientsPerTier, idleExpiry, 0, DEFAULT_PERMIT_TIMEOUT);
  }

  /**
   * Returns the rate an adaptive control loop moves: the global rate, else the sum of the tiers'
   * aggregate rates; 0 when there is neither.
   */
  public double controlledRate() {
    if (global != null) {
      return global.rate().perSecond();
    }
    double sum = 0;
    for (TierSpec t : tiers.values()) {
      if (t.aggregate() != null) {
        sum += t.aggregate().rate().perSecond();
      }
    }
    return sum;
  }

  /** Returns whether any level is a concurrency level (global or a tier's). */
  public boolean hasConcurrency() {
    return concurrency > 0 || tiers.values().stream().anyMatch(t -> t.concurrency() > 0);
  }

  /** Returns this spec with {@code tier} added or replacing the tier of the same name. */
  public LimiterSpec withTier(TierSpec tier) {
    Map<String, TierSpec> m = new LinkedHashMap<>(tiers);
    m.put(tier.name(), tier);
    return new LimiterSpec(m, defaultTier, global, costs, maxClientsPerTier, idleExpiry, concurrency, permitTimeout);
  }

  /** Returns this spec with global limit {@code limit} ({@code null} for none). */
  public LimiterSpec withGlobal(Limit limit) {
    return new LimiterSpec(tiers, defaultTier, limit, costs, maxClientsPerTier, idleExpiry, concurrency, permitTimeout);
  }

  /** Returns this spec with global concurrency level {@code max} (0 for none). */
  public LimiterSpec withConcurrency(long max) {
    return new LimiterSpec(tiers, defaultTier, global, costs, maxClientsPerTier, idleExpiry, max, permitTimeout);
  }

  /**
   * Returns a builder with one million clients per tier, ten minutes idle expiry, no concurrency
   * level and a one-minute permit timeout.
   */
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
    private long concurrency;
    private Duration permitTimeout = DEFAULT_PERMIT_TIMEOUT;

    private Builder() {}

    /** Adds a tier without an aggregate level. */
    public Builder tier(String name, Limit perClient) {
      return tier(name, perClient, null);
    }

    /** Adds a tier with an aggregate level ({@code null} for none). */
    public Builder tier(String name, Limit perClient, Limit aggregate) {
      return tier(name, perClient, aggregate, 0);
    }

    /**
     * Adds a tier with an aggregate level ({@code null} for none) and a concurrency level of at
     * most {@code concurrency} cost in flight (0 for none).
     */
    public Builder tier(String name, Limit perClient, Limit aggregate, long concurrency) {
      tiers.put(name, new TierSpec(name, perClient, aggregate, concurrency));
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

    /** Sets the global concurrency level: the most cost in flight at once (0 for none). */
    public Builder concurrency(long max) {
      this.concurrency = max;
      return this;
    }

    /** Sets how long a permit may stay out before it expires (default one minute). */
    public Builder permitTimeout(Duration timeout) {
      this.permitTimeout = timeout;
      return this;
    }

    /** Returns the spec; throws {@link IllegalArgumentException} when it is incomplete. */
    public LimiterSpec build() {
      String def = defaultTier != null ? defaultTier : tiers.keySet().stream().findFirst().orElse(null);
      return new LimiterSpec(tiers, def, global, CostTable.of(costs), maxClientsPerTier, idleExpiry, concurrency,
          permitTimeout);
    }
  }
}
