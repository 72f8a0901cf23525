package dev.sluice.core;

import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * The client limits of a {@link ClientTable} between two reconfigurations: the tier's per-client
 * params, the overrides by key hash, the instant the generation took effect and the one before, and
 * the previous generation (whose limits the slots not yet carried over are still in). Immutable.
 *
 * <p>A slot's TAT is expressed in the limits of the generation whose parity its hash word carries:
 * only two generations are ever live, the current and the previous one, since a reconfiguration
 * carries every slot over before it returns (under the table's lock), and the next one waits for it.
 */
final class ClientGeneration {

  /** 0 or 1, the low bit of the hash words of the slots in this generation. */
  final long parity;
  final GcraBucket.Params perClient;
  /** Override key hashes, open addressing (0 = empty; hashes are >= 8), or null for none. */
  private final long[] keys;
  private final GcraBucket.Params[] values;
  /** The instant this generation took effect (the rescale instant), Long.MIN_VALUE for the first. */
  final long since;
  /** The instant the previous generation took effect. */
  final long prevSince;
  /** The previous generation, detached from its own predecessor; null for the first. */
  final ClientGeneration prev;

  private ClientGeneration(long parity, GcraBucket.Params perClient, long[] keys, GcraBucket.Params[] values,
      long since, long prevSince, ClientGeneration prev) {
    this.parity = parity;
    this.perClient = perClient;
    this.keys = keys;
    this.values = values;
    this.since = since;
    this.prevSince = prevSince;
    this.prev = prev;
  }

  /** The first generation: parity 0, never rescaled. */
  static ClientGeneration first(GcraBucket.Params perClient, Map<String, GcraBucket.Params> overrides,
      ToLongFunction<String> hash) {
    return build(0, perClient, overrides, hash, Long.MIN_VALUE, Long.MIN_VALUE, null);
  }

  /** The generation that follows this one at instant {@code now}, of the other parity. */
  ClientGeneration next(GcraBucket.Params perClient, Map<String, GcraBucket.Params> overrides,
      ToLongFunction<String> hash, long now) {
    return next(perClient, overrides, hash, now, true);
  }

  /**
   * The generation that follows this one at instant {@code now}, of the other parity when
   * {@code flip}, else of the same (for a change {@link ClientTable#reconfigure} carries over slot
   * by slot, with every slot in the same generation before and after).
   */
  ClientGeneration next(GcraBucket.Params perClient, Map<String, GcraBucket.Params> overrides,
      ToLongFunction<String> hash, long now, boolean flip) {
    ClientGeneration detached = new ClientGeneration(parity, this.perClient, keys, values, since, prevSince, null);
    return build(flip ? parity ^ 1 : parity, perClient, overrides, hash, now, since, detached);
  }

  /**
   * Returns the slot hashes whose params differ between this generation and {@code before}: with
   * the same per-client params, those of override keys of either whose override was added,
   * removed or changed (params compare by identity, as buckets do). Without duplicates.
   */
  long[] changedSince(ClientGeneration before) {
    java.util.Set<Long> seen = new java.util.HashSet<>();
    java.util.List<Long> out = new java.util.ArrayList<>();
    for (ClientGeneration g : new ClientGeneration[] {before, this}) {
      if (g.keys != null) {
        for (long h : g.keys) {
          if (h != 0 && seen.add(h) && params(h) != before.params(h)) {
            out.add(h);
          }
        }
      }
    }
    return out.stream().mapToLong(Long::longValue).toArray();
  }

  private static ClientGeneration build(long parity, GcraBucket.Params perClient,
      Map<String, GcraBucket.Params> overrides, ToLongFunction<String> hash, long since, long prevSince,
      ClientGeneration prev) {
    if (overrides.isEmpty()) {
      return new ClientGeneration(parity, perClient, null, null, since, prevSince, prev);
    }
    int size = Integer.highestOneBit(overrides.size() * 4 - 1) << 1;
    long[] keys = new long[size];
    GcraBucket.Params[] values = new GcraBucket.Params[size];
    for (Map.Entry<String, GcraBucket.Params> e : overrides.entrySet()) {
      long h = ClientTable.slotHash(hash.applyAsLong(e.getKey()));
      int i = (int) (h >>> 40) & (size - 1);
      while (keys[i] != 0 && keys[i] != h) {
        i = (i + 1) & (size - 1);
      }
      // Two override keys with one hash (see KeyHash): the tighter limit, the safe side.
      if (keys[i] == 0 || e.getValue().capacityNanos < values[i].capacityNanos) {
        values[i] = e.getValue();
      }
      keys[i] = h;
    }
    return new ClientGeneration(parity, perClient, keys, values, since, prevSince, prev);
  }

  /** Returns the params of the client whose slot hash is {@code h}. Allocation-free. */
  GcraBucket.Params params(long h) {
    long[] k = keys;
    if (k == null) {
      return perClient;
    }
    int mask = k.length - 1;
    for (int i = (int) (h >>> 40) & mask; ; i = (i + 1) & mask) {
      long x = k[i];
      if (x == h) {
        return values[i];
      }
      if (x == 0) {
        return perClient;
      }
    }
  }

  /** Returns the capacity of {@code h} in the previous generation, at least 1. */
  long prevCapacity(long h) {
    return prev == null ? 1 : Math.max(1, prev.params(h).capacityNanos);
  }
}
