package dev.sluice.envoy;

import dev.sluice.core.Limit;
import dev.sluice.core.LimiterSpec;
import io.envoyproxy.envoy.extensions.common.ratelimit.v3.RateLimitDescriptor;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The rate limits of every domain, immutable and thread-safe, as read by {@link EnvoyConfigReader} from a directory of
 * envoyproxy/ratelimit files; immutable, so a reload swaps one instance for another.
 */
public final class EnvoyLimits {

  /**
   * The tier no decision names: a {@link LimiterSpec} needs a default tier, and the rate-limit
   * service always names the rule's own tier.
   */
  static final String UNUSED_DEFAULT_TIER = "envoy.(default)";

  private final Map<String, DescriptorTree> domains;
  private final List<EnvoyRule> rules;

  EnvoyLimits(Map<String, DescriptorTree> domains) {
    this.domains = Collections.unmodifiableMap(new LinkedHashMap<>(domains));
    List<EnvoyRule> all = new ArrayList<>();
    for (DescriptorTree root : domains.values()) {
      root.collect(all);
    }
    this.rules = List.copyOf(all);
  }

  /** Returns the domains, in the order their files were read. */
  public List<String> domains() {
    return List.copyOf(domains.keySet());
  }

  /** Returns whether {@code domain} has limits here. */
  public boolean hasDomain(String domain) {
    return domains.containsKey(domain);
  }

  /** Returns every rule of every domain. */
  public List<EnvoyRule> rules() {
    return rules;
  }

  /**
   * Returns the rule the descriptor {@code entries} select in {@code domain} (the most specific
   * match, see {@link DescriptorTree}), or {@code null} for none, including an unknown domain.
   */
  public EnvoyRule match(String domain, List<RateLimitDescriptor.Entry> entries) {
    DescriptorTree root = domains.get(domain);
    return root == null || entries.isEmpty() ? null : root.match(entries);
  }

  /** Returns the buckets' spec: one tier per bucketed rule, named by its full key, per-client limit only. */
  public LimiterSpec spec() {
    return spec(1);
  }

  /**
   * Returns the buckets' spec with the rates of {@link EnvoyRule#adaptive} rules scaled by {@code
   * factor} (the factor the control loop applies to the edge's rates), the others as configured.
   */
  public LimiterSpec spec(double factor) {
    LimiterSpec.Builder builder = LimiterSpec.builder().tier(UNUSED_DEFAULT_TIER, Limit.of(1, 1));
    for (EnvoyRule rule : rules) {
      if (rule.bucketed()) {
        builder.tier(rule.fullKey(), rule.limit(factor));
      }
    }
    return builder.defaultTier(UNUSED_DEFAULT_TIER).build();
  }
}
