package dev.sluice.config;

import static dev.sluice.config.Configs.problems;
import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import org.junit.jupiter.api.Test;

/** The {@code observability} section: tracing off by default, the OTLP endpoint and ratio, bad fields on their lines. */
class ObservabilityConfigTest {

  private static final String TIER = """
      tiers:
        free:
          per-client: {burst: 10, rate: 5/s}
      """;

  @Test
  void absentSectionIsOff() throws ConfigException {
    ObservabilityConfig o = ConfigLoader.parse(TIER, "x.yaml").observability();
    assertThat(o).isEqualTo(ObservabilityConfig.OFF);
    assertThat(o.tracing()).isFalse();
    assertThat(o.tracesUrl()).isNull();
  }

  @Test
  void endpointAndRatioAreRead() throws ConfigException {
    ObservabilityConfig o = ConfigLoader.parse(TIER + """
        observability:
          otlp: { endpoint: "http://127.0.0.1:4318", sampling-ratio: 0.25 }
        """, "x.yaml").observability();
    assertThat(o).isEqualTo(new ObservabilityConfig(URI.create("http://127.0.0.1:4318"), 0.25));
    assertThat(o.tracing()).isTrue();
    assertThat(o.tracesUrl()).isEqualTo(URI.create("http://127.0.0.1:4318/v1/traces"));
    assertThat(new ObservabilityConfig(URI.create("https://otel.example/custom/path"), 1).tracesUrl())
        .isEqualTo(URI.create("https://otel.example/custom/path"));
    assertThat(ConfigLoader.parse(TIER + """
        observability:
          otlp: { endpoint: "http://collector:4318" }
        """, "x.yaml").observability().samplingRatio()).isEqualTo(ObservabilityConfig.DEFAULT_SAMPLING_RATIO);
  }

  @Test
  void badFieldsAreReportedOnTheirLines() {
    assertThat(problems(TIER + """
        observability:
          otlp:
            endpoint: "ftp://collector"
            sampling-ratio: 1.5
            header: x
        """)).containsExactlyInAnyOrder(
        "test.yaml:6: observability.otlp.endpoint: ftp://collector (expected: an absolute http:// or https:// URL)",
        "test.yaml:7: observability.otlp.sampling-ratio: 1.5 (expected: a number > 0 and <= 1)",
        "test.yaml:8: observability.otlp.header: unknown field (expected: one of endpoint, sampling-ratio)");
  }
}
