package dev.sluice.core.config;

import java.net.URI;
import java.time.Duration;

/**
 * The API Sluice protects when it runs as a reverse proxy.
 *
 * @param url base URL of the upstream, or {@code null} to run as a decision service only
 * @param timeout how long to wait for the upstream's response before answering 504
 */
public record UpstreamConfig(URI url, Duration timeout) {

  /** No upstream (decision service only), 10 s timeout. */
  public static final UpstreamConfig NONE = new UpstreamConfig(null, Duration.ofSeconds(10));

  /** Validates the URL scheme and the timeout. */
  public UpstreamConfig {
    if (url != null) {
      String scheme = url.getScheme();
      if (!"http".equals(scheme) && !"https".equals(scheme) || url.getHost() == null) {
        throw new IllegalArgumentException(
            "upstream.url: " + url + " (expected: an absolute http:// or https:// URL)");
      }
    }
    Checks.positive("upstream.timeout", timeout);
  }
}
