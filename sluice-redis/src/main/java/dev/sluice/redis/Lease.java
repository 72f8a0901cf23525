package dev.sluice.redis;

import dev.sluice.core.Limit;
import java.util.concurrent.atomic.LongAdder;

/**
 * This node's lease on one hot bucket: tokens taken from Redis in advance and spent locally, topped
 * up before they run out, plus the demand estimate that sizes the lease. Thread-safe (every method
 * holds this object's monitor, briefly and without I/O).
 *
 * <p>Invariants:
 * <ol>
 *   <li>At most one lease per bucket per node, holding at most its target size: a top-up asks Redis
 *       for {@code target - tokens - pending - returning}, where pending are tokens taken by
 *       requests whose other levels are still being decided in Redis and returning are tokens taken
 *       out for return whose return call has not finished (so tokens left, pending, being granted
 *       and being returned never exceed the target: each is consumed in Redis and may still be
 *       admitted); at most one top-up is in flight, and every top-up bumps the epoch, so tokens
 *       taken before it are never given back on top of it.
 *   <li>Tokens are spent only while the lease is unexpired and was granted under the limit now in
 *       force; an expired lease or one under an older limit is emptied (the leftover goes back to
 *       Redis) before it is topped up again.
 *   <li>A lease is <em>saturated</em> when its last top-up got less than it asked for: the bucket in
 *       Redis was empty. While a saturated lease is empty and a top-up is in flight (or the next one
 *       is paced, see {@link #endTopUp}), requests are denied locally. Denying never admits anything,
 *       so this keeps every bound; it stops a saturated bucket from costing a round trip per denial.
 * </ol>
 *
 * <p><b>Denials without the monitor.</b> A saturated, empty lease is published in volatile fields
 * ({@link #take}'s fast path), so the local denials of a saturated bucket, which come at the callers'
 * full speed (millions per second on one node), neither take the monitor nor count their demand
 * under it (a striped adder folded in under the monitor). With every denial on the monitor, the
 * Lettuce thread ending a top-up ({@link #endTopUp}) lost the (unfair) monitor to the deciding
 * threads for up to 0.7 s on a loaded machine, the lease stayed "refilling" and denied all that
 * time, and the bucket filled up in Redis and overflowed: the saturated 1-node benchmark cell
 * under-admitted by 12-21 % (docs/benchmarks.md, issue 18). The fast path only ever denies; a stale read can deny a request the
 * locked path would have served (under-admission, never over).
 */
final class Lease {

  /** {@link #take}: the lease cannot cover the request; decide it in Redis. */
  static final long MISS = -1;
  /** {@link #take}: the lease is saturated and empty with a top-up in flight or paced: deny locally. */
  static final long DENY = -2;
  /** {@link #take}: saturated and empty, and a top-up may start now: deny locally if it does. */
  static final long DRY = -3;

  private static final int EPOCH_BITS = 30;
  private static final long EPOCH_MASK = (1L << EPOCH_BITS) - 1;
  private static final long LEFT_MAX = (1L << 32) - 1;

  private long tokens;
  /** Tokens taken by requests not decided yet (another level is in Redis): still outstanding. */
  private long pending;
  /**
   * Tokens taken out for return to Redis ({@link #beginTopUp}, {@link #expire}) until the caller
   * reports the return call finished ({@link #returned}): still outstanding, since a top-up sent
   * meanwhile may reach Redis first.
   */
  private long returning;
  private long expiresAt;
  private Limit limit;
  private boolean refilling;
  private long epoch;
  private long target;
  private boolean saturated;
  private long paceUntil;
  private long resetNanos;
  private long windowStart;
  private long windowDemand;
  private double ratePerSecond;
  private Limit lastSeen;
  /** Tokens of demand ever counted, and that count when the top-up in flight was sent. */
  private long demandTotal;
  private long demandAtSend;
  /**
   * Whether top-ups start only when the lease is empty (asking for the whole target) rather than
   * at half: set when the demand during the last top-up's round trip was at least half the target,
   * i.e. the half left when it was sent did not last the round trip (see {@link #endTopUp}).
   */
  private boolean wholeTopUps;
  /**
   * Published for {@link #take}'s fast path, written under the monitor (the others before
   * {@code dry}), read without it: {@code dry} is {@link #OPEN} unless the lease is saturated and
   * empty, then {@link #DRY_REFILLING} or {@link #DRY_PACED} (until {@code dryPaceUntil}).
   */
  private volatile int dry;
  private volatile Limit dryLimit;
  private volatile long dryExpiresAt;
  private volatile long dryPaceUntil;
  private volatile long dryResetNanos;
  /** Demand of the fast-path denials, folded into the window under the monitor. */
  private final LongAdder dryDemand = new LongAdder();
  private static final int OPEN = 0;
  private static final int DRY_REFILLING = 1;
  private static final int DRY_PACED = 2;

  Lease(long now) {
    this.windowStart = now;
  }

  /** Returns the epoch of a successful {@link #take}. */
  static long epochOf(long taken) {
    return taken >>> 33;
  }

  /** Returns the tokens left after a successful {@link #take} (saturating at 2^32 - 1). */
  static long leftOf(long taken) {
    return (taken >>> 1) & LEFT_MAX;
  }

  /** Returns whether a successful {@link #take} left the lease low enough to top it up now. */
  static boolean wantsTopUp(long taken) {
    return (taken & 1) != 0;
  }

  /**
   * Counts {@code cost} tokens of demand at {@code now} (over windows of {@code windowNanos}) and
   * takes them from the lease if it can cover them under {@code current}. Returns a non-negative
   * code for a take (see {@link #epochOf}, {@link #leftOf}, {@link #wantsTopUp}), or
   * {@link #MISS}, {@link #DENY} or {@link #DRY}.
   */
  long take(long now, int cost, long windowNanos, Limit current) {
    int d = dry;
    if (d != OPEN && now - dryExpiresAt < 0 && (d == DRY_REFILLING || now - dryPaceUntil < 0)
        && current.equals(dryLimit)) {
      dryDemand.add(cost);
      return DENY;
    }
    return takeLocked(now, cost, windowNanos, current);
  }

  private synchronized long takeLocked(long now, int cost, long windowNanos, Limit current) {
    lastSeen = current;
    foldDryDemand();
    long elapsed = now - windowStart;
    if (elapsed >= windowNanos) {
      ratePerSecond = windowDemand * 1e9 / elapsed;
      windowStart = now;
      windowDemand = 0;
    }
    windowDemand += cost;
    demandTotal += cost;
    boolean valid = current.equals(limit) && now < expiresAt;
    if (valid && tokens >= cost) {
      tokens -= cost;
      pending += cost;
      if (saturated && tokens == 0) {
        publish();
      }
      boolean below = wholeTopUps ? tokens == 0 : tokens * 2 < target;
      boolean low = !refilling && below && (!saturated || now - paceUntil >= 0);
      return (epoch & EPOCH_MASK) << 33 | Math.min(tokens, LEFT_MAX) << 1 | (low ? 1 : 0);
    }
    if (valid && saturated) {
      return refilling || now - paceUntil < 0 ? DENY : DRY;
    }
    return MISS;
  }

  /**
   * Returns this node's recent demand on the bucket in tokens per second at {@code now}: the rate of
   * the last full window, or of the window in progress once a tenth of it has passed, whichever is
   * higher (so a lease grows within a fraction of a window when demand rises, and shrinks after a
   * full window when it falls).
   */
  synchronized double ratePerSecond(long now, long windowNanos) {
    foldDryDemand();
    long elapsed = now - windowStart;
    if (elapsed >= Math.max(1, windowNanos / 10)) {
      return Math.max(ratePerSecond, windowDemand * 1e9 / elapsed);
    }
    return ratePerSecond;
  }

  /**
   * Returns whether the demand during the last top-up's round trip reached half the target: the
   * lease ran (or nearly ran) dry before the reply. The caller then sizes the next top-up at the
   * node's full share rather than by the demand estimate: while a lease is dry, requests wait on
   * Redis, so the demand it sees is throttled by the round trip (a closed loop), and sizing by it
   * kept the lease too small to catch up.
   */
  synchronized boolean starved() {
    return wholeTopUps;
  }

  /** Settles tokens taken by {@link #take} for a request that was admitted: they are spent. */
  synchronized void settle(int cost) {
    pending -= cost;
  }

  /**
   * Gives back tokens taken by {@link #take} for a request another level denied; they return to
   * the lease only if no top-up or drain happened since (else they are dropped: under-admission).
   */
  synchronized void giveBack(long takenEpoch, int cost) {
    pending -= cost;
    if (takenEpoch == (epoch & EPOCH_MASK)) {
      tokens += cost;
      publish();
    }
  }

  /** Returns the limit in force at the last recorded demand, which a return of tokens is made under. */
  synchronized Limit lastSeen() {
    return lastSeen;
  }

  /**
   * Returns the time until the bucket was full again at the last top-up reply, in nanoseconds (read
   * without the monitor: for a local denial's reset).
   */
  long resetNanos() {
    return dryResetNanos;
  }

  /**
   * Returns the instant before which a saturated lease does not ask Redis again (read without the
   * monitor: for a local denial's retry-after).
   */
  long paceUntil() {
    return dryPaceUntil;
  }

  /** Adds the demand of the fast-path denials to the window and the total (under the monitor). */
  private void foldDryDemand() {
    if (dryDemand.sum() != 0) {
      long d = dryDemand.sumThenReset();
      windowDemand += d;
      demandTotal += d;
    }
  }

  /** Publishes the fast-path state (and the pace and reset a denial reports) after a change under the monitor. */
  private void publish() {
    dryPaceUntil = paceUntil;
    dryResetNanos = resetNanos;
    int d = OPEN;
    if (saturated && tokens == 0 && limit != null) {
      dryLimit = limit;
      dryExpiresAt = expiresAt;
      d = refilling ? DRY_REFILLING : DRY_PACED;
    }
    if (dry != d) {
      dry = d;
    }
  }

  /**
   * Reports that the return of {@code tokens} taken out by {@link #beginTopUp} or {@link #expire}
   * finished, whether Redis took them back or the call failed (then they are lost: under-admission).
   */
  synchronized void returned(long tokens) {
    returning -= tokens;
  }

  /** Returns whether no top-up and no return of this lease is in flight. */
  synchronized boolean settled() {
    return !refilling && returning == 0;
  }

  /** A top-up to send: return {@code giveBack} tokens (leased under {@code giveBackUnder}), then lease {@code request}. */
  record TopUp(long giveBack, Limit giveBackUnder, long request) {}

  /**
   * Starts a top-up to {@code size} tokens under {@code current} unless one is in flight: an expired
   * lease, or one granted under another limit, is emptied first (its leftover is to be returned,
   * under the limit it was granted under, and the caller reports with {@link #returned} when that
   * call finished); then the caller leases {@code request = size - tokens left - pending -
   * returning} and ends with {@link #endTopUp}. Returns null when there is nothing to do; a request
   * of 0 means only the return (no top-up started).
   */
  synchronized TopUp beginTopUp(long now, long size, Limit current) {
    if (refilling) {
      return null;
    }
    long back = 0;
    Limit backUnder = limit;
    if (!current.equals(limit) || now >= expiresAt) {
      back = tokens;
      tokens = 0;
      returning += back;
      epoch++;
    }
    if (!current.equals(limit)) {
      limit = current;
      saturated = false;
      publish();
    }
    // Taken-but-undecided tokens and tokens on their way back count: the lease plus them never
    // exceed the target (a return and this top-up may reach Redis in either order).
    long request = size - tokens - pending - returning;
    if (request < 1) {
      return back > 0 ? new TopUp(back, backUnder, 0) : null;
    }
    refilling = true;
    epoch++;
    target = size;
    foldDryDemand();
    demandAtSend = demandTotal;
    publish();
    return new TopUp(back, backUnder, request);
  }

  /**
   * Ends a top-up: {@code granted} tokens (0 when Redis had none or failed) under {@code grantedUnder},
   * the lease valid until {@code until}. When Redis replied ({@code replied}) with less than
   * {@code requested}, the lease is saturated and is not topped up again before {@code paceUntil}.
   *
   * <p>Reorder point: when the demand during this top-up's round trip reached half the target, a
   * lease topped up at half runs dry before each reply and takes in only half its target per round
   * trip (a node could then not carry more than {@code L / (2 * round trip)}, under the bucket's rate
   * on a slow link, and the bucket overflowed in Redis). The next top-ups then start only when the
   * lease is empty, asking for the whole target; once the demand during a round trip falls below
   * half the target they start at half again, so a lease at moderate demand never runs dry. Either
   * way a top-up asks only for what is missing from the target: the bound is unchanged.
   */
  synchronized void endTopUp(long granted, long requested, boolean replied, Limit grantedUnder, long until,
      long paceUntil, long resetNanos) {
    refilling = false;
    foldDryDemand();
    if (!grantedUnder.equals(limit)) {
      // Not reachable through beginTopUp (it sets the limit); kept for safety: never mix limits.
      tokens = 0;
      epoch++;
      limit = grantedUnder;
    }
    tokens += granted;
    wholeTopUps = (demandTotal - demandAtSend) * 2 >= target;
    if (replied) {
      expiresAt = until;
      saturated = granted < requested;
      this.paceUntil = paceUntil;
      this.resetNanos = resetNanos;
    } else {
      saturated = false;
    }
    publish();
  }

  /**
   * Takes out the leftover of an expired lease for return to Redis; 0 when there is none. The
   * caller reports with {@link #returned} when the return call finished.
   */
  synchronized long expire(long now) {
    if (refilling || tokens == 0 || now < expiresAt) {
      return 0;
    }
    long left = tokens;
    tokens = 0;
    returning += left;
    epoch++;
    publish();
    return left;
  }

  /**
   * Takes out every leased token (close, or Redis lost: no top-up follows); the caller decides what
   * to do with them.
   */
  synchronized long drain() {
    long left = tokens;
    tokens = 0;
    epoch++;
    saturated = false;
    publish();
    return left;
  }

  /** Returns the lease's state at {@code now} (diagnostics: the benchmark driver prints it). */
  synchronized String describe(long now) {
    return "tokens " + tokens + ", pending " + pending + ", returning " + returning + ", target " + target
        + (refilling ? ", refilling" : "") + (saturated ? ", saturated" : "") + (wholeTopUps ? ", whole" : "")
        + ", paced " + Math.max(0, paceUntil - now) / 1000 + " us, expires in " + (expiresAt - now) / 1000 + " us"
        + ", demand " + Math.round(ratePerSecond) + "/s" + (dry != OPEN ? ", denying without the monitor" : "");
  }
}
