package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.sluice.core.ManualClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code deploy/prometheus/alerts.yml} (promtool is not installed here, so a schema test): it is a
 * Prometheus rule file (groups of rules, each with alert, expr, for, labels and annotations), it
 * holds the four alerts the project promises, and every {@code sluice_*} metric its expressions
 * name appears in a real scrape of a server with the control loop and the flood response on.
 */
class AlertRulesTest {

  private static final Path FILE = Path.of("..", "deploy", "prometheus", "alerts.yml");
  private static final Pattern METRIC = Pattern.compile("\\bsluice_[a-z_]+");
  private static final Pattern DURATION = Pattern.compile("[0-9]+(ms|s|m|h|d|w|y)");

  @Test
  void theRuleFileIsValidAndNamesOnlyExportedMetrics() throws Exception {
    JsonNode doc = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(FILE));
    assertThat(doc.fieldNames()).toIterable().containsExactly("groups");
    Set<String> alerts = new HashSet<>();
    Set<String> metrics = new TreeSet<>();
    for (JsonNode group : doc.get("groups")) {
      assertThat(group.get("name").isTextual()).isTrue();
      for (JsonNode rule : group.get("rules")) {
        assertThat(rule.fieldNames()).toIterable().isSubsetOf("alert", "expr", "for", "labels", "annotations",
            "keep_firing_for");
        String name = rule.get("alert").asText();
        assertThat(name).matches("[A-Za-z_][A-Za-z0-9_]*");
        assertThat(alerts.add(name)).as("unique " + name).isTrue();
        assertThat(rule.get("for").asText()).matches(DURATION);
        assertThat(rule.get("labels").get("severity").asText()).isIn("warning", "critical", "info");
        assertThat(rule.get("annotations").get("summary").asText()).isNotBlank();
        String expr = rule.get("expr").asText();
        assertThat(count(expr, '(')).as(name + " parentheses").isEqualTo(count(expr, ')'));
        assertThat(count(expr, '{')).as(name + " braces").isEqualTo(count(expr, '}'));
        Matcher m = METRIC.matcher(expr);
        while (m.find()) {
          metrics.add(m.group());
        }
      }
    }
    assertThat(alerts).containsExactlyInAnyOrder("SluiceAnomalyScoreHigh", "SluiceThrottleRatioHigh",
        "SluiceBucketEmpty", "SluiceRefillLag");
    assertThat(rule(doc, "SluiceAnomalyScoreHigh").get("for").asText()).isEqualTo("30s");
    assertThat(rule(doc, "SluiceThrottleRatioHigh").get("for").asText()).isEqualTo("5m");
    assertThat(rule(doc, "SluiceBucketEmpty").get("for").asText()).isEqualTo("30s");

    try (TestUpstream upstream = new TestUpstream();
        Harness sluice = Harness.start("""
            upstream: { url: "%s" }
            tiers:
              free:
                per-client: { burst: 20, rate: 20/s }
                share: 0.5
            global: { burst: 100, rate: 100/s }
            adaptive:
              enabled: true
              interval: 100ms
              anomaly: { enabled: true, window: 100ms }
            """.formatted(upstream.url()), new ManualClock())) {
      assertThat(sluice.get(sluice.edge("/echo/x"), "X-Client-ID", "alice").statusCode()).isEqualTo(200);
      Harness.await(java.time.Duration.ofSeconds(20), "the control loop and the response to export", () -> {
        String body = sluice.adminGet("/metrics").body();
        return body.contains("sluice_anomaly_score{") && body.contains("sluice_controller_proposed_rate{");
      });
      String scrape = sluice.adminGet("/metrics").body();
      for (String metric : metrics) {
        assertThat(scrape).as(metric).containsPattern("(?m)^" + metric + "[{ ]");
      }
      assertThat(scrape).contains("sluice_refill_rate{level=\"global\",tier=\"_global\"}",
          "sluice_controller_proposed_rate{controller=\"composed\",tier=\"global\"}");
    }
  }

  private static JsonNode rule(JsonNode doc, String alert) {
    for (JsonNode group : doc.get("groups")) {
      for (JsonNode rule : group.get("rules")) {
        if (rule.get("alert").asText().equals(alert)) {
          return rule;
        }
      }
    }
    throw new AssertionError("no alert " + alert);
  }

  private static long count(String s, char c) {
    return s.chars().filter(x -> x == c).count();
  }

}
