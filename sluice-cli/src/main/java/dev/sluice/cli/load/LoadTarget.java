package dev.sluice.cli.load;

import java.net.URI;
import java.time.Duration;

/**
 * Where and how a load run sends: the target's base URL (its path prefixes every source's path),
 * the header that carries the client id, how long a request may take before it counts as an
 * error, and how many requests may be outstanding before new ones are dropped (and counted).
 *
 * @param url {@code http://host:port[/prefix]}
 * @param header client id header, e.g. {@code X-Client-ID}
 * @param timeout a request without a response after this long is an error
 * @param maxInFlight the most requests outstanding at once
 */
public record LoadTarget(URI url, String header, Duration timeout, int maxInFlight) {

  /** Validates the target. */
  public LoadTarget {
    if (url == null || !"http".equals(url.getScheme()) || url.getHost() == null) {
      throw new IllegalArgumentException("target: " + url + " (expected: an http://host:port URL)");
    }
    if (header == null || !header.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
      throw new IllegalArgumentException("header: " + header + " (expected: an HTTP header name)");
    }
    if (timeout == null || timeout.toMillis() < 1) {
      throw new IllegalArgumentException("timeout: " + timeout + " (expected: >= 1 ms)");
    }
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("max in flight: " + maxInFlight + " (expected: >= 1)");
    }
  }

  /** Returns whether the target's host is a loopback address (name or literal). */
  public boolean loopback() {
    String h = url.getHost();
    return h.equals("localhost") || h.startsWith("127.") || h.equals("[::1]") || h.equals("::1");
  }

  /** Returns the path prefix (no trailing slash), or empty. */
  String prefix() {
    String p = url.getRawPath();
    return p == null ? "" : p.endsWith("/") ? p.substring(0, p.length() - 1) : p;
  }

  /** Returns the port, 80 when the URL names none. */
  int port() {
    return url.getPort() < 0 ? 80 : url.getPort();
  }
}
