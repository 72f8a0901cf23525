package dev.sluice.cli.load;

/**
 * One stream of requests: {@code rate} requests per second at constant intervals from {@code
 * startSeconds} to {@code endSeconds} of the run, each from the next of {@code clients}, to {@code
 * path}.
 *
 * @param name shown in reports
 * @param startSeconds when the first request is due, seconds from the run's start
 * @param endSeconds when the source stops (exclusive)
 * @param rate requests per second (&gt; 0)
 * @param clients the client ids the requests carry
 * @param path the request path (with query), starting with {@code /}
 */
public record LoadSource(String name, double startSeconds, double endSeconds, double rate, ClientIds clients,
    String path) {

  /** Validates the source. */
  public LoadSource {
    if (!(startSeconds >= 0) || !(endSeconds > startSeconds)) {
      throw new IllegalArgumentException(name + ": from " + startSeconds + " s to " + endSeconds
          + " s (expected: 0 <= start < end)");
    }
    if (!(rate > 0) || Double.isInfinite(rate)) {
      throw new IllegalArgumentException(name + ": rate " + rate + " (expected: a finite rate > 0)");
    }
    if (clients == null || path == null || !path.startsWith("/")) {
      throw new IllegalArgumentException(name + ": clients " + clients + ", path " + path
          + " (expected: client ids and a path starting with /)");
    }
  }
}
