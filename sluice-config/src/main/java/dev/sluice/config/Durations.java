package dev.sluice.config;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses config durations: a number with a unit ({@code 250ms}, {@code 10s}, {@code 1.5s}, {@code
 * 2m}, {@code 1h}, {@code 1d}) or an ISO-8601 duration ({@code PT10S}, {@code P1D}).
 */
final class Durations {

  /** What a duration looks like, for problem messages. */
  static final String EXPECTED = "a duration such as 250ms, 10s, 2m, 1h or PT10S";

  private static final Pattern WITH_UNIT =
      Pattern.compile("([0-9]+(?:\\.[0-9]+)?)\\s*(ns|us|ms|s|m|min|h|d)");

  private Durations() {}

  /**
   * Returns the duration {@code text} denotes (possibly zero or, in ISO form, negative).
   *
   * @throws IllegalArgumentException whose message is what was expected
   */
  static Duration parse(String text) {
    String s = text.strip().toLowerCase(Locale.ROOT);
    if (s.startsWith("p") || s.startsWith("-p") || s.startsWith("+p")) {
      try {
        return Duration.parse(s.toUpperCase(Locale.ROOT));
      } catch (DateTimeParseException e) {
        throw new IllegalArgumentException("an ISO-8601 duration such as PT10S or P1D", e);
      }
    }
    Matcher m = WITH_UNIT.matcher(s);
    if (!m.matches()) {
      throw new IllegalArgumentException(EXPECTED);
    }
    long unitNanos = switch (m.group(2)) {
      case "ns" -> 1L;
      case "us" -> 1_000L;
      case "ms" -> 1_000_000L;
      case "s" -> 1_000_000_000L;
      case "m", "min" -> 60_000_000_000L;
      case "h" -> 3_600_000_000_000L;
      default -> 86_400_000_000_000L; // d
    };
    BigDecimal nanos = new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(unitNanos));
    BigInteger whole;
    try {
      whole = nanos.toBigIntegerExact();
    } catch (ArithmeticException e) {
      throw new IllegalArgumentException("a whole number of nanoseconds", e);
    }
    if (whole.bitLength() > 63) {
      throw new IllegalArgumentException("at most " + Duration.ofNanos(Long.MAX_VALUE).toDays() + "d");
    }
    return Duration.ofNanos(whole.longValueExact());
  }
}
