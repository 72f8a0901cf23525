package dev.sluice.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Where a {@link ClientTable}'s slots live: an open-addressing array of two {@code long}s per slot,
 * the client key's hash word and its bucket's TAT, with insertion, growth and eviction. Thread-safe;
 * looking up a present client is lock-free and allocation-free. What a slot's TAT means (GCRA and
 * the limits' generations) is {@link ClientTable}'s.
 *
 * <p>Invariants:
 * <ol>
 *   <li>A key has at most one live slot per array: a slot is claimed only where the key's probe
 *       sequence meets its first empty slot (CAS on the hash word), and a slot never becomes empty
 *       again in the same array (retired slots become tombstones, dropped when the array is copied).
 *   <li>Idle eviction retires only full slots (TAT at or before now), which a fresh slot replaces
 *       exactly: forgetting them changes no decision. A retired slot's TAT becomes {@code RETIRED}
 *       by CAS, so a decision racing with the eviction fails its CAS and starts again on a fresh
 *       slot. It runs at most once per sweep interval, on a thread that inserts a new client.
 *   <li>The table never holds more than {@code maxSize} live clients for longer than one
 *       insertion: an insertion that passes the bound sweeps down to 90 % of it, full slots first,
 *       then those at least 75 % full, then any (as the previous map did), but never the slot
 *       just inserted, so a decision on a new client always ends with its slot stored. Only slots a
 *       lease may still grant from (at most {@link ClientLeases#MAX}) resist: while they fill the
 *       bound, the table holds them plus the newest client. Forgetting a slot with debt is the
 *       price of the bound (that client comes back full); {@link #evictedWithDebt} counts it.
 *   <li>Copying to a new array (growth, or dropping tombstones) happens under the table's lock:
 *       each slot is frozen first (an empty one gets {@code FORWARD}, a live one the TAT
 *       {@code LOCKED}), so no decision or insertion can land in the old array after its slot was
 *       copied; one that finds a frozen slot waits for the new array and starts again there.
 * </ol>
 */
abstract class ClientSlots {

  /*
   * Why hashes instead of keys: a key would cost a reference (and keep the caller's String alive)
   * plus an equals() per probe; the hash fits in the slot's first word, so the probe and the TAT
   * share one cache line (16-byte slots, 4 per line). The price is that two keys with one hash
   * share a bucket; KeyHash puts numbers on that. Hash words 0, 2 and 4 are reserved (empty,
   * tombstone, forwarded), so a hash whose bits above the parity are all below 8 is moved up by 8.
   *
   * A slot's index is the high half of hash * capacity (no power-of-two capacity needed), so the
   * array grows by 1.5x at 75 % load and lands at 50 %: 21 to 32 bytes per client.
   */

  static final VarHandle SLOTS = MethodHandles.arrayElementVarHandle(long[].class);
  static final long EMPTY = 0;
  static final long TOMB = 2;
  static final long FORWARD = 4;
  static final long PARITY = 1;
  static final int MIN_CAPACITY = 16;
  static final int MAX_CAPACITY = 1 << 29;
  /** Debt, as a fraction of capacity, a slot may have to be retired in each sweep pass. */
  private static final double[] SWEEP_PASSES = {0, 0.25, 1};

  final ReentrantLock lock = new ReentrantLock();
  /** Slots claimed in the current array, tombstones included. */
  private final AtomicLong used = new AtomicLong();
  private final AtomicLong tombs = new AtomicLong();
  volatile long[] slots = newSlots(MIN_CAPACITY);
  volatile ClientGeneration gen;
  private volatile long maxSize;
  private volatile long sweepIntervalNanos;
  private volatile long nextSweep;
  /** Where the next sweep above the bound starts (under the lock). */
  private int hand;
  /** Clients the size bound forgot while they still had debt. */
  private final AtomicLong evictedWithDebt = new AtomicLong();
  /**
   * The latest instant a sweep forgot full slots at: a fresh slot seen by a decision with an
   * earlier instant may stand for a slot forgotten with a TAT up to this instant.
   */
  volatile long sweptAt = Long.MIN_VALUE;
  /** The hot clients and their leases ({@link ClientLeases}); null until a slot's CAS is lost. */
  volatile ClientLeases.Hot[] hot;
  /** Whether the array is being copied (under the lock). */
  private volatile boolean copying;

  ClientSlots(ClientGeneration first, long maxSize, long sweepIntervalNanos, long now) {
    this.gen = first;
    this.maxSize = maxSize;
    this.sweepIntervalNanos = sweepIntervalNanos;
    this.nextSweep = Saturating.add(now, sweepIntervalNanos);
  }

  /** Returns the slot hash of a raw 64-bit hash: parity bit clear, never a reserved word. */
  static long slotHash(long raw) {
    long h = raw & ~PARITY;
    return (h & ~7L) == 0 ? h | 8 : h;
  }

  private static long[] newSlots(int capacity) {
    long[] a = new long[2 * capacity];
    for (int i = 1; i < a.length; i += 2) {
      a[i] = GcraBucket.FULL;
    }
    return a;
  }

  static int index(long h, int capacity) {
    return (int) Math.unsignedMultiplyHigh(h, capacity);
  }

  static boolean live(long w) {
    return (w & ~7L) != 0;
  }

  /**
   * Returns the slot of {@code h} in {@code a}, claiming the first empty one if absent and
   * {@code insert}; -1 when absent (not inserting); -2 when {@code a} was replaced: start again.
   */
  final int locate(long[] a, long h, long now, boolean insert) {
    int cap = a.length >>> 1;
    int i = index(h, cap);
    for (int n = 0; n < cap; n++) {
      long w = (long) SLOTS.getAcquire(a, 2 * i);
      if ((w & ~PARITY) == h) {
        if ((long) SLOTS.getAcquire(a, 2 * i + 1) != GcraBucket.RETIRED) {
          return i;
        }
      } else if (w == EMPTY) {
        if (!insert) {
          return -1;
        }
        if (SLOTS.compareAndSet(a, 2 * i, EMPTY, h | gen.parity)) {
          afterInsert(a, now, h);
          return i;
        }
        continue; // claimed meanwhile: look at the same slot again
      } else if (w == FORWARD) {
        awaitCopy(a);
        return -2;
      }
      if (++i == cap) {
        i = 0;
      }
    }
    if (!insert) {
      return -1;
    }
    grow(a, now); // every slot claimed: only when the bound keeps the table near capacity
    return -2;
  }

  /**
   * Waits a little for a frozen slot of {@code a}: until the array is replaced when it is being
   * copied (blocking on the lock the copying thread holds), else (a decision or a reconfiguration
   * carrying the slot over, a few instructions) a few spins and a yield. The caller looks again.
   */
  final void awaitCopy(long[] a) {
    for (int spins = 0; spins < 64 && slots == a; spins++) {
      Thread.onSpinWait();
    }
    if (slots == a) {
      if (copying) {
        lock.lock();
        lock.unlock();
      } else {
        Thread.yield();
      }
    }
  }

  /** After client {@code h} claimed a slot of {@code a}: sweeps (never {@code h}'s slot) and grows as due. */
  private void afterInsert(long[] a, long now, long h) {
    long u = used.incrementAndGet();
    if ((u - tombs.get() > maxSize || now >= nextSweep) && lock.tryLock()) {
      try {
        if (slots == a) {
          sweep(now, h);
        }
      } finally {
        lock.unlock();
      }
    }
    if (used.get() > threshold(a)) {
      grow(a, now);
    }
  }

  private static long threshold(long[] a) {
    return (a.length >>> 1) * 3L / 4;
  }

  private void grow(long[] a, long now) {
    lock.lock();
    try {
      if (slots == a) {
        copy(a, newCapacity(a));
      }
    } finally {
      lock.unlock();
    }
  }

  /** Returns a step near 0.618 of {@code cap} that visits every slot once ({@code gcd = 1}). */
  static int stride(int cap) {
    int step = Math.max(1, (int) (cap * 0.6180339887));
    while (java.math.BigInteger.valueOf(step).gcd(java.math.BigInteger.valueOf(cap)).intValue() != 1) {
      step--;
    }
    return step;
  }

  /**
   * Returns the capacity to copy {@code a} into: 1.5 times larger when more than half of it is
   * live, the same when it only needs its tombstones dropped (so growth and sweeps do not take
   * turns growing and shrinking it), and a half-full fit below an eighth live.
   */
  private int newCapacity(long[] a) {
    int cap = a.length >>> 1;
    long live = size();
    long next = live * 2 > cap ? Math.max(live * 2, cap + cap / 2) : live * 8 < cap ? live * 2 : cap;
    return (int) Math.min(MAX_CAPACITY, Math.max(MIN_CAPACITY, next));
  }

  /** Copies the live slots of {@code a}, the current array, into a new one; under the lock. */
  private void copy(long[] a, int capacity) {
    copying = true;
    long[] b = newSlots(capacity);
    long n = 0;
    for (int i = 0; i < a.length; i += 2) {
      long w = (long) SLOTS.getVolatile(a, i);
      while (w == EMPTY && !SLOTS.compareAndSet(a, i, EMPTY, FORWARD)) {
        w = (long) SLOTS.getVolatile(a, i);
      }
      if (!live(w)) {
        continue;
      }
      long t = (long) SLOTS.getVolatile(a, i + 1);
      while (t != GcraBucket.RETIRED && (t == GcraBucket.LOCKED || !SLOTS.compareAndSet(a, i + 1, t, GcraBucket.LOCKED))) {
        Thread.onSpinWait(); // LOCKED: a decision carrying the slot over, a few instructions
        t = (long) SLOTS.getVolatile(a, i + 1);
      }
      if (t == GcraBucket.RETIRED) {
        continue;
      }
      w = (long) SLOTS.getVolatile(a, i); // as the last carry-over left it
      int cap = capacity;
      int j = index(w & ~PARITY, cap);
      while (b[2 * j] != EMPTY) {
        j = j + 1 == cap ? 0 : j + 1;
      }
      b[2 * j] = w;
      b[2 * j + 1] = t;
      n++;
    }
    used.set(n);
    tombs.set(0);
    slots = b;
    copying = false;
  }

  /**
   * Retires every full slot and, above the size bound, enough others to get back under it: first
   * those at least three quarters full, then any. Drops the tombstones when they fill a quarter
   * of the array.
   */
  void sweep(long now) {
    sweep(now, EMPTY);
  }

  /**
   * As {@link #sweep(long)}, never retiring client {@code keep}'s slot (the inserting client's, or
   * {@link #EMPTY}): were it retired, the insertion would claim another and sweep again, forever
   * when nothing else can go (fewer than 10 clients, or only ones whose leases may still grant).
   */
  void sweep(long now, long keep) {
    lock.lock();
    try {
      nextSweep = Saturating.add(now, sweepIntervalNanos);
      if (now > sweptAt) {
        sweptAt = now; // before any slot is retired at this instant
      }
      long[] a = slots;
      long target = size() > maxSize ? maxSize - maxSize / 10 : Long.MAX_VALUE;
      int cap = a.length >>> 1;
      for (int i = 0; i < cap; i++) {
        retire(a, i, now, 0, keep); // every full slot: exact, in any order
      }
      // Above the bound, slots with debt go in an order spread over the array (a stride of about
      // 0.618 of it, coprime to it, from where the last such sweep stopped): slots sit in hash
      // order, so forgetting a run of neighbours would leave the other runs dense, and a dense
      // run is a long probe sequence.
      int step = stride(cap);
      int i = Math.floorMod(hand, cap);
      passes:
      for (int pass = 1; pass < SWEEP_PASSES.length && size() > target; pass++) {
        for (int n = 0; n < cap; n++, i = (int) ((i + (long) step) % cap)) {
          if (size() <= target) {
            break passes;
          }
          retire(a, i, now, SWEEP_PASSES[pass], keep);
        }
      }
      hand = i;
      if (tombs.get() > a.length >>> 3) {
        copy(a, newCapacity(a));
      }
    } finally {
      lock.unlock();
    }
  }

  private void retire(long[] a, int i, long now, double maxDebtFraction, long keep) {
    for (;;) {
      long t = (long) SLOTS.getVolatile(a, 2 * i + 1);
      long w = (long) SLOTS.getVolatile(a, 2 * i);
      if (!live(w) || t == GcraBucket.RETIRED || (w & ~PARITY) == keep) {
        return;
      }
      if (t == GcraBucket.LOCKED) {
        Thread.onSpinWait(); // a decision carrying the slot over
        continue;
      }
      ClientGeneration g = gen;
      ClientGeneration in = (w & PARITY) == g.parity || g.prev == null ? g : g.prev;
      long capacity = in.params(w & ~PARITY).capacityNanos;
      long debt = GcraBucket.debt(t, now);
      if (maxDebtFraction < 1 && debt > (long) (capacity * maxDebtFraction)) {
        return;
      }
      ClientLeases.Hot e = ClientLeases.find(hot, w & ~PARITY);
      if (e != null && ClientLeases.mayGrant(e, now)) {
        return; // a lease of this slot may still grant: never forgotten (a lease changes its TAT)
      }
      if (SLOTS.compareAndSet(a, 2 * i + 1, t, GcraBucket.RETIRED)) {
        SLOTS.setVolatile(a, 2 * i, TOMB);
        tombs.incrementAndGet();
        if (debt > 0) {
          evictedWithDebt.incrementAndGet();
        }
        if (e != null) {
          synchronized (this) {
            hot = ClientLeases.without(hot, e);
          }
        }
        return;
      }
    }
  }

  /** Makes room for {@code n} more slots in the current array (copying it if needed); under the lock. */
  final void ensureRoom(int n) {
    long[] a = slots;
    if (used.get() + n > threshold(a)) {
      long need = Math.max(newCapacity(a), 2 * (size() + n)); // lands at or below half full
      copy(a, (int) Math.min(MAX_CAPACITY, need));
    }
  }

  /**
   * Locks the TAT of client {@code h}'s slot in {@code a}, the current array (claimed if absent, as
   * a decision would), puts the TAT it had in {@code tats[k]} and returns the slot's index. Under
   * the lock, after {@link #ensureRoom}. The caller unlocks by writing a TAT, or {@link #retireLocked}.
   */
  final int lockSlot(long[] a, long h, long[] tats, int k) {
    int cap = a.length >>> 1;
    int i = index(h, cap);
    for (int n = 0; n < cap; ) {
      long w = (long) SLOTS.getAcquire(a, 2 * i);
      if ((w & ~PARITY) == h) {
        long t = (long) SLOTS.getVolatile(a, 2 * i + 1);
        if (t == GcraBucket.LOCKED) {
          Thread.onSpinWait(); // a decision carrying the slot over, a few instructions
          continue;
        }
        if (t != GcraBucket.RETIRED) {
          if (SLOTS.compareAndSet(a, 2 * i + 1, t, GcraBucket.LOCKED)) {
            tats[k] = t;
            return i;
          }
          continue; // a decision took tokens meanwhile: lock what it left
        }
      } else if (w == EMPTY) {
        if (SLOTS.compareAndSet(a, 2 * i, EMPTY, h | gen.parity)) {
          used.incrementAndGet();
        }
        continue; // ours or a decision's claim for the same key, or another key's: look again
      }
      n++;
      if (++i == cap) {
        i = 0;
      }
    }
    throw new IllegalStateException("no room for a client slot: ensureRoom was not called");
  }

  /** Forgets the locked slot {@code i} of {@code a}, which was {@link GcraBucket#FULL}: exact, as a sweep. */
  final void retireLocked(long[] a, int i) {
    SLOTS.setVolatile(a, 2 * i + 1, GcraBucket.RETIRED);
    SLOTS.setVolatile(a, 2 * i, TOMB);
    tombs.incrementAndGet();
  }

  /** Updates the bounds; takes effect from the next insertion. */
  void bounds(long maxSize, long sweepIntervalNanos) {
    this.maxSize = maxSize;
    this.sweepIntervalNanos = sweepIntervalNanos;
  }

  /** Returns how many clients the table holds (approximate under concurrency). */
  long size() {
    return used.get() - tombs.get();
  }

  /** Returns how many clients the size bound has forgotten with debt (each comes back full). */
  long evictedWithDebt() {
    return evictedWithDebt.get();
  }

  /** Returns the number of slots of the current array. */
  int capacity() {
    return slots.length >>> 1;
  }
}
