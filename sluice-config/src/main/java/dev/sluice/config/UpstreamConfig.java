package dev.sluice.config;

import java.net.URI;
import java.time.Duration;

/**
 * The API Sluice protects when it runs as a reverse proxy.
 *
 * @param url base URL of the upstream, or {@code null} to run as a decision service only
 * @param timeout how long to wait for the upstream's response before answering 504
 * @param idleTimeout how long a pooled keep-alive connection may sit idle and still be reused;
 *     keep it below the upstream's own keep-alive timeout, so a request is never sent on a
 *     connection the upstream is closing
 */
public record UpstreamConfig(URI url, Duration timeout, Duration idleTimeout) {

  /** The default {@link #idleTimeout}: below the 5 s keep-alive timeout of Node.js and Apache httpd. */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(4);

  /** No upstream (decision service only), 10 s timeout. */
  public static final UpstreamConfig NONE = new UpstreamConfig(null, Duration.ofSeconds(10));

  /** Validates the URL scheme and the timeouts. */
  public UpstreamConfig {
    if (url != null) {
      String scheme = url.getScheme();
      if (!"http".equals(scheme) && !"https".equals(scheme) || url.getHost() == null) {
        throw new IllegalArgumentException(
            "upstream.url: " + url + " (expected: an absolute http:// or https:// URL)");
      }
    }
    Checks.positive("upstream.timeout", timeout);
    Checks.positive("upstream.idle-timeout", idleTimeout);
  }

  /** An upstream whose idle connections are reused for {@link #DEFAULT_IDLE_TIMEOUT}. */
  public UpstreamConfig(URI url, Duration timeout) {
    this(url, timeout, DEFAULT_IDLE_TIMEOUT);
  }
}
