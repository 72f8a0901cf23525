package dev.sluice.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Per-thread token leases on one contended {@link GcraBucket}: a thread takes a small batch of
 * tokens from the shared bucket with one CAS and serves its next decisions on that bucket from its
 * own cell, so two threads deciding on one hot key stop moving the bucket's cache line on every
 * call. Thread-safe, lock-free, allocation-free once built; a bucket builds its leases the first
 * time it loses a CAS ({@link GcraBucket#take}).
 *
 * <p>A lease is a span of the bucket's GCRA timeline, not a count: taking {@code L} tokens at
 * {@code now} moves the bucket's TAT from {@code T} to {@code T' = max(T, now) + L * interval},
 * and the lease owns the slots of {@code [T' - L * interval, T')}, each {@code interval} long.
 * Invariants:
 * <ol>
 *   <li><b>Exact bound.</b> A grant of cost {@code c} at {@code now} takes the next
 *       {@code c} slots starting at {@code s = max(next, now)}, and only if they end by the lease's
 *       end. So every admitted token, leased or not, owns a slot that starts no earlier than its
 *       decision's instant and ends no later than that instant plus {@code burst * interval}
 *       (true when the lease was taken, earlier), and no two tokens share a slot. Over any window
 *       {@code [a, b]} the tokens admitted own disjoint slots inside {@code [a, b + burst *
 *       interval]}: at most {@code burst + (b - a) / interval}, the same bound as without leases.
 *       A leased token granted at its lease's instant would not need this; one granted later
 *       would, without the rule: a lease's unused slot that time has passed is refill a full
 *       bucket would have dropped, so it is skipped (it ages out) rather than granted.
 *   <li><b>Bounded under-admission.</b> Leased slots that lie ahead of the clock count as debt on
 *       the shared bucket although nobody has been granted them yet. A direct decision is therefore
 *       denied only when the bucket, with every unused leased token returned, would hold fewer than
 *       {@code cost + cells * leaseTokens} tokens, and {@code cells * leaseTokens <= burst / 4}
 *       ({@link GcraBucket.Params#leaseTokens}). Unused slots age out once the clock passes them,
 *       at the latest {@code burst * interval} after the lease was taken; a lease left over after a
 *       limit change is never used again.
 *   <li><b>All or nothing.</b> A grant that a later level denies is given back to its cell
 *       ({@link #giveBack}) unless the cell moved on meanwhile (only when two threads share a cell).
 *   <li><b>Progress.</b> A thread never waits: a cell being refilled, or a lost CAS on a cell
 *       (two threads hashed to one cell), sends the decision to the shared bucket directly.
 * </ol>
 */
final class TokenLeases {

  /*
   * A cell holds (next, end, params): the start of the next free slot, the lease's end, and the
   * parameters it was taken under (a limit change makes every cell stale at once). Only next is
   * CASed; it doubles as the cell's version. A grant reads next, then end and params, and CASes
   * next forward. A refill CASes next to BUSY, takes the lease from the bucket, writes end and
   * params, and publishes next strictly above the value it replaced; a give-back CASes next back
   * to the value before its own grant, restoring exactly the state that grant read. So whenever
   * next holds a value it held before, end and params are those it had then, and a CAS that
   * succeeds was computed against the cell's current lease. A cell is padded to its own cache
   * lines; a thread's cell is picked by its thread id, so the threads of one pool (created
   * together, consecutive ids) land in distinct cells.
   */

  /** Number of cells: twice the processors, rounded up to a power of two, at most 64. */
  static final int CELLS = Math.min(64, Integer.highestOneBit(Math.max(1, Runtime.getRuntime().availableProcessors()) * 4 - 1));

  /** {@link #take} and {@link #giveBack} flag on a debt that a lease, not the bucket, granted. */
  static final long LEASED = 1L << 62;

  /** {@code next} of a cell being refilled. */
  private static final long BUSY = Long.MIN_VALUE;
  /** {@code next} and {@code end} of a cell that never held a lease. */
  private static final long EMPTY = Long.MIN_VALUE + 1;

  private static final VarHandle NEXT;

  static {
    try {
      NEXT = MethodHandles.lookup().findVarHandle(CellFields.class, "next", long.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** Padding before a cell's fields (superclass fields are laid out first). */
  abstract static class CellPadding {
    long p0, p1, p2, p3, p4, p5, p6, p7;
  }

  /** A cell's state. */
  abstract static class CellFields extends CellPadding {
    volatile long next = EMPTY;
    volatile long end = EMPTY;
    volatile GcraBucket.Params params;
  }

  /** One lease cell with padding after its fields too. */
  static final class Cell extends CellFields {
    long q0, q1, q2, q3, q4, q5, q6, q7;
  }

  /**
   * Where a lease's batch comes from: a {@link GcraBucket}, or a client slot of a
   * {@link ClientTable} ({@link ClientLeases.Hot}). Returns as {@link GcraBucket#tryConsume}.
   */
  interface Source {
    long tryConsume(long now, long cost, GcraBucket.Params p);
  }

  private final Cell[] cells = new Cell[CELLS];

  TokenLeases() {
    for (int i = 0; i < cells.length; i++) {
      cells[i] = new Cell();
    }
  }

  private Cell cell() {
    return cells[(int) Thread.currentThread().threadId() & (CELLS - 1)];
  }

  /**
   * Admits {@code cost} at {@code now} under {@code p} from the calling thread's lease, refilling
   * it from {@code bucket} (a {@link GcraBucket} or a client slot) when it cannot, or from
   * {@code bucket} directly.
   *
   * @return as {@link GcraBucket#tryConsume}; an admission served by a lease is its slot's end
   *     minus {@code now}, flagged with {@link #LEASED}
   */
  long take(Source bucket, long now, long cost, GcraBucket.Params p) {
    Cell c = cell();
    long n = c.next;
    long costNanos = Saturating.multiply(cost, p.interval);
    if (n != BUSY && c.params == p) {
      long s = Math.max(n, now);
      long e = c.end;
      if (s <= e && costNanos <= e - s) {
        if (NEXT.compareAndSet(c, n, s + costNanos)) {
          return LEASED | (s + costNanos - now);
        }
        return bucket.tryConsume(now, cost, p); // another thread shares this cell
      }
    }
    long size = p.leaseTokens;
    if (n == BUSY || cost >= size || !NEXT.compareAndSet(c, n, BUSY)) {
      return bucket.tryConsume(now, cost, p);
    }
    long d = bucket.tryConsume(now, size, p);
    if (d < 0) {
      c.next = n; // nothing written but next: the cell is as it was
      return d == GcraBucket.STALE || d == GcraBucket.GONE ? d : bucket.tryConsume(now, cost, p);
    }
    long end = now + d;
    // The lease's first slot, kept above every value next held so far (next is the cell's version).
    long s = Math.max(Math.max(end - size * p.interval, now), n + 1);
    c.end = end;
    c.params = p;
    if (costNanos > end - s) {
      // Only when a refund moved the bucket's TAT below this cell's last lease: too little left.
      c.next = s;
      return bucket.tryConsume(now, cost, p);
    }
    c.next = s + costNanos;
    return LEASED | (s + costNanos - now);
  }

  /**
   * Gives a grant of {@link #take} ({@code outcome} with {@link #LEASED}, at {@code now}) back to
   * the calling thread's cell, unless the cell moved on meanwhile; returns whether it did.
   */
  boolean giveBack(long now, long outcome, long cost, GcraBucket.Params p) {
    Cell c = cell();
    long ours = now + (outcome & ~LEASED);
    return c.params == p && NEXT.compareAndSet(c, ours, ours - Saturating.multiply(cost, p.interval));
  }

  /**
   * Returns whether some cell may still grant a slot at or after {@code now}: one being refilled,
   * or one whose lease ends after {@code now}.
   */
  boolean mayGrantAfter(long now) {
    for (Cell c : cells) {
      long n = c.next;
      if (n == BUSY || n != EMPTY && c.end > now) {
        return true;
      }
    }
    return false;
  }

  /** Returns the leased tokens not yet granted whose slots lie after {@code now}, for tests. */
  long unusedTokens(long now, GcraBucket.Params p) {
    long total = 0;
    for (Cell c : cells) {
      long n = c.next;
      if (n != BUSY && n != EMPTY && c.params == p) {
        long s = Math.max(n, now);
        total += Math.max(0, c.end - s) / p.interval;
      }
    }
    return total;
  }
}
