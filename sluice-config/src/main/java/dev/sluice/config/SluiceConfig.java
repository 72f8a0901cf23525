package dev.sluice.config;

import dev.sluice.adaptive.AdaptiveSettings;
import dev.sluice.core.CostRule;
import dev.sluice.core.CostTable;
import dev.sluice.core.Limit;
import dev.sluice.core.LimiterSpec;
import dev.sluice.core.TierSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A whole Sluice config file, immutable and validated: one record per section, read once by
 * {@link ConfigLoader}; the unit that is swapped atomically on a reload.
 *
 * @param server listening addresses
 * @param upstream proxied API, if any
 * @param identity client and tier identification
 * @param tiers tiers by name, in file order
 * @param global global limit and per-client state bounds
 * @param costs cost rules, first match wins
 * @param store where buckets live ({@link StoreConfig#LOCAL} when the file has no {@code store})
 * @param adaptive the control loop: switches and every controller's parameters ({@link
 *     AdaptiveSettings#DEFAULTS} when the file has no {@code adaptive})
 * @param observability traces over OTLP ({@link ObservabilityConfig#OFF} when the file has no
 *     {@code observability}); read at start-up only
 */
public record SluiceConfig(
    ServerConfig server,
    UpstreamConfig upstream,
    IdentityConfig identity,
    Map<String, TierConfig> tiers,
    GlobalConfig global,
    List<CostRule> costs,
    StoreConfig store,
    AdaptiveSettings adaptive,
    ObservabilityConfig observability) {

  /** A config without traces ({@link ObservabilityConfig#OFF}). */
  public SluiceConfig(ServerConfig server, UpstreamConfig upstream, IdentityConfig identity,
      Map<String, TierConfig> tiers, GlobalConfig global, List<CostRule> costs, StoreConfig store,
      AdaptiveSettings adaptive) {
    this(server, upstream, identity, tiers, global, costs, store, adaptive, ObservabilityConfig.OFF);
  }

  /** Validates cross-section references: the default tier and every client-tier assignment exist. */
  public SluiceConfig {
    if (server == null || upstream == null || identity == null || global == null || store == null
        || adaptive == null || observability == null) {
      throw new IllegalArgumentException("config: a section is null (expected: every section, defaults allowed)");
    }
    if (tiers == null || tiers.isEmpty()) {
      throw new IllegalArgumentException("tiers: missing (expected: at least one tier)");
    }
    tiers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tiers));
    costs = List.copyOf(costs);
    List<String> problems = new ArrayList<>();
    if (!tiers.containsKey(identity.defaultTier())) {
      problems.add("identity.default-tier: " + identity.defaultTier() + " (expected: one of " + tiers.keySet() + ")");
    }
    for (Map.Entry<String, String> e : identity.clientTiers().entrySet()) {
      if (!tiers.containsKey(e.getValue())) {
        problems.add("identity.clients." + e.getKey() + ": " + e.getValue()
            + " (expected: one of " + tiers.keySet() + ")");
      }
    }
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(String.join("; ", problems));
    }
  }

  /**
   * Resolves the limits into what a {@code Limiter} enforces: each tier's {@code share} of the
   * global limit becomes its aggregate limit; the concurrency levels and permit timeout carry over.
   *
   * @throws IllegalArgumentException if the resolved limits are not a valid {@link LimiterSpec}
   */
  public LimiterSpec limiterSpec() {
    Limit globalLimit = global.limit();
    Map<String, TierSpec> specs = new LinkedHashMap<>();
    for (TierConfig t : tiers.values()) {
      specs.put(t.name(), new TierSpec(t.name(), t.perClient(), t.aggregateLimit(globalLimit), t.concurrency()));
    }
    return new LimiterSpec(specs, identity.defaultTier(), globalLimit, CostTable.of(costs),
        global.maxClients(), global.idleExpiry(), global.concurrency(), global.permitTimeout());
  }

  /** Returns a one-line summary, as printed by {@code sluice check-config}. */
  public String summary() {
    StringBuilder sb = new StringBuilder();
    sb.append(tiers.size()).append(tiers.size() == 1 ? " tier (" : " tiers (");
    boolean first = true;
    for (TierConfig t : tiers.values()) {
      sb.append(first ? "" : ", ").append(t.name()).append(' ').append(t.perClient());
      first = false;
    }
    sb.append("), global ").append(global.limit() == null ? "unlimited" : global.limit().toString());
    sb.append(", ").append(costs.size()).append(costs.size() == 1 ? " cost rule" : " cost rules");
    sb.append(", upstream ").append(upstream.url() == null ? "none (decision service)" : upstream.url());
    sb.append(", adaptive ").append(adaptive.enabled() ? (adaptive.shadow() ? "shadow" : "on") : "off");
    return sb.toString();
  }
}
