package dev.sluice.redis;

import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Diagnostics of this node's lease on the global level, from its top-up replies, for the benchmark
 * driver: replies, saturated ones, tokens granted, mean and longest round trip (lease clock), the
 * longest time from a reply to its tokens in the lease, and how long the bucket sat full in Redis
 * between two replies (its refill spilled over, unclaimed). Thread-safe; recorded once per top-up
 * reply, on the thread that completes it.
 */
final class GlobalLeaseStats {

  private final LongAdder replies = new LongAdder();
  private final LongAdder tokens = new LongAdder();
  private final LongAdder roundTripNanos = new LongAdder();
  private final LongAdder saturated = new LongAdder();
  private final AtomicLong longestRoundTrip = new AtomicLong();
  private final AtomicLong longestApply = new AtomicLong();
  /** Under this object's monitor: the last reply's store time and the debt it left (ns); 0 time = none. */
  private long lastReplyAt;
  private long lastDebt;
  private long fullNanos;
  private long longestFull;

  /**
   * Records a reply that granted {@code granted} of {@code requested} tokens after {@code roundTrip}
   * (lease clock), read at store time {@code storeNow} with {@code debt} left in the bucket (ns).
   * The bucket was full for the part of the time since the previous reply beyond the debt that reply
   * left (decisions made in Redis between the two are not seen: an upper bound on one node).
   */
  void reply(long granted, long requested, long roundTrip, long storeNow, long debt) {
    replies.increment();
    tokens.add(granted);
    roundTripNanos.add(roundTrip);
    longestRoundTrip.accumulateAndGet(roundTrip, Math::max);
    if (granted < requested) {
      saturated.increment();
    }
    synchronized (this) {
      if (lastReplyAt != 0) {
        long over = storeNow - lastReplyAt - lastDebt;
        if (over > 0) {
          fullNanos += over;
          longestFull = Math.max(longestFull, over);
        }
      }
      lastReplyAt = storeNow;
      lastDebt = debt;
    }
  }

  /** Records that a reply's tokens reached the lease {@code nanos} after the reply came in. */
  void applied(long nanos) {
    longestApply.accumulateAndGet(nanos, Math::max);
  }

  /** Returns the tokens granted so far. */
  long tokens() {
    return tokens.sum();
  }

  /**
   * Returns the total time (ns) the bucket was full between two replies; {@code restart} forgets the
   * last reply first, so the time before the next one (e.g. a wait for a full bucket) is not counted.
   */
  synchronized long fullNanos(boolean restart) {
    if (restart) {
      lastReplyAt = 0;
    }
    return fullNanos;
  }

  @Override
  public synchronized String toString() {
    long n = replies.sum();
    return String.format(Locale.ROOT, "global lease: top-ups %,d (saturated %,d), %,d tokens, round trip mean %.0f µs,"
        + " max %.1f ms; reply to lease max %.1f ms; full in Redis between top-ups %.1f ms in all, longest %.1f ms",
        n, saturated.sum(), tokens.sum(), n == 0 ? 0.0 : roundTripNanos.sum() / 1e3 / n, longestRoundTrip.get() / 1e6,
        longestApply.get() / 1e6, fullNanos / 1e6, longestFull / 1e6);
  }
}
