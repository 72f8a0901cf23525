package dev.sluice.adaptive;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The tokens each client asked for in the current interval, for the heaviest clients only, in a
 * table of fixed size: what the {@link SignalCollector} reports as {@link Signals#clientDemand()}.
 * Thread-safe; {@link #add} allocates nothing and never waits.
 *
 * <p>The table is {@link #STRIPES} stripes of {@link #SLOTS} slots, each stripe behind its own
 * lock, the stripe chosen by the key's hash. {@link #add} only tries the lock: when another thread
 * holds it, the sample is dropped and counted ({@link #dropped}), so a decision never waits for
 * this bookkeeping; a heavy client is heavy in the samples that are kept as well. A client lives in one of {@link #PROBE} slots from
 * its hash's home: {@link #add} finds it there, or takes a free slot, or evicts the slot with the
 * fewest tokens among them (the new client starts from its own cost). So a client that asks for
 * more than the lightest of its neighbours keeps its slot, and its count is exact from then on;
 * a light one can be evicted and counted again from zero. {@link #drain} reads the heaviest
 * clients and empties the table for the next interval.
 */
public final class ClientDemand {

  /** Number of stripes (a power of two). */
  static final int STRIPES = 16;
  /** Slots per stripe (a power of two). */
  static final int SLOTS = 64;
  /** How many slots from its home a client may live in. */
  static final int PROBE = 8;

  private final Stripe[] stripes = new Stripe[STRIPES];
  private final LongAdder dropped = new LongAdder();

  /** An empty table. */
  public ClientDemand() {
    for (int i = 0; i < STRIPES; i++) {
      stripes[i] = new Stripe();
    }
  }

  private static final class Stripe {
    final ReentrantLock lock = new ReentrantLock();
    final String[] tiers = new String[SLOTS];
    final String[] keys = new String[SLOTS];
    final long[] tokens = new long[SLOTS];
  }

  /** Adds {@code cost} tokens asked for by client {@code key} of {@code tier}. */
  public void add(String tier, String key, int cost) {
    int h = key.hashCode() * 31 + tier.hashCode();
    h ^= h >>> 16;
    Stripe s = stripes[h & (STRIPES - 1)];
    int home = (h >>> 4) & (SLOTS - 1);
    if (!s.lock.tryLock()) {
      dropped.increment();
      return;
    }
    try {
      int victim = -1;
      for (int i = 0; i < PROBE; i++) {
        int j = (home + i) & (SLOTS - 1);
        String k = s.keys[j];
        if (k == null) {
          victim = j;
          break;
        }
        if (k.equals(key) && s.tiers[j].equals(tier)) {
          s.tokens[j] += cost;
          return;
        }
        if (victim < 0 || s.tokens[j] < s.tokens[victim]) {
          victim = j;
        }
      }
      s.keys[victim] = key;
      s.tiers[victim] = tier;
      s.tokens[victim] = cost;
    } finally {
      s.lock.unlock();
    }
  }

  /** Returns how many samples {@link #add} dropped because their stripe was busy. */
  public long dropped() {
    return dropped.sum();
  }

  /**
   * Returns the {@code top} heaviest clients of the interval, by tier and key (heaviest first within
   * a tier), and empties the table.
   */
  public Map<String, Map<String, Long>> drain(int top) {
    record Entry(String tier, String key, long tokens) {}
    List<Entry> all = new ArrayList<>();
    for (Stripe s : stripes) {
      s.lock.lock();
      try {
        for (int j = 0; j < SLOTS; j++) {
          if (s.keys[j] != null) {
            all.add(new Entry(s.tiers[j], s.keys[j], s.tokens[j]));
            s.keys[j] = null;
            s.tiers[j] = null;
            s.tokens[j] = 0;
          }
        }
      } finally {
        s.lock.unlock();
      }
    }
    all.sort((a, b) -> a.tokens != b.tokens ? Long.compare(b.tokens, a.tokens)
        : a.key.compareTo(b.key) != 0 ? a.key.compareTo(b.key) : a.tier.compareTo(b.tier));
    Map<String, Map<String, Long>> out = new LinkedHashMap<>();
    for (Entry e : all.subList(0, Math.min(top, all.size()))) {
      out.computeIfAbsent(e.tier, t -> new LinkedHashMap<>()).put(e.key, e.tokens);
    }
    out.replaceAll((t, m) -> Collections.unmodifiableMap(m));
    return Collections.unmodifiableMap(out);
  }
}
