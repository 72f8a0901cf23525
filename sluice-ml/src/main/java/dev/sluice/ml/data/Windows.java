package dev.sluice.ml.data;

import java.util.List;

/**
 * Turns requests into per-window series. Windows start at the first request's time rounded down
 * to a multiple of the window (UTC), and run to the last request's window; windows without
 * requests hold 0. Stateless.
 */
public final class Windows {

  private Windows() {}

  /** Requests per window. */
  public static Series counts(List<RequestEvent> events, long windowSeconds, String name) {
    return series(events, windowSeconds, name, false);
  }

  /** Tokens per window; a request without a cost counts one token (Sluice's default cost). */
  public static Series tokens(List<RequestEvent> events, long windowSeconds, String name) {
    return series(events, windowSeconds, name, true);
  }

  /** The first window's start, UTC seconds: the earliest request's time rounded down. */
  public static long origin(List<RequestEvent> events, long windowSeconds) {
    long min = Long.MAX_VALUE;
    for (RequestEvent e : events) {
      min = Math.min(min, e.epochMillis());
    }
    return Math.floorDiv(Math.floorDiv(min, 1000), windowSeconds) * windowSeconds;
  }

  private static Series series(List<RequestEvent> events, long windowSeconds, String name, boolean tokens) {
    if (windowSeconds < 1) {
      throw new IllegalArgumentException("window: " + windowSeconds + " s (expected: >= 1 s)");
    }
    if (events.isEmpty()) {
      throw new IllegalArgumentException(name + ": no requests (expected: at least one readable line)");
    }
    long origin = origin(events, windowSeconds);
    long max = Long.MIN_VALUE;
    for (RequestEvent e : events) {
      max = Math.max(max, e.epochMillis());
    }
    int n = (int) (Math.floorDiv(Math.floorDiv(max, 1000) - origin, windowSeconds) + 1);
    double[] values = new double[n];
    for (RequestEvent e : events) {
      int i = (int) Math.floorDiv(Math.floorDiv(e.epochMillis(), 1000) - origin, windowSeconds);
      values[i] += tokens ? (Double.isNaN(e.tokens()) ? 1 : e.tokens()) : 1;
    }
    return new Series(name, origin, windowSeconds, values);
  }
}
