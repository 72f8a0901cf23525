package dev.sluice.core;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one parser of durations as Sluice's config files, scenario files and command-line options
 * write them: a number with a unit ({@code 250ms}, {@code 10s}, {@code 1.5s}, {@code 2m}, {@code
 * 2min}, {@code 1h}, {@code 1d}; also {@code ns} and {@code us}) or an ISO-8601 duration ({@code
 * PT10S}, {@code P1D}). Stateless and thread-safe; the duration counterpart of {@link Rate#parse}.
 */
public final class Durations {

  /** What a duration looks like, for problem messages. */
  public static final String EXPECTED = "a duration such as 250ms, 10s, 2m, 1h or PT10S";

  private static final Pattern WITH_UNIT =
      Pattern.compile("([0-9]+(?:\\.[0-9]+)?)\\s*(ns|us|ms|s|m|min|h|d)");

  private Durations() {}

  /**
   * Returns the duration {@code text} denotes (possibly zero or, in ISO form, negative; callers
   * check the range they need).
   *
   * @throws IllegalArgumentException with a message {@code duration: TEXT (expected: ...)}
   */
  public static Duration parse(String text) {
    String s = text.strip().toLowerCase(Locale.ROOT);
    if (s.startsWith("p") || s.startsWith("-p") || s.startsWith("+p")) {
      try {
        return Duration.parse(s.toUpperCase(Locale.ROOT));
      } catch (DateTimeParseException e) {
        throw invalid(text, "an ISO-8601 duration such as PT10S or P1D", e);
      }
    }
    Matcher m = WITH_UNIT.matcher(s);
    if (!m.matches()) {
      throw invalid(text, EXPECTED, null);
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
      throw invalid(text, "a whole number of nanoseconds", e);
    }
    if (whole.bitLength() > 63) {
      throw invalid(text, "at most " + Duration.ofNanos(Long.MAX_VALUE).toDays() + "d", null);
    }
    return Duration.ofNanos(whole.longValueExact());
  }

  private static IllegalArgumentException invalid(String text, String expected, Exception cause) {
    return new IllegalArgumentException("duration: " + text.strip() + " (expected: " + expected + ")", cause);
  }
}
