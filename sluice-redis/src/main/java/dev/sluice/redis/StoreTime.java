package dev.sluice.redis;

import dev.sluice.core.Clock;
import dev.sluice.core.Limit;
import dev.sluice.core.LimiterSpec;
import dev.sluice.core.TierSpec;

/**
 * The time base of the bucket script. In production the script reads Redis {@code TIME} and works
 * in microseconds, so nodes with skewed clocks agree; with an injected {@link Clock} (tests, the
 * simulator) the clock's nanoseconds are passed in and the script works in nanoseconds.
 *
 * <p>Lua numbers are doubles, exact for integers up to 2^53. Every value the script computes is at
 * most {@code now + burst * interval} (TAT) or {@code burst * interval} (capacity), so a limit is
 * accepted only when {@code burst * interval <= 2^52} units and {@code |now| <= 2^52} units:
 * in microseconds that is a capacity of up to 142 years from a clock good until the year 2112; in
 * nanoseconds, 52 days of capacity on a clock within ±52 days of its origin. Immutable.
 */
final class StoreTime {

  /** The largest capacity or |now| in units the script handles exactly (2^52). */
  static final long MAX_UNITS = 1L << 52;

  private final Clock clock;
  private final long unitNanos;

  StoreTime(Clock clock) {
    this.clock = clock;
    this.unitNanos = clock == null ? 1_000 : 1;
  }

  /** Returns the script's {@code now} argument: empty for Redis {@code TIME}, else the clock's reading. */
  String nowArg() {
    if (clock == null) {
      return "";
    }
    long now = clock.nanoTime();
    if (Math.abs(now) > MAX_UNITS) {
      throw new IllegalStateException("clock: " + now + " ns (expected: within ±2^52 ns for the Lua script's exact arithmetic)");
    }
    return Long.toString(now);
  }

  /**
   * Returns the bucket script's arguments: {@code op}, now, {@code amount}, units per ms, expiry
   * slack, then burst and interval (in units) of each limit.
   */
  String[] args(char op, long amount, Limit[] limits) {
    String[] a = new String[5 + 2 * limits.length];
    a[0] = String.valueOf(op);
    a[1] = nowArg();
    a[2] = Long.toString(amount);
    a[3] = Long.toString(unitsPerMs());
    a[4] = Long.toString(expirySlackMs());
    for (int i = 0; i < limits.length; i++) {
      a[5 + 2 * i] = Long.toString(limits[i].burst());
      a[6 + 2 * i] = Long.toString(intervalUnits(limits[i]));
    }
    return a;
  }

  /** Returns a limit's emission interval in units, rounded up (a bucket never refills faster). */
  long intervalUnits(Limit limit) {
    return Math.ceilDiv(limit.rate().intervalNanos(), unitNanos);
  }

  /** Returns units as nanoseconds, saturating. */
  long toNanos(long units) {
    return units > Long.MAX_VALUE / unitNanos ? Long.MAX_VALUE : units * unitNanos;
  }

  /** Returns the units in one millisecond. */
  long unitsPerMs() {
    return 1_000_000 / unitNanos;
  }

  /**
   * Returns the extra milliseconds a key lives after its bucket is full again: 1 with Redis time;
   * an hour with an injected clock, whose time need not pass as fast as Redis's.
   */
  long expirySlackMs() {
    return clock == null ? 1 : 3_600_000;
  }

  /** Rejects a spec with a limit the script cannot compute exactly. */
  void check(LimiterSpec spec) {
    for (TierSpec t : spec.tiers().values()) {
      check("tiers." + t.name() + ".per-client", t.perClient());
      check("tiers." + t.name() + ".aggregate", t.aggregate());
      t.clients().forEach((key, limit) -> check("tiers." + t.name() + ".clients." + key, limit));
    }
    check("global", spec.global());
  }

  private void check(String path, Limit limit) {
    if (limit == null) {
      return;
    }
    long interval = intervalUnits(limit);
    if (limit.burst() > MAX_UNITS / interval) {
      throw new IllegalArgumentException(path + ": " + limit + " needs burst × interval = " + limit.burst()
          + " × " + interval + (unitNanos == 1 ? " ns" : " µs") + " (expected: <= 2^52 for the Redis store)");
    }
  }
}
