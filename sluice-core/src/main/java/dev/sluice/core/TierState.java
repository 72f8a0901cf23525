package dev.sluice.core;

/**
 * One tier as a {@link Limiter} holds it: its client map, aggregate bucket and in-flight counter,
 * kept across reconfigurations. Fields are written under the limiter's monitor and read by any
 * thread.
 */
final class TierState {
  final String name;
  final Clock clock;
  final ClientMap clients;
  /** The tier's concurrency level; its maximum is 0 when the tier has none. */
  final PermitTable.Counter inFlight = new PermitTable.Counter();
  volatile GcraBucket.Params perClient;
  volatile GcraBucket aggregate;

  TierState(TierSpec spec, LimiterSpec limits, Clock clock, long now) {
    this.name = spec.name();
    this.clock = clock;
    this.perClient = new GcraBucket.Params(spec.perClient());
    this.aggregate = spec.aggregate() == null ? null : new GcraBucket(spec.aggregate());
    this.clients = new ClientMap(limits.maxClientsPerTier(), sweepNanos(limits), now);
    inFlight.max(spec.concurrency());
  }

  static long sweepNanos(LimiterSpec limits) {
    return Math.min(limits.idleExpiry().toNanos(), Long.MAX_VALUE >> 2);
  }

  GcraBucket newClient(String key, long now) {
    GcraBucket b = clients.getOrCreate(key, perClient, now);
    if (b.params() != perClient) {
      catchUp(b);
    }
    return b;
  }

  /**
   * Brings a bucket that a reconfiguration missed (it was being created while the map was
   * walked) to the tier's current limit before any decision uses it. Reading perClient under the
   * bucket's monitor, which reconfigure() holds too, means this can never apply an older limit
   * over a newer one.
   */
  void catchUp(GcraBucket b) {
    synchronized (b) {
      GcraBucket.Params latest = perClient;
      if (b.params() != latest) {
        b.reconfigure(clock, latest);
      }
    }
  }

  void update(TierSpec spec, LimiterSpec limits, long now) {
    clients.bounds(limits.maxClientsPerTier(), sweepNanos(limits));
    if (!perClient.limit.equals(spec.perClient())) {
      GcraBucket.Params next = new GcraBucket.Params(spec.perClient());
      perClient = next;
      for (GcraBucket b : clients.values()) {
        b.reconfigure(clock, next);
      }
    }
    aggregate = reshape(aggregate, spec.aggregate(), clock);
    inFlight.max(spec.concurrency());
  }

  /** Returns a bucket for {@code limit}: the same one reconfigured, a new full one, or none. */
  static GcraBucket reshape(GcraBucket bucket, Limit limit, Clock clock) {
    if (limit == null) {
      return null;
    }
    if (bucket == null) {
      return new GcraBucket(limit);
    }
    if (!bucket.limit().equals(limit)) {
      bucket.reconfigure(clock, new GcraBucket.Params(limit));
    }
    return bucket;
  }

  @Override
  public String toString() {
    return "Tier[" + name + "]";
  }
}
