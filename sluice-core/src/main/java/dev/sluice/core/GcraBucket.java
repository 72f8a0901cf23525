package dev.sluice.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One token bucket enforced with GCRA on a single {@code long}, the theoretical arrival time
 * (TAT). Thread-safe; {@link #tryConsume} is lock-free and allocation-free.
 *
 * <p>Invariants and progress:
 * <ol>
 *   <li>The bucket's debt at instant {@code now} is {@code max(0, tat - now)} nanoseconds; its
 *       tokens are {@code burst - debt / interval}. A request of cost {@code c} is admitted iff
 *       {@code debt + c * interval <= burst * interval}, and then moves TAT to
 *       {@code now + debt + c * interval} with one CAS. Hence over any window of length t, admitted
 *       cost is at most {@code burst + t / interval <= burst + rate * t}.
 *   <li>All arithmetic saturates. A TAT that would pass {@code Long.MAX_VALUE} is never stored: the
 *       request is denied instead, so the end of the clock's range denies rather than wraps.
 *   <li>{@link #tryConsume} retries its CAS only when another thread changed TAT in between, so
 *       some thread always makes progress; it spins only while a reconfiguration of this very
 *       bucket is between its two writes.
 *   <li>{@link #reconfigure} is serialised per bucket, keeps the fraction of tokens left
 *       (proportional carry-over, rounding toward fewer tokens), and always stores a TAT different
 *       from the one it replaced, so a decision computed with the old parameters fails its CAS.
 *   <li>A decision whose instant precedes the last rescale (it read the clock, then the bucket
 *       was rescaled before its CAS) converts the gap up to the rescale at the rescale's ratio, as
 *       if the change had applied at its instant, and adds its cost to the debt at the rescale;
 *       one whose instant precedes the rescale before that is denied (retry at once).
 *   <li>The first lost CAS under parameters that allow leases builds the bucket's
 *       {@link TokenLeases}; from then on {@link #take} serves each thread from a lease of the
 *       bucket's timeline, within the same bound (see there), and {@link #refund} gives back only
 *       a consumption nothing was reserved after.
 * </ol>
 */
final class GcraBucket implements TokenLeases.Source {

  /*
   * Reconfiguration protocol. A decision reads params, then tat, then checks params again, and
   * finally CASes tat. A reconfiguration (under this bucket's monitor) CASes tat to LOCKED, writes
   * the new params, and writes the rescaled tat. A decision that saw LOCKED waits; one that read
   * the old params and the old tat can only succeed before the reconfiguration's first CAS, in
   * which case the reconfiguration rescales the decision's result; after it, tat differs from what
   * the decision read (a full bucket's TAT moves to now, or 1 ns below the old TAT when that is
   * within 1 ns of now; a rescaled debt is nudged by 1 ns when it would be equal), so the CAS
   * fails. A stale CAS could succeed only if further reconfigurations brought tat back to exactly
   * the value read, within one decision's read-compute-CAS window.
   */

  /** TAT while a reconfiguration rescales the bucket. */
  static final long LOCKED = Long.MIN_VALUE;
  /** TAT of a retired client slot ({@link ClientSlots}); a bucket with it answers {@link #GONE}. */
  static final long RETIRED = Long.MIN_VALUE + 1;
  /** TAT of a new bucket: far in the past, so the bucket is full at any instant. */
  static final long FULL = Long.MIN_VALUE + 2;

  /** {@link #tryConsume} result: the parameters changed since the caller read them. */
  static final long STALE = Long.MIN_VALUE;
  /** {@link #tryConsume} result: denied, and no amount of waiting helps. */
  static final long NEVER = Long.MIN_VALUE + 1;
  /** {@link #tryConsume} result: the bucket was retired; look the key up again. */
  static final long GONE = Long.MIN_VALUE + 2;
  private static final long MAX_WAIT = Long.MAX_VALUE - 3;

  private static final VarHandle TAT;
  private static final VarHandle LEASES;

  /** The span of the timeline a lease covers, when the burst allows ({@link Params#leaseTokens}). */
  static final long LEASE_SPAN_NANOS = 4_000;

  static {
    try {
      TAT = MethodHandles.lookup().findVarHandle(GcraBucket.class, "tat", long.class);
      LEASES = MethodHandles.lookup().findVarHandle(GcraBucket.class, "leases", TokenLeases.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  /** A bucket's immutable parameters, with the products the hot path needs precomputed. */
  static final class Params {
    final Limit limit;
    final long burst;
    final long interval;
    final long capacityNanos;
    /**
     * Tokens per lease ({@link TokenLeases}): {@link #LEASE_SPAN_NANOS} of refill, at most
     * {@code burst / (4 * TokenLeases.CELLS)} so that all cells together hold at most a quarter
     * of the burst; 0 (no leases) when that is under 2 tokens or the capacity reaches 2^61 ns.
     */
    final long leaseTokens;

    Params(Limit limit) {
      this.limit = limit;
      this.burst = limit.burst();
      this.interval = limit.rate().intervalNanos();
      this.capacityNanos = Saturating.multiply(burst, interval);
      long lease = Math.min(LEASE_SPAN_NANOS / interval, burst / (4L * TokenLeases.CELLS));
      this.leaseTokens = lease >= 2 && capacityNanos < 1L << 61 ? lease : 0;
    }

    /** Whole tokens left for a debt, never negative. */
    long tokens(long debt) {
      return debt >= capacityNanos ? 0 : (capacityNanos - debt) / interval;
    }
  }

  private volatile long tat = FULL;
  private volatile Params params;
  /** Built the first time a CAS on {@link #tat} fails under params that allow leases. */
  private volatile TokenLeases leases;
  /*
   * The instants of the last two rescales and the capacity before the last one. Plain fields:
   * written under the monitor while tat is LOCKED, before params and tat are published, and read
   * by a decision only after it read a tat that was not LOCKED (so the volatile tat orders them).
   */
  private long since = Long.MIN_VALUE;
  private long prevSince = Long.MIN_VALUE;
  private long prevCapacity = 1;

  GcraBucket(Params params) {
    this.params = params;
  }

  GcraBucket(Limit limit) {
    this(new Params(limit));
  }

  Params params() {
    return params;
  }

  Limit limit() {
    return params.limit;
  }

  /** Returns the debt in nanoseconds a TAT represents at {@code now}. */
  static long debt(long tat, long now) {
    return tat > now ? Saturating.subtract(tat, now) : 0;
  }

  /**
   * Tries to consume {@code cost} tokens at {@code now} using parameters {@code p}.
   *
   * @return the debt after admission ({@code >= 0}); {@code -1 - wait} when denied, where
   *     {@code wait} is the nanoseconds until the same request would be admitted; {@link #NEVER}
   *     when denied at the end of the clock's range; {@link #STALE} when {@code p} is no longer
   *     this bucket's parameters
   */
  @Override
  public long tryConsume(long now, long cost, Params p) {
    long costNanos = Saturating.multiply(cost, p.interval);
    for (;;) {
      long t = tat;
      if (t == LOCKED) {
        Thread.onSpinWait();
        continue;
      }
      if (t == RETIRED) {
        return GONE;
      }
      if (params != p) {
        return STALE;
      }
      long debt = debt(t, now);
      long base = now; // the instant the new TAT's debt is measured from
      long s = since;
      if (now < s) {
        // An instant before the last rescale (the decision read the clock, then the bucket was
        // rescaled): the gap [now, s] ran under the previous limit, so its refill is converted at
        // the rescale's ratio like any carried-over debt, and the new TAT adds the cost to the
        // debt at s, the refill of the gap being already in it. debt(t, now) alone counted the
        // gap at the new pace: when the capacity grew, it admitted tokens refilled after the
        // decision's instant; when it shrank, it stored too early a TAT. An instant before the
        // rescale ahead of that one (the decision spanned two): denied, retry at once.
        if (now < prevSince) {
          return -1;
        }
        base = s;
        debt = Saturating.add(debt(t, s), Saturating.mulDivCeil(s - now, p.capacityNanos, prevCapacity));
      }
      long newDebt = Saturating.add(debt, costNanos);
      if (newDebt > p.capacityNanos) {
        return -1 - Math.min(newDebt - p.capacityNanos, MAX_WAIT);
      }
      long stored = base == now ? newDebt : Saturating.add(debt(t, base), costNanos);
      if (base > Long.MAX_VALUE - stored || base + stored < FULL) {
        return NEVER; // the new TAT would pass either end of the clock's range
      }
      if (TAT.compareAndSet(this, t, base + stored)) {
        return base - now + stored;
      }
      if (leases == null && p.leaseTokens > 0) {
        startLeasing();
      }
    }
  }

  void startLeasing() {
    LEASES.compareAndSet(this, null, new TokenLeases());
  }

  /**
   * Consumes {@code cost} tokens at {@code now} under {@code p}: from the calling thread's lease
   * once this bucket has seen contention ({@link TokenLeases}), else as {@link #tryConsume}.
   * Returns as {@link #tryConsume}; a debt flagged with {@link TokenLeases#LEASED} came from a
   * lease and goes back with {@link #giveBack}.
   */
  long take(long now, long cost, Params p) {
    TokenLeases l = leases;
    return l == null ? tryConsume(now, cost, p) : l.take(this, now, cost, p);
  }

  /**
   * Gives back what {@link #take} at {@code consumedAt} returned as {@code outcome} for a request a
   * later level denied: to the thread's lease when it came from one (unless that lease moved on,
   * which only a second thread sharing the cell can cause), else as {@link #refund}.
   */
  void giveBack(Clock clock, long consumedAt, long outcome, long cost, Params p) {
    if ((outcome & TokenLeases.LEASED) != 0) {
      leases.giveBack(consumedAt, outcome, cost, p);
    } else {
      refund(clock, consumedAt, outcome, cost, p);
    }
  }

  /** Returns the leases, or {@code null} before this bucket first saw contention; for tests. */
  TokenLeases leases() {
    return leases;
  }

  /**
   * Gives back tokens consumed at {@code consumedAt} (where {@link #tryConsume} returned
   * {@code consumedDebt}) by a request that a later level denied.
   *
   * <p>It returns only the part of the consumption still outstanding now, {@code min(cost *
   * interval, consumedAt + consumedDebt - now)}: whatever other requests did in between, the bucket
   * then holds no more tokens than if the request had never arrived. {@code now} is read after the
   * TAT it will replace, so every decision that changed the TAT before read an earlier time; this is
   * what makes the bound hold under concurrency. Skipped when the parameters changed meanwhile,
   * and, once the bucket has leases, when something was consumed after the request.
   */
  void refund(Clock clock, long consumedAt, long consumedDebt, long cost, Params p) {
    long ourTat = Saturating.add(consumedAt, consumedDebt);
    long costNanos = Saturating.multiply(cost, p.interval);
    for (;;) {
      long t = tat;
      if (t == LOCKED) {
        Thread.onSpinWait();
        continue;
      }
      if (params != p || t == RETIRED) {
        return;
      }
      long amount = Math.min(costNanos, Saturating.subtract(ourTat, clock.nanoTime()));
      if (amount <= 0 || t != ourTat && leases != null) {
        // With leases, a refund that would slide a later reservation down (a lease's slots among
        // them) is dropped: the lease would keep granting slots at their old places, some of which
        // the slide moved into the past. The tokens then stay debt until the clock passes them.
        return;
      }
      if (TAT.compareAndSet(this, t, Math.max(FULL, Saturating.subtract(t, amount)))) {
        return;
      }
    }
  }

  /** Returns nanoseconds until {@code cost} tokens are available, 0 if now, {@code Long.MAX_VALUE} if never. */
  long waitNanos(long now, long cost) {
    Params p = params;
    long costNanos = Saturating.multiply(cost, p.interval);
    if (costNanos > p.capacityNanos) {
      return Long.MAX_VALUE;
    }
    long need = Saturating.add(debt(readTat(), now), costNanos) - p.capacityNanos;
    return Math.max(0, need);
  }

  /** Returns whole tokens available at {@code now}. */
  long tokens(long now) {
    Params p = params;
    return p.tokens(debt(readTat(), now));
  }

  /** Returns nanoseconds until the bucket is full with no further traffic. */
  long resetNanos(long now) {
    return debt(readTat(), now);
  }

  private long readTat() {
    long t;
    while ((t = tat) == LOCKED) {
      Thread.onSpinWait();
    }
    return t;
  }

  /**
   * Switches to {@code next}, keeping the fraction of tokens left: a bucket 30 % empty stays 30 %
   * empty under the new burst and rate. The switch happens at the instant {@code clock} reads once
   * the bucket is locked.
   */
  synchronized void reconfigure(Clock clock, Params next) {
    Params prev = params;
    if (prev == next) {
      return;
    }
    long t = tat; // never LOCKED here: only this monitor's holder writes LOCKED
    while (t != RETIRED && !TAT.compareAndSet(this, t, LOCKED)) {
      t = tat;
    }
    if (t == RETIRED) {
      params = next; // out of its map for good; nothing to rescale
      return;
    }
    // The rescale's instant is read only now that no decision can change the TAT: every decision
    // that did so before read an earlier time, so its debt is measured from a later instant, never
    // an earlier one (which would credit refill at the new rate for time that ran at the old one).
    long now = clock.nanoTime();
    long nextTat = rescaled(t, now, prev, next);
    prevSince = since;
    since = now;
    prevCapacity = Math.max(1, prev.capacityNanos);
    params = next;
    tat = nextTat;
  }

  /**
   * Returns the TAT that carries {@code t} from {@code prev} over to {@code next} at instant
   * {@code now}, keeping the fraction of tokens left (rounding toward fewer tokens); never equal to
   * {@code t}, so a decision computed from {@code t} with the old parameters fails its CAS.
   */
  static long rescaled(long t, long now, Params prev, Params next) {
    // A TAT of Long.MAX_VALUE may be a rescaled debt clamped at the end of the clock's range, so
    // its true debt is unknown: count the bucket as empty, the safe side.
    long debt = t == Long.MAX_VALUE ? Math.max(prev.capacityNanos, debt(t, now)) : debt(t, now);
    long nextTat;
    if (debt == 0) {
      // Full: anchor at now, so the bucket stays full under any limit. Were the old TAT (<= now)
      // nudged forward by 1 ns instead, a TAT equal to now would become a debt of 1 ns, which is
      // the whole capacity of a 1-token, 1-ns limit and, converted back, of any other. Within 1 ns
      // of now, step below the old TAT instead, so changes at one instant never revisit a TAT.
      nextTat = t < now - 1 ? now : t - 1;
      if (nextTat < FULL) {
        // Only at now == FULL (the bottom of the clock's range), where the markers lie below t:
        // 1 ns of debt, the safe side.
        nextTat = t + 1;
      }
    } else {
      long nextDebt = Saturating.mulDivCeil(debt, next.capacityNanos, prev.capacityNanos);
      nextTat = Saturating.add(now, nextDebt);
      if (nextTat == t) {
        nextTat = t == Long.MAX_VALUE ? t - 1 : t + 1;
      }
    }
    return nextTat;
  }

  @Override
  public String toString() {
    return "GcraBucket[" + params.limit + "]";
  }
}
