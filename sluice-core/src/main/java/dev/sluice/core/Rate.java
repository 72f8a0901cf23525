package dev.sluice.core;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * A refill rate: {@code tokens} tokens every {@code periodNanos} nanoseconds, kept as two exact
 * integers so that {@code 6000/min} and {@code 1/h} lose nothing.
 *
 * <p>Buckets enforce a rate through its {@linkplain #intervalNanos() emission interval}, the whole
 * number of nanoseconds one token takes to refill, rounded <em>up</em>: a bucket never refills
 * faster than its configured rate, and is slower by less than one nanosecond per token. A rate
 * that this rounding would make more than 0.1 % slower is <em>rejected</em>, not represented with
 * a sub-nanosecond fraction (which would need the TAT kept in sub-nanosecond units, scaling every
 * clock read and shrinking the clock's range, or a second word of state beside the one-CAS TAT).
 * Every rate up to {@value #MAX_ROUNDED_PER_SECOND} tokens per second is accepted (an interval of
 * at least 1000 ns rounds by less than 0.1 %); above that, only rates within 0.1 % of
 * {@code 10^9 / n} per second for a whole {@code n}: {@code 250000000/s} (4 ns) and
 * {@code 1500000/s} (667 ns, 0.05 % slower) are accepted, {@code 300000000/s} (one token per 4 ns,
 * 16.7 % slower) and {@code 3000000/s} (334 ns, 0.2 % slower) are refused with a message naming
 * the accepted rates on either side. Rates computed at run time go through {@link #atMost} or
 * {@link #times}, which round down to what a bucket enforces instead of failing. Rates above
 * {@value #MAX_PER_SECOND} tokens per second are rejected.
 *
 * <p>The fraction is kept reduced, so {@code new Rate(100, 1_000_000_000)} equals
 * {@code new Rate(1, 10_000_000)} and both print as {@code 100/s}.
 *
 * @param tokens tokens added per period, {@code > 0}
 * @param periodNanos the period in nanoseconds, {@code > 0}
 */
public record Rate(long tokens, long periodNanos) implements Comparable<Rate> {

  /** The largest rate a bucket can enforce: one token per nanosecond. */
  public static final long MAX_PER_SECOND = 1_000_000_000L;

  /** Every rate up to this many tokens per second is enforced within 0.1 % (an interval >= 1000 ns). */
  public static final long MAX_ROUNDED_PER_SECOND = 1_000_000L;

  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  /**
   * Validates both fields and the upper bound, reduces the fraction so equal rates are equal
   * records, and rejects a rate that its whole-nanosecond interval would slow by more than 0.1 %.
   */
  public Rate {
    if (tokens <= 0) {
      throw new IllegalArgumentException("rate tokens: " + tokens + " (expected: > 0)");
    }
    if (periodNanos <= 0) {
      throw new IllegalArgumentException("rate period: " + periodNanos + "ns (expected: > 0)");
    }
    if (tokens > periodNanos) {
      throw new IllegalArgumentException(
          "rate: " + tokens + " per " + periodNanos + "ns (expected: <= " + MAX_PER_SECOND + "/s)");
    }
    long gcd = gcd(tokens, periodNanos);
    tokens /= gcd;
    periodNanos /= gcd;
    if (!enforceable(tokens, periodNanos)) {
      long interval = Math.ceilDiv(periodNanos, tokens);
      double slower = 100.0 * excessNanos(tokens, periodNanos) / ((double) interval * tokens);
      // ceil(10^9 / n) per second has an interval just under n ns, so it rounds to n: accepted.
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "rate: %s would be enforced as one token per %d ns, %.2f %% slower (expected: at most %d/s,"
              + " or a rate within 0.1 %% of a whole number of nanoseconds per token, such as %d/s"
              + " (%d ns) or %d/s (%d ns))",
          format(tokens, periodNanos), interval, slower, MAX_ROUNDED_PER_SECOND,
          Math.ceilDiv(NANOS_PER_SECOND, interval), interval,
          Math.ceilDiv(NANOS_PER_SECOND, interval - 1), interval - 1));
    }
  }

  /** Returns {@code interval * tokens - period}, the nanoseconds rounding adds per {@code tokens}. */
  private static long excessNanos(long tokens, long periodNanos) {
    long r = periodNanos % tokens;
    return r == 0 ? 0 : tokens - r;
  }

  /** Whether rounding the interval up to whole nanoseconds slows the rate by at most 0.1 %. */
  private static boolean enforceable(long tokens, long periodNanos) {
    // excess / (period + excess) <= 1/1000  <=>  999 * excess <= period
    return excessNanos(tokens, periodNanos) <= periodNanos / 999;
  }

  /**
   * Returns {@code tokens} per {@code periodNanos} when a bucket enforces it within 0.1 %, and
   * otherwise what a bucket would enforce for it, one token per {@code ceil(periodNanos / tokens)}
   * nanoseconds: never faster than asked. For rates computed at run time (control loops, shares).
   *
   * @throws IllegalArgumentException if either argument is {@code <= 0} or the rate is above
   *     {@value #MAX_PER_SECOND}/s
   */
  public static Rate atMost(long tokens, long periodNanos) {
    if (tokens > 0 && periodNanos > 0 && tokens <= periodNanos) {
      long gcd = gcd(tokens, periodNanos);
      if (!enforceable(tokens / gcd, periodNanos / gcd)) {
        return new Rate(1, Math.ceilDiv(periodNanos, tokens));
      }
    }
    return new Rate(tokens, periodNanos);
  }

  private static long gcd(long a, long b) {
    while (b != 0) {
      long t = a % b;
      a = b;
      b = t;
    }
    return a;
  }

  /** Returns a rate of {@code tokens} per second. */
  public static Rate perSecond(long tokens) {
    return new Rate(tokens, NANOS_PER_SECOND);
  }

  /** Returns a rate of {@code tokens} per {@code unit}. */
  public static Rate of(long tokens, TimeUnit unit) {
    return new Rate(tokens, unit.toNanos(1));
  }

  /**
   * Parses {@code 100/s}, {@code 6000/min}, {@code 1/h}, {@code 2/d}, {@code 10/ms}, or a plain
   * number of tokens per second such as {@code 250} or {@code 0.5}.
   *
   * @throws IllegalArgumentException with a message that names the accepted forms
   */
  public static Rate parse(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException("rate: empty (expected: e.g. 100/s, 6000/min, 1/h or 250)");
    }
    String s = text.strip().toLowerCase(Locale.ROOT);
    int slash = s.indexOf('/');
    String amount = slash < 0 ? s : s.substring(0, slash).strip();
    long periodNanos = slash < 0 ? NANOS_PER_SECOND : unitNanos(s.substring(slash + 1).strip(), text);
    BigDecimal value;
    try {
      value = new BigDecimal(amount);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "rate: '" + text + "' (expected: a number, optionally /s, /min, /h, /d or /ms)", e);
    }
    if (value.signum() <= 0) {
      throw new IllegalArgumentException("rate: " + text.strip() + " (expected: > 0)");
    }
    // value tokens per period == unscaled tokens per (period * 10^scale).
    value = value.stripTrailingZeros();
    BigInteger tokens = value.unscaledValue();
    BigInteger period = BigInteger.valueOf(periodNanos);
    if (value.scale() > 0) {
      period = period.multiply(BigInteger.TEN.pow(value.scale()));
    } else if (value.scale() < 0) {
      tokens = tokens.multiply(BigInteger.TEN.pow(-value.scale()));
    }
    BigInteger gcd = tokens.gcd(period);
    tokens = tokens.divide(gcd);
    period = period.divide(gcd);
    if (tokens.bitLength() > 62 || period.bitLength() > 62) {
      throw new IllegalArgumentException("rate: " + text.strip() + " (expected: fewer significant digits)");
    }
    if (tokens.compareTo(period) > 0) {
      throw new IllegalArgumentException(
          "rate: " + text.strip() + " (expected: <= " + MAX_PER_SECOND + "/s)");
    }
    return new Rate(tokens.longValueExact(), period.longValueExact());
  }

  private static long unitNanos(String unit, String text) {
    return switch (unit) {
      case "ns" -> 1L;
      case "us" -> 1_000L;
      case "ms" -> 1_000_000L;
      case "s", "sec", "second" -> NANOS_PER_SECOND;
      case "m", "min", "minute" -> 60 * NANOS_PER_SECOND;
      case "h", "hour" -> 3_600 * NANOS_PER_SECOND;
      case "d", "day" -> 86_400 * NANOS_PER_SECOND;
      default -> throw new IllegalArgumentException(
          "rate: '" + text.strip() + "' has unknown unit '" + unit + "' (expected: s, min, h, d or ms)");
    };
  }

  /** Returns the rate in tokens per second (for display and metrics, not for enforcement). */
  public double perSecond() {
    return tokens * (double) NANOS_PER_SECOND / periodNanos;
  }

  /** Returns the whole nanoseconds one token takes to refill, rounded up; at least 1. */
  public long intervalNanos() {
    return Math.ceilDiv(periodNanos, tokens);
  }

  /**
   * Returns this rate multiplied by {@code factor} (e.g. a tier's share of the global rate), exact
   * when it fits in two longs and a bucket enforces it within 0.1 %, and otherwise rounded down,
   * never up (see {@link #atMost}).
   */
  public Rate times(double factor) {
    if (!(factor > 0) || Double.isInfinite(factor)) {
      throw new IllegalArgumentException("rate factor: " + factor + " (expected: > 0)");
    }
    BigDecimal f = BigDecimal.valueOf(factor).stripTrailingZeros();
    BigInteger t = BigInteger.valueOf(tokens).multiply(f.unscaledValue());
    BigInteger p = BigInteger.valueOf(periodNanos);
    if (f.scale() > 0) {
      p = p.multiply(BigInteger.TEN.pow(f.scale()));
    } else {
      t = t.multiply(BigInteger.TEN.pow(-f.scale()));
    }
    BigInteger gcd = t.gcd(p);
    t = t.divide(gcd);
    p = p.divide(gcd);
    int excess = Math.max(t.bitLength(), p.bitLength()) - 62;
    if (excess > 0) {
      t = t.shiftRight(excess);
      p = p.shiftRight(excess).add(BigInteger.ONE);
    }
    if (t.signum() == 0) {
      throw new IllegalArgumentException("rate: " + this + " x " + factor + " (expected: a non-zero rate)");
    }
    if (t.compareTo(p) > 0) {
      throw new IllegalArgumentException(
          "rate: " + this + " x " + factor + " (expected: <= " + MAX_PER_SECOND + "/s)");
    }
    return atMost(t.longValueExact(), p.longValueExact());
  }

  @Override
  public int compareTo(Rate other) {
    // a/b vs c/d with 128-bit cross products.
    return BigInteger.valueOf(tokens).multiply(BigInteger.valueOf(other.periodNanos))
        .compareTo(BigInteger.valueOf(other.tokens).multiply(BigInteger.valueOf(periodNanos)));
  }

  /** Formats as {@code N/s}, {@code N/min}, {@code N/h} or {@code N/d} when exact, else per second. */
  @Override
  public String toString() {
    return format(tokens, periodNanos);
  }

  private static String format(long tokens, long periodNanos) {
    long[] units = {NANOS_PER_SECOND, 60 * NANOS_PER_SECOND, 3_600 * NANOS_PER_SECOND, 86_400 * NANOS_PER_SECOND};
    String[] names = {"s", "min", "h", "d"};
    for (int i = 0; i < units.length; i++) {
      if (units[i] % periodNanos == 0) {
        return tokens * (units[i] / periodNanos) + "/" + names[i];
      }
    }
    return BigDecimal.valueOf(tokens).multiply(BigDecimal.valueOf(NANOS_PER_SECOND))
        .divide(BigDecimal.valueOf(periodNanos), 6, java.math.RoundingMode.HALF_EVEN)
        .stripTrailingZeros().toPlainString() + "/s";
  }
}
