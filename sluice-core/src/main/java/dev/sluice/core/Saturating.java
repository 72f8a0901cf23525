package dev.sluice.core;

/** Long arithmetic that clamps to {@code Long.MIN_VALUE}/{@code Long.MAX_VALUE} instead of wrapping. */
final class Saturating {

  private Saturating() {}

  /** Returns {@code a + b}, clamped. */
  static long add(long a, long b) {
    long r = a + b;
    if (((a ^ r) & (b ^ r)) < 0) {
      return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
    return r;
  }

  /** Returns {@code a - b}, clamped. */
  static long subtract(long a, long b) {
    long r = a - b;
    if (((a ^ b) & (a ^ r)) < 0) {
      return a < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
    return r;
  }

  /** Returns {@code a * b} for non-negative operands, clamped to {@code Long.MAX_VALUE}. */
  static long multiply(long a, long b) {
    long r = a * b;
    if (Math.multiplyHigh(a, b) != 0 || r < 0) {
      return Long.MAX_VALUE;
    }
    return r;
  }

  /** Returns {@code ceil(a * b / c)} for non-negative {@code a}, {@code b} and positive {@code c}, clamped. */
  static long mulDivCeil(long a, long b, long c) {
    long hi = Math.multiplyHigh(a, b);
    long lo = a * b;
    if (hi == 0 && lo >= 0) {
      return Math.ceilDiv(lo, c);
    }
    java.math.BigInteger[] qr = java.math.BigInteger.valueOf(a).multiply(java.math.BigInteger.valueOf(b))
        .divideAndRemainder(java.math.BigInteger.valueOf(c));
    java.math.BigInteger q = qr[1].signum() == 0 ? qr[0] : qr[0].add(java.math.BigInteger.ONE);
    return q.bitLength() > 63 ? Long.MAX_VALUE : q.longValue();
  }
}
