package dev.sluice.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The permits of a {@link Limiter}'s concurrency levels: one in-flight {@link Counter} per level
 * and a preallocated table of slots, one per permit out. Thread-safe; {@link #acquire} and
 * {@link #release} are lock-free and allocation-free.
 *
 * <p>Invariants:
 * <ol>
 *   <li>A level's in-flight cost never exceeds its maximum: a permit adds its cost with a CAS that
 *       checks the maximum read in the same attempt. A lowered maximum admits nothing until the
 *       cost in flight falls below it; permits already out keep counting.
 *   <li>A permit is a handle {@code generation << 32 | slot} ({@code > 0}). The slot's tag holds
 *       the handle while the permit is out and 0 otherwise; releasing and expiring both CAS the tag
 *       from the handle to 0, so exactly one of them (once) gives the cost back. A stale, repeated
 *       or forged handle fails that CAS and changes nothing. A slot's generation grows by one per
 *       reuse, so a handle repeats only after 2^31 reuses of its slot.
 *   <li>Free slots form a Treiber stack whose head carries a 32-bit stamp against ABA. A permit
 *       adds to its counters before it pops a slot, and a release pushes the slot before it
 *       subtracts, so slots out never exceed the permits the counters hold.
 *   <li>The table only grows, by segments, when the limiter is (re)configured: to the most permits
 *       the new levels can hold at once (the global maximum, or without a global level the sum of
 *       the tier maxima, since each permit costs at least 1) plus the cost still in flight, capped
 *       at {@link #MAX_SLOTS}. Should it ever be empty (beyond the cap, or in a reconfiguration
 *       race) a request is denied as if its level were full; the limit is never exceeded.
 *   <li>A permit not released by its deadline ({@code permit timeout} after it was taken) expires:
 *       a sweep, run by the first permit decision once per {@code min(timeout, 1 s)} or by
 *       {@link #expire}, reclaims it and counts it once in {@link #expired()}.
 * </ol>
 */
final class PermitTable {

  /** The most slots a table holds. */
  static final int MAX_SLOTS = 1 << 20;
  private static final int SEGMENT_BITS = 8;
  private static final int SEGMENT = 1 << SEGMENT_BITS;
  private static final int MASK = SEGMENT - 1;
  private static final long MAX_SWEEP_NANOS = 1_000_000_000L;

  /** {@link #acquire} result: no concurrency level applies, so no permit was taken. */
  static final long NONE = 0;
  /** {@link #acquire} result: the tier level is full. */
  static final long FULL_TIER = -1;
  /** {@link #acquire} result: the global level is full (or the table is). */
  static final long FULL_GLOBAL = -2;
  /** {@link #acquire} result: the cost exceeds the tier level's maximum. */
  static final long NEVER_TIER = -3;
  /** {@link #acquire} result: the cost exceeds the global level's maximum. */
  static final long NEVER_GLOBAL = -4;

  private static final VarHandle TAGS = MethodHandles.arrayElementVarHandle(long[].class);
  private static final VarHandle HEAD;
  private static final VarHandle NEXT_SWEEP;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      HEAD = lookup.findVarHandle(PermitTable.class, "head", long.class);
      NEXT_SWEEP = lookup.findVarHandle(PermitTable.class, "nextSweep", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** One concurrency level's cost in flight and its maximum (0: no level). Lock-free. */
  static final class Counter {
    private static final int TAKEN = 0;
    private static final int SKIPPED = 1;
    private static final int FULL = 2;
    private static final int NEVER = 3;
    private static final VarHandle COST;

    static {
      try {
        COST = MethodHandles.lookup().findVarHandle(Counter.class, "cost", long.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    private volatile long cost;
    private volatile long max;

    /** Adds {@code c} if it fits under the maximum; returns TAKEN, SKIPPED (no level), FULL or NEVER. */
    int take(long c) {
      for (;;) {
        long m = max;
        if (m == 0) {
          return SKIPPED;
        }
        if (c > m) {
          return NEVER;
        }
        long v = cost;
        if (v > m - c) {
          return FULL;
        }
        if (COST.compareAndSet(this, v, v + c)) {
          return TAKEN;
        }
      }
    }

    void give(long c) {
      COST.getAndAdd(this, -c);
    }

    long cost() {
      return cost;
    }

    long max() {
      return max;
    }

    void max(long max) {
      this.max = max;
    }

    InFlight snapshot() {
      return new InFlight(cost, max);
    }
  }

  /** {@link #SEGMENT} slots, as parallel arrays. */
  private static final class Segment {
    final long[] tags = new long[SEGMENT];
    final long[] deadlines = new long[SEGMENT];
    final int[] costs = new int[SEGMENT];
    final int[] generations = new int[SEGMENT];
    final int[] next = new int[SEGMENT];
    final Counter[] tiers = new Counter[SEGMENT];
    final boolean[] global = new boolean[SEGMENT];
  }

  /** The global level's counter. */
  final Counter global = new Counter();
  private final AtomicLong expired = new AtomicLong();
  private volatile Segment[] segments = new Segment[0];
  /** Free-list head: {@code stamp << 32 | (slot + 1)}, 0 in the low half when empty. */
  private volatile long head;
  private volatile long timeoutNanos = Long.MAX_VALUE;
  private volatile long sweepNanos = MAX_SWEEP_NANOS;
  private volatile long nextSweep = Long.MIN_VALUE;

  /** Sets the permit timeout; permits taken from now on expire that long after they were taken. */
  void timeout(Duration timeout) {
    long nanos = timeout.compareTo(Duration.ofNanos(Long.MAX_VALUE)) >= 0 ? Long.MAX_VALUE : timeout.toNanos();
    timeoutNanos = nanos;
    sweepNanos = Math.min(nanos, MAX_SWEEP_NANOS);
  }

  /** Returns how many slots the table holds. */
  int capacity() {
    return segments.length * SEGMENT;
  }

  /** Grows the table to at least {@code slots} (capped at {@link #MAX_SLOTS}); never shrinks it. */
  synchronized void ensureCapacity(long slots) {
    long target = Math.min(slots, MAX_SLOTS);
    while (capacity() < target) {
      Segment[] old = segments;
      Segment[] grown = java.util.Arrays.copyOf(old, old.length + 1);
      grown[old.length] = new Segment();
      segments = grown; // published before its slots are free, so pop() always finds their segment
      for (int i = SEGMENT - 1; i >= 0; i--) {
        push(old.length * SEGMENT + i);
      }
    }
  }

  /**
   * Takes {@code cost} from the tier level {@code tier} and the global level, those that exist,
   * and a permit for them.
   *
   * @return a permit handle ({@code > 0}); {@link #NONE} when neither level exists; or, taking
   *     nothing, {@link #FULL_TIER}, {@link #FULL_GLOBAL}, {@link #NEVER_TIER} or {@link #NEVER_GLOBAL}
   */
  long acquire(Counter tier, long now, int cost) {
    if (now >= nextSweep) {
      sweepIfDue(now);
    }
    int t = tier.take(cost);
    if (t == Counter.FULL || t == Counter.NEVER) {
      return t == Counter.FULL ? FULL_TIER : NEVER_TIER;
    }
    int g = global.take(cost);
    if (g == Counter.FULL || g == Counter.NEVER) {
      if (t == Counter.TAKEN) {
        tier.give(cost);
      }
      return g == Counter.FULL ? FULL_GLOBAL : NEVER_GLOBAL;
    }
    if (t == Counter.SKIPPED && g == Counter.SKIPPED) {
      return NONE;
    }
    int slot = pop();
    if (slot < 0) {
      if (t == Counter.TAKEN) {
        tier.give(cost);
      }
      if (g == Counter.TAKEN) {
        global.give(cost);
      }
      return g == Counter.TAKEN ? FULL_GLOBAL : FULL_TIER;
    }
    // The slot is ours alone until its tag is published.
    Segment s = segments[slot >>> SEGMENT_BITS];
    int i = slot & MASK;
    int generation = s.generations[i] == Integer.MAX_VALUE ? 1 : s.generations[i] + 1;
    s.generations[i] = generation;
    s.costs[i] = cost;
    s.tiers[i] = t == Counter.TAKEN ? tier : null;
    s.global[i] = g == Counter.TAKEN;
    s.deadlines[i] = Saturating.add(now, timeoutNanos);
    long permit = (long) generation << 32 | slot;
    TAGS.setRelease(s.tags, i, permit);
    return permit;
  }

  /** Releases {@code permit}; returns whether it was out (false for a stale, repeated or unknown handle). */
  boolean release(long permit) {
    if (permit <= 0) {
      return false;
    }
    Segment[] segs = segments;
    long slot = permit & 0xffff_ffffL;
    if (slot >= (long) segs.length * SEGMENT) {
      return false;
    }
    Segment s = segs[(int) slot >>> SEGMENT_BITS];
    int i = (int) slot & MASK;
    if (!TAGS.compareAndSet(s.tags, i, permit, 0L)) {
      return false;
    }
    free(s, i, (int) slot);
    return true;
  }

  /** Gives back a slot whose tag this thread has just cleared, and then its cost. */
  private void free(Segment s, int i, int slot) {
    int cost = s.costs[i];
    Counter tier = s.tiers[i];
    boolean inGlobal = s.global[i];
    s.tiers[i] = null;
    push(slot);
    if (tier != null) {
      tier.give(cost);
    }
    if (inGlobal) {
      global.give(cost);
    }
  }

  /** Reclaims every permit whose deadline is at or before {@code now}; returns how many. */
  int expire(long now) {
    int n = 0;
    Segment[] segs = segments;
    for (int k = 0; k < segs.length; k++) {
      Segment s = segs[k];
      for (int i = 0; i < SEGMENT; i++) {
        long permit = (long) TAGS.getAcquire(s.tags, i);
        // The deadline read belongs to this permit if the CAS below succeeds: handles never repeat.
        if (permit != 0 && now >= s.deadlines[i] && TAGS.compareAndSet(s.tags, i, permit, 0L)) {
          free(s, i, k * SEGMENT + i);
          n++;
        }
      }
    }
    if (n > 0) {
      expired.addAndGet(n);
    }
    return n;
  }

  private void sweepIfDue(long now) {
    long due = nextSweep;
    if (now >= due && NEXT_SWEEP.compareAndSet(this, due, Saturating.add(now, sweepNanos))) {
      expire(now);
    }
  }

  /** Returns how many permits have expired since the table was created. */
  long expired() {
    return expired.get();
  }

  private void push(int slot) {
    Segment s = segments[slot >>> SEGMENT_BITS];
    for (;;) {
      long h = head;
      s.next[slot & MASK] = (int) h;
      if (HEAD.compareAndSet(this, h, ((h >>> 32) + 1) << 32 | (slot + 1))) {
        return;
      }
    }
  }

  /** Returns a free slot, or -1 if none. */
  private int pop() {
    for (;;) {
      long h = head;
      int top = (int) h;
      if (top == 0) {
        return -1;
      }
      int slot = top - 1;
      int next = segments[slot >>> SEGMENT_BITS].next[slot & MASK];
      if (HEAD.compareAndSet(this, h, ((h >>> 32) + 1) << 32 | (next & 0xffff_ffffL))) {
        return slot;
      }
    }
  }
}
