package dev.sluice.redis;

import dev.sluice.core.Clock;
import dev.sluice.core.Decision;
import dev.sluice.core.Limit;
import dev.sluice.core.Limiter;
import dev.sluice.core.LimiterSpec;
import dev.sluice.core.TierSpec;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The buckets a node decides from while Redis is unreachable: an in-process {@link Limiter}
 * enforcing {@code 1 / liveNodes} of every limit, so that all nodes together stay within each
 * limit. Built on the first decision of an outage and dropped when Redis returns (Redis state is
 * authoritative again). Thread-safe.
 */
final class LocalShare {

  private final Clock clock;
  private volatile Limiter limiter;
  private volatile LimiterSpec builtFrom;
  private volatile int builtFor;

  LocalShare(Clock clock) {
    this.clock = clock;
  }

  /** Decides from this node's share of {@code spec}, split over {@code liveNodes}. */
  Decision decide(LimiterSpec spec, int liveNodes, String key, String tier, int cost) {
    return limiter(spec, liveNodes).tryAcquire(key, tier, cost);
  }

  private synchronized Limiter limiter(LimiterSpec spec, int liveNodes) {
    int n = Math.max(1, liveNodes);
    if (limiter == null) {
      limiter = Limiter.create(scale(spec, n), clock);
    } else if (builtFrom != spec || builtFor != n) {
      limiter.reconfigure(scale(spec, n));
    }
    builtFrom = spec;
    builtFor = n;
    return limiter;
  }

  /** Forgets the local buckets (Redis is back). */
  synchronized void reset() {
    limiter = null;
    builtFrom = null;
  }

  /** Returns {@code spec} with every limit divided by {@code nodes} (burst rounded down, at least 1). */
  static LimiterSpec scale(LimiterSpec spec, int nodes) {
    double f = 1.0 / nodes;
    Map<String, TierSpec> tiers = new LinkedHashMap<>();
    for (TierSpec t : spec.tiers().values()) {
      Map<String, Limit> clients = new LinkedHashMap<>();
      t.clients().forEach((key, limit) -> clients.put(key, share(limit, f)));
      tiers.put(t.name(), new TierSpec(t.name(), share(t.perClient(), f), share(t.aggregate(), f), 0, clients));
    }
    return new LimiterSpec(tiers, spec.defaultTier(), share(spec.global(), f), spec.costs(),
        spec.maxClientsPerTier(), spec.idleExpiry());
  }

  private static Limit share(Limit l, double f) {
    return l == null || f >= 1 ? l : l.share(f);
  }
}
