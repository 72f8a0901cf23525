package dev.sluice.core;

import java.util.Map;
import java.util.function.ToLongFunction;

/**
 * One tier's client buckets: per client a slot of {@link ClientSlots} holding the key's 64-bit hash
 * ({@link KeyHash}) and its bucket's TAT, decided on with GCRA as {@link GcraBucket} does.
 * Thread-safe; a decision on a present client is one probe (usually one cache line) and one CAS,
 * lock-free and allocation-free.
 *
 * <p>Invariants (besides those of {@link ClientSlots}):
 * <ol>
 *   <li>Reconfiguration starts a new {@link ClientGeneration} at one instant and carries every
 *       slot over to it before it returns, as {@link GcraBucket#rescaled} does for a bucket; a
 *       decision that meets a slot not yet carried over carries it over first. Each slot's hash
 *       word holds the parity of the generation its TAT is in. A change of overrides alone keeps
 *       the parity and carries over only the slots whose params change, locked while the new
 *       generation is published; one that changes no client's params starts no generation.
 *   <li>A decision reads the TAT, then the hash word, then the current generation, and CASes the
 *       TAT; a carry-over locks the TAT ({@code LOCKED}) before it rewrites the hash word and
 *       writes a different TAT, so a decision computed in an older generation fails its CAS.
 * </ol>
 */
final class ClientTable extends ClientSlots {

  private static final long MAX_WAIT = Long.MAX_VALUE - 3;
  /** The least time between two replacements in a full hot array. */
  static final long REPLACE_PAUSE_NANOS = 10_000_000L;

  private final ToLongFunction<String> hash;
  private final HashMemo.Entry[] memo = HashMemo.create();
  /** When a full hot array may next replace an entry; guarded by this. */
  private long nextReplacement = Long.MIN_VALUE / 2;
  /** Reconfigurations that walked every slot; written under the lock. */
  private volatile long walks;

  ClientTable(GcraBucket.Params perClient, Map<String, GcraBucket.Params> overrides, long maxSize,
      long sweepIntervalNanos, long now) {
    this(perClient, overrides, maxSize, sweepIntervalNanos, now, KeyHash.random());
  }

  /** With hash function {@code hash}, for tests that need collisions. */
  ClientTable(GcraBucket.Params perClient, Map<String, GcraBucket.Params> overrides, long maxSize,
      long sweepIntervalNanos, long now, ToLongFunction<String> hash) {
    super(ClientGeneration.first(perClient, overrides, hash), maxSize, sweepIntervalNanos, now);
    this.hash = hash;
  }

  /** Returns the slot hash of client {@code key}. */
  long hash(String key) {
    return slotHash(HashMemo.hash(memo, hash, key));
  }

  /**
   * Returns the slot hash of client {@code key} for a decision at {@code now}, which may remember
   * it ({@link HashMemo}).
   */
  long hash(String key, long now) {
    return slotHash(HashMemo.hash(memo, hash, key, now));
  }

  /** Returns the current generation, to pass to {@link #tryConsume} and {@link #refund}. */
  ClientGeneration generation() {
    return gen;
  }

  /**
   * Tries to consume {@code cost} tokens of client {@code h} at {@code now} in generation
   * {@code g}, creating its slot (full) if absent. The same contract as
   * {@link GcraBucket#tryConsume}: the debt after admission ({@code >= 0}), {@code -1 - wait}
   * when denied, {@link GcraBucket#NEVER}, or {@link GcraBucket#STALE} when {@code g} is no
   * longer the current generation.
   */
  long tryConsume(long h, long now, long cost, ClientGeneration g) {
    GcraBucket.Params p = g.params(h);
    long costNanos = Saturating.multiply(cost, p.interval);
    for (;;) {
      long[] a = slots;
      int i = locate(a, h, now, true);
      if (i < 0) {
        continue;
      }
      long t = (long) SLOTS.getVolatile(a, 2 * i + 1);
      if (t == GcraBucket.LOCKED) {
        awaitCopy(a);
        continue;
      }
      long w = (long) SLOTS.getVolatile(a, 2 * i);
      if (t == GcraBucket.RETIRED || (w & ~PARITY) != h) {
        continue;
      }
      if (gen != g) {
        return GcraBucket.STALE;
      }
      if ((w & PARITY) != g.parity) {
        carryOver(a, i, t, w, g);
        continue;
      }
      long tat = t;
      long swept = t == GcraBucket.FULL ? sweptAt : Long.MIN_VALUE;
      if (now < swept) {
        // A fresh slot, and an instant before the last sweep: the key may have had a slot that
        // sweep forgot as full at its instant, i.e. with a TAT at or before it, but not before
        // this earlier instant. Its TAT is taken as the sweep's instant, the most it can have been.
        tat = swept;
      }
      long debt = GcraBucket.debt(tat, now);
      long base = now; // the instant the new TAT's debt is measured from
      if (now < g.since && tat != GcraBucket.FULL) {
        // An instant before the generation's rescale (see GcraBucket#tryConsume): the gap up to
        // it converts at the rescale's ratio. A slot first used after the rescale has no such gap,
        // and the table keeps no per-slot instant, so the larger of both debts is taken: never
        // more admitted than either reading allows.
        if (now < g.prevSince) {
          return -1;
        }
        long s = g.since;
        base = s;
        debt = Math.max(debt,
            Saturating.add(GcraBucket.debt(tat, s), Saturating.mulDivCeil(s - now, p.capacityNanos, g.prevCapacity(h))));
      }
      long newDebt = Saturating.add(debt, costNanos);
      if (newDebt > p.capacityNanos) {
        return -1 - Math.min(newDebt - p.capacityNanos, MAX_WAIT);
      }
      long stored = base == now ? newDebt : Saturating.add(GcraBucket.debt(tat, base), costNanos);
      if (base > Long.MAX_VALUE - stored || base + stored < GcraBucket.FULL) {
        return GcraBucket.NEVER;
      }
      if (SLOTS.compareAndSet(a, 2 * i + 1, t, base + stored)) {
        return base - now + stored;
      }
      if (p.leaseTokens > 0 && ClientLeases.find(hot, h) == null) {
        startLeasing(h, now);
      }
    }
  }

  /**
   * Makes client {@code h} hot ({@link ClientLeases}) if there is room. When the array is full, a
   * quiet entry is replaced at most once per {@link #REPLACE_PAUSE_NANOS}: on many keys (Zipf) two
   * threads now and then lose a CAS on a lukewarm key, and replacing an entry for each of them
   * allocated a new lease array each time (20 B per decision in the 2-thread Zipf cell).
   */
  void startLeasing(long h, long now) {
    synchronized (this) {
      ClientLeases.Hot[] cur = hot;
      boolean full = cur != null && cur.length >= ClientLeases.MAX;
      if (full && now - nextReplacement < 0) {
        return;
      }
      ClientLeases.Hot[] next = ClientLeases.with(cur, h, this, now);
      if (full && next != cur) {
        nextReplacement = now + REPLACE_PAUSE_NANOS;
      }
      hot = next;
    }
  }

  /**
   * Consumes {@code cost} tokens of client {@code h} at {@code now} in generation {@code g}: from
   * the calling thread's lease when the client is hot ({@link ClientLeases}), else as
   * {@link #tryConsume}. Returns as {@link #tryConsume}; a debt flagged with
   * {@link TokenLeases#LEASED} came from a lease and goes back with {@link #giveBack}.
   */
  long take(long h, long now, long cost, ClientGeneration g) {
    ClientLeases.Hot[] hk = hot;
    if (hk != null) {
      ClientLeases.Hot e = ClientLeases.find(hk, h);
      if (e != null) {
        return gen != g ? GcraBucket.STALE : e.leases.take(e, now, cost, g.params(h));
      }
    }
    // Fast path, hand-written because it is most of a decision's cost besides the clock and the
    // key's hash: the client's slot is the first one probed, holds a TAT of generation g (not
    // FULL, LOCKED or RETIRED), and the instant is not before g's rescale. Then tryConsume would
    // take exactly these steps; everything else, and a lost CAS, goes to tryConsume. Small enough
    // for the JIT to inline into the decision.
    long[] a = slots;
    int i = index(h, a.length >>> 1);
    long t = (long) SLOTS.getVolatile(a, 2 * i + 1);
    long w = (long) SLOTS.getVolatile(a, 2 * i);
    if (w == (h | g.parity) && t > GcraBucket.FULL && gen == g && now >= g.since) {
      GcraBucket.Params p = g.params(h);
      long costNanos = cost == 1 ? p.interval : Saturating.multiply(cost, p.interval);
      long newDebt = Saturating.add(GcraBucket.debt(t, now), costNanos);
      if (newDebt > p.capacityNanos) {
        return -1 - Math.min(newDebt - p.capacityNanos, MAX_WAIT);
      }
      if (now <= Long.MAX_VALUE - newDebt && now + newDebt >= GcraBucket.FULL) {
        if (SLOTS.compareAndSet(a, 2 * i + 1, t, now + newDebt)) {
          return newDebt;
        }
        return contended(h, now, cost, g);
      }
    }
    return tryConsume(h, now, cost, g);
  }

  /** {@link #take} after a lost CAS on client {@code h}'s slot: as {@link #tryConsume}. */
  private long contended(long h, long now, long cost, ClientGeneration g) {
    if (g.params(h).leaseTokens > 0 && ClientLeases.find(hot, h) == null) {
      startLeasing(h, now);
    }
    return tryConsume(h, now, cost, g);
  }

  /**
   * Gives back what {@link #take} at {@code consumedAt} returned as {@code outcome} for a request a
   * later level denied: to the thread's lease when it came from one (skipped when the client is no
   * longer hot or the cell moved on: the tokens stay debt), else as {@link #refund}.
   */
  void giveBack(long h, Clock clock, long consumedAt, long outcome, long cost, ClientGeneration g) {
    if ((outcome & TokenLeases.LEASED) != 0) {
      ClientLeases.Hot e = ClientLeases.find(hot, h);
      if (e != null) {
        e.leases.giveBack(consumedAt, outcome, cost, g.params(h));
      }
    } else {
      refund(h, clock, consumedAt, outcome, cost, g);
    }
  }

  /** Returns how many clients are hot (served from leases). */
  int hotCount() {
    ClientLeases.Hot[] hk = hot;
    return hk == null ? 0 : hk.length;
  }

  /** Returns the leases of client {@code h}, or null when it is not hot; for tests. */
  TokenLeases leases(long h) {
    ClientLeases.Hot e = ClientLeases.find(hot, h);
    return e == null ? null : e.leases;
  }

  /**
   * Gives back tokens of client {@code h}, as {@link GcraBucket#refund}: only the part of the
   * consumption still outstanding; skipped when the generation changed or the slot is gone, and,
   * for a hot client, when something was consumed after the request.
   */
  void refund(long h, Clock clock, long consumedAt, long consumedDebt, long cost, ClientGeneration g) {
    long ourTat = Saturating.add(consumedAt, consumedDebt);
    long costNanos = Saturating.multiply(cost, g.params(h).interval);
    for (;;) {
      long[] a = slots;
      int i = locate(a, h, 0, false);
      if (i == -2) {
        continue;
      }
      if (i < 0) {
        return;
      }
      long t = (long) SLOTS.getVolatile(a, 2 * i + 1);
      if (t == GcraBucket.LOCKED) {
        awaitCopy(a);
        continue;
      }
      long w = (long) SLOTS.getVolatile(a, 2 * i);
      if (t == GcraBucket.RETIRED || w != (h | g.parity) || gen != g) {
        return;
      }
      long amount = Math.min(costNanos, Saturating.subtract(ourTat, clock.nanoTime()));
      if (amount <= 0 || t != ourTat && ClientLeases.find(hot, h) != null) {
        // A hot client's refund only comes off the top, as GcraBucket#refund with leases.
        return;
      }
      if (SLOTS.compareAndSet(a, 2 * i + 1, t, Math.max(GcraBucket.FULL, Saturating.subtract(t, amount)))) {
        return;
      }
    }
  }

  /**
   * Carries slot {@code i} (TAT {@code t}, hash word {@code w}, in the generation before
   * {@code g}) over to {@code g}; returns false when the slot changed meanwhile.
   */
  private static boolean carryOver(long[] a, int i, long t, long w, ClientGeneration g) {
    if (!SLOTS.compareAndSet(a, 2 * i + 1, t, GcraBucket.LOCKED)) {
      return false;
    }
    long h = w & ~PARITY;
    GcraBucket.Params before = g.prev.params(h);
    GcraBucket.Params after = g.params(h);
    // Unchanged params keep the TAT: a decision computed on it in the old generation is still right.
    long next = before == after ? t : GcraBucket.rescaled(t, g.since, before, after);
    SLOTS.setVolatile(a, 2 * i, h | g.parity);
    SLOTS.setVolatile(a, 2 * i + 1, next);
    return true;
  }

  /**
   * Starts a generation with these limits at the instant {@code clock} reads, and carries every
   * slot over to it (each keeps its fraction of tokens) before returning. Off the decision path.
   *
   * <p>With the same per-client params (by identity), only the slots of override keys whose params
   * change need carrying over: none when no override changes (the generation stays), else those
   * slots alone ({@link #carryOverOnly}) while they are few. A new per-client limit changes every
   * slot, so every slot is walked and its parity flipped ({@link #walks} counts these walks).
   */
  void reconfigure(Clock clock, GcraBucket.Params perClient, Map<String, GcraBucket.Params> overrides) {
    lock.lock();
    try {
      long now = clock.nanoTime();
      ClientGeneration cur = gen;
      if (perClient == cur.perClient) {
        ClientGeneration same = cur.next(perClient, overrides, hash, now, false);
        long[] changed = same.changedSince(cur);
        if (changed.length == 0) {
          return;
        }
        if (changed.length <= capacity() / 4) {
          carryOverOnly(same, changed);
          return;
        }
      }
      ClientGeneration g = cur.next(perClient, overrides, hash, now);
      walks++;
      gen = g;
      long[] a = slots; // not replaced while the lock is held
      for (int i = 0; i < a.length >>> 1; i++) {
        for (;;) {
          long w = (long) SLOTS.getVolatile(a, 2 * i);
          long t = (long) SLOTS.getVolatile(a, 2 * i + 1);
          if (!live(w) || (w & PARITY) == g.parity || t == GcraBucket.RETIRED) {
            break;
          }
          if (t != GcraBucket.LOCKED && carryOver(a, i, t, w, g)) {
            break;
          }
          Thread.onSpinWait();
        }
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Starts generation {@code g}, of the current parity, carrying over only the slots of clients
   * {@code changed} (the others have the same params in both generations, so their TATs hold in
   * either). Under the lock: every such slot (claimed if absent, so a decision still in the old
   * generation cannot create it behind the change) is locked first; then {@code g} is published;
   * then each slot gets its rescaled TAT, never the one it had, or is forgotten if it was fresh
   * ({@link GcraBucket#FULL}: exact). A decision that read a TAT before the lock fails its CAS and,
   * starting again, waits for the slot, then finds {@code g} and is {@link GcraBucket#STALE}.
   */
  private void carryOverOnly(ClientGeneration g, long[] changed) {
    ClientGeneration before = gen;
    ensureRoom(changed.length);
    long[] a = slots; // not replaced while the lock is held
    int[] at = new int[changed.length];
    long[] tats = new long[changed.length];
    for (int k = 0; k < changed.length; k++) {
      at[k] = lockSlot(a, changed[k], tats, k);
    }
    gen = g;
    for (int k = 0; k < changed.length; k++) {
      long h = changed[k];
      long t = tats[k];
      if (t == GcraBucket.FULL && ClientLeases.find(hot, h) == null) {
        retireLocked(a, at[k]);
      } else {
        SLOTS.setVolatile(a, 2 * at[k], h | g.parity);
        SLOTS.setVolatile(a, 2 * at[k] + 1, GcraBucket.rescaled(t, g.since, before.params(h), g.params(h)));
      }
    }
  }

  /** Returns how many reconfigurations walked every slot; for tests. */
  long walks() {
    return walks;
  }

  /** Returns the params client {@code h} has now. */
  GcraBucket.Params params(long h) {
    return gen.params(h);
  }

  /** Returns the TAT of client {@code h} ({@link GcraBucket#FULL} when absent), for read-only views. */
  long tat(long h) {
    for (;;) {
      long[] a = slots;
      int i = locate(a, h, 0, false);
      if (i == -2) {
        continue;
      }
      if (i < 0) {
        return GcraBucket.FULL;
      }
      long t = (long) SLOTS.getVolatile(a, 2 * i + 1);
      if (t == GcraBucket.LOCKED) {
        awaitCopy(a);
        continue;
      }
      return t == GcraBucket.RETIRED ? GcraBucket.FULL : t;
    }
  }
}
