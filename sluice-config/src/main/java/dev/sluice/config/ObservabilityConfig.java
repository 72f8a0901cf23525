package dev.sluice.config;

import java.net.URI;

/**
 * Traces: where the server sends them and how many requests it traces. Read once at start-up (a
 * reload does not change them).
 *
 * @param otlpEndpoint the OTLP/HTTP collector ({@code observability.otlp.endpoint}, e.g. {@code
 *     http://127.0.0.1:4318}; spans go to its {@code /v1/traces} unless the URL names another
 *     path), or {@code null}: tracing off, the default
 * @param samplingRatio the share of requests traced, {@code 0 < ratio <= 1} ({@code
 *     observability.otlp.sampling-ratio}, default {@value #DEFAULT_SAMPLING_RATIO}); a request
 *     that arrives with a sampled W3C {@code traceparent} is traced whatever the ratio
 */
public record ObservabilityConfig(URI otlpEndpoint, double samplingRatio) {

  /** The share of requests traced when the file does not say. */
  public static final double DEFAULT_SAMPLING_RATIO = 0.1;

  /** Tracing off. */
  public static final ObservabilityConfig OFF = new ObservabilityConfig(null, DEFAULT_SAMPLING_RATIO);

  /** Validates the endpoint (absolute http or https) and the ratio. */
  public ObservabilityConfig {
    if (otlpEndpoint != null && (!otlpEndpoint.isAbsolute() || otlpEndpoint.getHost() == null
        || !"http".equalsIgnoreCase(otlpEndpoint.getScheme()) && !"https".equalsIgnoreCase(otlpEndpoint.getScheme()))) {
      throw new IllegalArgumentException("observability.otlp.endpoint: " + otlpEndpoint
          + " (expected: an absolute http:// or https:// URL)");
    }
    if (!(samplingRatio > 0 && samplingRatio <= 1)) {
      throw new IllegalArgumentException("observability.otlp.sampling-ratio: " + samplingRatio
          + " (expected: > 0 and <= 1)");
    }
  }

  /** Returns whether spans are exported. */
  public boolean tracing() {
    return otlpEndpoint != null;
  }

  /** Returns the URL spans are posted to: the endpoint, with {@code /v1/traces} when it has no path. */
  public URI tracesUrl() {
    if (otlpEndpoint == null) {
      return null;
    }
    String path = otlpEndpoint.getPath();
    return path == null || path.isEmpty() || path.equals("/")
        ? otlpEndpoint.resolve("/v1/traces") : otlpEndpoint;
  }
}
