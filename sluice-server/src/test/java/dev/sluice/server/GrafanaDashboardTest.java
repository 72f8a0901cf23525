package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.sluice.core.Clock;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@code deploy/grafana/sluice.json} and {@code deploy/prometheus/prometheus.yml}: every PromQL
 * expression of the dashboard names at least one metric, and every metric it names appears in a
 * real scrape of a server with the control loop, a concurrency level and the flood response on
 * (names collected from the scrape, not from a list); the scrape config loads the alert rules next
 * to it and scrapes the admin port's {@code /metrics} with a bearer token, as the server expects.
 */
class GrafanaDashboardTest {

  private static final Path GRAFANA = Path.of("..", "deploy", "grafana", "sluice.json");
  private static final Path PROMETHEUS = Path.of("..", "deploy", "prometheus", "prometheus.yml");
  /** PromQL words that are not metric names. */
  private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left",
      "group_right", "bool", "and", "or", "unless", "offset", "inf", "nan");
  private static final Pattern IDENTIFIER = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

  @Test
  void everyQueryNamesAnExportedMetric() throws Exception {
    JsonNode dashboard = new ObjectMapper().readTree(Files.readString(GRAFANA));
    assertThat(dashboard.get("title").asText()).isEqualTo("Sluice");
    assertThat(dashboard.get("uid").asText()).matches("[a-z0-9-]{1,40}");
    List<String> expressions = new ArrayList<>();
    Set<String> titles = new HashSet<>();
    Set<Integer> ids = new HashSet<>();
    for (JsonNode panel : dashboard.get("panels")) {
      assertThat(titles.add(panel.get("title").asText())).as("unique title " + panel.get("title")).isTrue();
      assertThat(ids.add(panel.get("id").asInt())).as("unique id").isTrue();
      assertThat(panel.get("datasource").get("uid").asText()).isEqualTo("${datasource}");
      JsonNode pos = panel.get("gridPos");
      assertThat(pos.get("x").asInt() + pos.get("w").asInt()).as("fits 24 columns").isLessThanOrEqualTo(24);
      assertThat(panel.get("targets")).as(panel.get("title") + " queries").isNotEmpty();
      for (JsonNode t : panel.get("targets")) {
        expressions.add(t.get("expr").asText());
      }
    }
    assertThat(titles).anyMatch(t -> t.startsWith("Requests per second by tier"))
        .anyMatch(t -> t.startsWith("Refill rate")).anyMatch(t -> t.startsWith("Concurrency"))
        .anyMatch(t -> t.startsWith("Upstream latency")).anyMatch(t -> t.startsWith("Bucket tokens"))
        .anyMatch(t -> t.startsWith("Anomaly score")).anyMatch(t -> t.startsWith("Offending clients"));

    Set<String> named = new TreeSet<>();
    for (String expr : expressions) {
      assertThat(count(expr, '(')).as(expr + " parentheses").isEqualTo(count(expr, ')'));
      assertThat(count(expr, '{')).as(expr + " braces").isEqualTo(count(expr, '}'));
      assertThat(count(expr, '[')).as(expr + " brackets").isEqualTo(count(expr, ']'));
      Set<String> metrics = metricsOf(expr);
      assertThat(metrics).as("metrics named by " + expr).isNotEmpty();
      named.addAll(metrics);
    }

    Set<String> exported = exportedMetricNames();
    assertThat(exported).as("the scrape").contains("sluice_decisions_total", "sluice_anomaly_score");
    assertThat(named).as("metrics the dashboard names, against the scrape " + exported).isSubsetOf(exported);
    assertThat(named).contains("sluice_decisions_total", "sluice_refill_rate", "sluice_controller_proposed_rate",
        "sluice_upstream_latency_seconds_bucket", "sluice_bucket_tokens", "sluice_anomaly_score",
        "sluice_in_flight_limit", "sluice_controller_concurrency_limit");
  }

  @Test
  void theScrapeConfigLoadsTheAlertsAndScrapesTheAdminPortWithTheToken() throws Exception {
    JsonNode doc = new ObjectMapper(new YAMLFactory()).readTree(Files.readString(PROMETHEUS));
    assertThat(doc.fieldNames()).toIterable().containsExactlyInAnyOrder("global", "rule_files", "scrape_configs");
    for (JsonNode rules : doc.get("rule_files")) {
      assertThat(PROMETHEUS.resolveSibling(rules.asText())).as("rule file").exists();
    }
    assertThat(doc.get("rule_files").toString()).contains("alerts.yml");
    JsonNode job = doc.get("scrape_configs").get(0);
    assertThat(job.get("job_name").asText()).isEqualTo("sluice");
    assertThat(job.get("authorization").get("type").asText()).isEqualTo("Bearer");
    assertThat(job.get("authorization").has("credentials")).as("no token in the file").isFalse();
    String target = job.get("static_configs").get(0).get("targets").get(0).asText();
    assertThat(target).isEqualTo("127.0.0.1:" + dev.sluice.config.ServerConfig.DEFAULT.adminPort());

    try (Harness sluice = Harness.start("""
        tiers:
          free:
            per-client: { burst: 20, rate: 20/s }
        """, Clock.system())) {
      String path = job.get("metrics_path").asText();
      String url = job.get("scheme").asText() + "://127.0.0.1:" + sluice.server.adminPort() + path;
      assertThat(sluice.get(url).statusCode()).as("without the token").isEqualTo(401);
      var res = sluice.send(HttpRequest.newBuilder(URI.create(url))
          .header("Authorization", job.get("authorization").get("type").asText() + " " + Harness.TOKEN));
      assertThat(res.statusCode()).isEqualTo(200);
      assertThat(res.body()).contains("sluice_refill_rate");
    }
  }

  @Test
  void metricNamesAreFoundInPromQl() {
    assertThat(metricsOf("histogram_quantile(0.95, sum by (le) (rate(sluice_a_bucket{job=~\"$job\"}[$__rate_interval])))"))
        .containsExactly("sluice_a_bucket");
    assertThat(metricsOf("sluice_b / on (tier) group_left sluice_c{level=\"tier\"} > 0.5 and bogus_metric"))
        .containsExactly("bogus_metric", "sluice_b", "sluice_c");
  }

  /** Returns the metric names in {@code expr}: identifiers outside quotes, label matchers, ranges and groupings that are not functions. */
  static Set<String> metricsOf(String expr) {
    String s = expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"")
        .replaceAll("\\{[^}]*}", " ")
        .replaceAll("\\[[^]]*]", " ")
        .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ");
    Set<String> names = new TreeSet<>();
    Matcher m = IDENTIFIER.matcher(s);
    while (m.find()) {
      String id = m.group();
      int after = m.end();
      while (after < s.length() && s.charAt(after) == ' ') {
        after++;
      }
      boolean function = after < s.length() && s.charAt(after) == '(';
      boolean number = m.start() > 0 && Character.isDigit(s.charAt(m.start() - 1));
      if (!function && !number && !KEYWORDS.contains(id.toLowerCase(java.util.Locale.ROOT))) {
        names.add(id);
      }
    }
    return names;
  }

  /** Scrapes a server with every family of meters registered and returns the metric names in it. */
  private static Set<String> exportedMetricNames() {
    try (TestUpstream upstream = new TestUpstream();
        Harness sluice = Harness.start("""
            upstream: { url: "%s" }
            tiers:
              free:
                per-client: { burst: 20, rate: 20/s }
                share: 0.5
                concurrency: 10
            global: { burst: 100, rate: 100/s, concurrency: 20 }
            adaptive:
              enabled: true
              interval: 100ms
              anomaly: { enabled: true, window: 100ms }
            """.formatted(upstream.url()), Clock.system())) {
      for (int i = 0; i < 30; i++) {
        sluice.get(sluice.edge("/echo/x"), "X-Client-ID", "alice");
      }
      Harness.await(Duration.ofSeconds(20), "the control loop and the response to export", () -> {
        String body = sluice.adminGet("/metrics").body();
        return body.contains("sluice_anomaly_score{") && body.contains("sluice_controller_proposed_rate{");
      });
      Set<String> names = new TreeSet<>();
      for (String line : sluice.adminGet("/metrics").body().split("\n")) {
        Matcher m = IDENTIFIER.matcher(line);
        if (!line.startsWith("#") && m.lookingAt()) {
          names.add(m.group());
        }
      }
      return names;
    }
  }

  private static long count(String s, char c) {
    return s.chars().filter(x -> x == c).count();
  }
}
