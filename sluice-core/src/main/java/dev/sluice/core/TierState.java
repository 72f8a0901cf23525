package dev.sluice.core;

import java.util.HashMap;
import java.util.Map;

/**
 * One tier as a {@link Limiter} holds it: its client table, aggregate bucket and in-flight counter,
 * kept across reconfigurations. Fields are written under the limiter's monitor and read by any
 * thread.
 */
final class TierState {
  final String name;
  final Clock clock;
  final ClientTable clients;
  /** The tier's concurrency level; its maximum is 0 when the tier has none. */
  final PermitTable.Counter inFlight = new PermitTable.Counter();
  volatile GcraBucket.Params perClient;
  /** Per-client overrides ({@link TierSpec#clients()}), immutable; empty for none. */
  volatile Map<String, GcraBucket.Params> overrides = Map.of();
  volatile GcraBucket aggregate;

  TierState(TierSpec spec, LimiterSpec limits, Clock clock, long now) {
    this.name = spec.name();
    this.clock = clock;
    this.perClient = new GcraBucket.Params(spec.perClient());
    this.overrides = params(spec.clients(), Map.of());
    this.aggregate = spec.aggregate() == null ? null : new GcraBucket(spec.aggregate());
    this.clients = new ClientTable(perClient, overrides, limits.maxClientsPerTier(), sweepNanos(limits), now);
    inFlight.max(spec.concurrency());
  }

  static long sweepNanos(LimiterSpec limits) {
    return Math.min(limits.idleExpiry().toNanos(), Long.MAX_VALUE >> 2);
  }

  /** Returns the params of client {@code key}: its override, or the tier's. Allocation-free. */
  GcraBucket.Params paramsFor(String key) {
    Map<String, GcraBucket.Params> m = overrides;
    if (m.isEmpty()) {
      return perClient;
    }
    GcraBucket.Params p = m.get(key);
    return p == null ? perClient : p;
  }

  /**
   * Takes {@code cost} tokens from client {@code key}'s bucket at {@code now}, creating it if
   * absent: the debt after admission ({@code >= 0}) or a denial as {@link GcraBucket#tryConsume}
   * returns it. The client level alone, for callers that lease tokens from a client's bucket.
   */
  long tryTake(String key, long cost, long now) {
    long h = clients.hash(key);
    long r;
    do {
      r = clients.tryConsume(h, now, cost, clients.generation());
    } while (r == GcraBucket.STALE);
    return r;
  }

  void update(TierSpec spec, LimiterSpec limits, long now) {
    clients.bounds(limits.maxClientsPerTier(), sweepNanos(limits));
    Map<String, GcraBucket.Params> before = overrides;
    Map<String, GcraBucket.Params> after = params(spec.clients(), before);
    boolean tierChanged = !perClient.limit.equals(spec.perClient());
    if (tierChanged) {
      perClient = new GcraBucket.Params(spec.perClient());
    }
    overrides = after;
    if (tierChanged || before != after) {
      clients.reconfigure(clock, perClient, after);
    }
    aggregate = reshape(aggregate, spec.aggregate(), clock);
    inFlight.max(spec.concurrency());
  }

  /**
   * Returns the params of {@code limits}, reusing those of {@code current} whose limit is the same
   * (a bucket compares params by identity), or {@code current} itself when nothing changed.
   */
  private static Map<String, GcraBucket.Params> params(Map<String, Limit> limits,
      Map<String, GcraBucket.Params> current) {
    if (limits.isEmpty()) {
      return current.isEmpty() ? current : Map.of();
    }
    boolean same = limits.size() == current.size();
    Map<String, GcraBucket.Params> out = new HashMap<>(limits.size() * 2);
    for (Map.Entry<String, Limit> e : limits.entrySet()) {
      GcraBucket.Params p = current.get(e.getKey());
      if (p == null || !p.limit.equals(e.getValue())) {
        p = new GcraBucket.Params(e.getValue());
        same = false;
      }
      out.put(e.getKey(), p);
    }
    return same ? current : Map.copyOf(out);
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
