package dev.sluice.core;

import java.util.Map;

/**
 * A tier as the limiter enforces it: every client's limit, the tier's aggregate limit and its
 * concurrency level.
 *
 * @param name the tier's name
 * @param perClient the limit of each client key in the tier
 * @param aggregate the limit of the tier's traffic as a whole, or {@code null} for none
 * @param concurrency the most cost the tier's requests may hold in flight at once (each admitted
 *     request holds its cost until its permit is released or expires), or 0 for no concurrency level
 * @param clients per-client overrides: the limit of each listed client key instead of {@code
 *     perClient} (empty for none); a control loop sets them for a few heavy clients, so the map
 *     stays small and is read with one lookup per decision
 */
public record TierSpec(String name, Limit perClient, Limit aggregate, long concurrency, Map<String, Limit> clients) {

  /** Requires a name and a per-client limit, and a concurrency of 0 (none) or more; copies the overrides. */
  public TierSpec {
    if (name == null || name.isBlank()) {
      throw new IllegalArgumentException("tier name: " + name + " (expected: a non-empty name)");
    }
    if (perClient == null) {
      throw new IllegalArgumentException("tiers." + name + ".per-client: missing (expected: a limit)");
    }
    if (concurrency < 0) {
      throw new IllegalArgumentException(
          "tiers." + name + ".concurrency: " + concurrency + " (expected: >= 1, or 0 for none)");
    }
    clients = clients == null ? Map.of() : Map.copyOf(clients);
  }

  /** A tier without per-client overrides. */
  public TierSpec(String name, Limit perClient, Limit aggregate, long concurrency) {
    this(name, perClient, aggregate, concurrency, Map.of());
  }

  /** A tier without a concurrency level. */
  public TierSpec(String name, Limit perClient, Limit aggregate) {
    this(name, perClient, aggregate, 0);
  }

  /** Returns the limit of client {@code key}: its override, or {@code perClient}. Allocation-free. */
  public Limit clientLimit(String key) {
    if (clients.isEmpty()) {
      return perClient;
    }
    Limit l = clients.get(key);
    return l == null ? perClient : l;
  }

  /** Returns this tier with per-client limit {@code limit}. */
  public TierSpec withPerClient(Limit limit) {
    return new TierSpec(name, limit, aggregate, concurrency, clients);
  }

  /** Returns this tier with aggregate limit {@code limit} ({@code null} for none). */
  public TierSpec withAggregate(Limit limit) {
    return new TierSpec(name, perClient, limit, concurrency, clients);
  }

  /** Returns this tier with per-client overrides {@code overrides} (empty for none). */
  public TierSpec withClients(Map<String, Limit> overrides) {
    return new TierSpec(name, perClient, aggregate, concurrency, overrides);
  }

  /** Returns this tier with concurrency level {@code max} (0 for none). */
  public TierSpec withConcurrency(long max) {
    return new TierSpec(name, perClient, aggregate, max, clients);
  }
}
