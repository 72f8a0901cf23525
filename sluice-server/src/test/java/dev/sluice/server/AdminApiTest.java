package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.core.ManualClock;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The admin port: auth, health, metrics, config read and reload, buckets. */
class AdminApiTest {

  static final String CONFIG = """
      tiers:
        free:
          per-client: { burst: 10, rate: 5/s }
          share: 0.5
        gold:
          per-client: { burst: 100, rate: 50/s }
      global: { burst: 1000, rate: 500/s }
      """;

  static ManualClock clock;
  static Harness sluice;

  @BeforeAll
  static void start() {
    clock = new ManualClock(0);
    sluice = Harness.start(CONFIG, clock);
  }

  @AfterAll
  static void stop() {
    sluice.close();
  }

  @Test
  void healthNeedsNoTokenButEverythingElseDoes() {
    assertThat(sluice.get(sluice.admin("/healthz")).statusCode()).isEqualTo(200);
    assertThat(Harness.json(sluice.get(sluice.admin("/readyz"))).get("status").asText()).isEqualTo("ready");
    for (String path : List.of("/metrics", "/admin/config", "/admin/buckets/x")) {
      HttpResponse<String> res = sluice.get(sluice.admin(path));
      assertThat(res.statusCode()).as(path).isEqualTo(401);
      assertThat(res.headers().firstValue("www-authenticate")).hasValue("Bearer realm=\"sluice-admin\"");
      assertThat(sluice.get(sluice.admin(path), "Authorization", "Bearer wrong").statusCode()).isEqualTo(401);
    }
  }

  @Test
  void metricsAreScrapedAndParsed() {
    sluice.post(sluice.edge("/v1/decisions"), "{\"key\":\"m1\",\"tier\":\"gold\"}");
    sluice.post(sluice.edge("/v1/decisions"), "{\"key\":\"m2\",\"tier\":\"gold\",\"cost\":101}");
    sluice.post(sluice.edge("/v1/feedback"), "{\"key\":\"m1\",\"latencyMs\":20,\"status\":200}");

    HttpResponse<String> res = sluice.adminGet("/metrics");

    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.headers().firstValue("content-type").orElseThrow()).startsWith("text/plain");
    PrometheusText m = PrometheusText.parse(res.body());
    assertThat(m.value("sluice_decisions_total", "tier", "gold", "result", "allowed")).isGreaterThanOrEqualTo(1.0);
    assertThat(m.value("sluice_decisions_total", "tier", "gold", "result", "denied")).isGreaterThanOrEqualTo(1.0);
    assertThat(m.value("sluice_denials_total", "tier", "gold", "level", "client")).isGreaterThanOrEqualTo(1.0);
    assertThat(m.value("sluice_bucket_tokens", "tier", "free", "level", "tier")).isNotNull();
    assertThat(m.value("sluice_bucket_tokens", "tier", "_global", "level", "global")).isNotNull();
    assertThat(m.value("sluice_refill_rate", "tier", "gold", "level", "client")).isEqualTo(50.0);
    assertThat(m.value("sluice_refill_rate", "tier", "free", "level", "tier")).isEqualTo(250.0);
    assertThat(m.value("sluice_refill_rate", "tier", "_global", "level", "global")).isEqualTo(500.0);
    assertThat(m.value("sluice_upstream_latency_seconds_count")).isGreaterThanOrEqualTo(1.0);
    assertThat(m.hasPrefix("sluice_upstream_latency_seconds_bucket{")).isTrue();
    assertThat(m.value("sluice_upstream_responses_total", "class", "2xx")).isGreaterThanOrEqualTo(1.0);
    assertThat(m.value("sluice_request_log_dropped_total")).isEqualTo(0.0);
    assertThat(m.hasPrefix("jvm_memory_used_bytes{")).isTrue();
    assertThat(m.hasPrefix("armeria_server_")).isTrue();
    assertThat(m.value("sluice_edge_connections")).isGreaterThanOrEqualTo(0.0);
    assertThat(m.value("sluice_edge_requests_active")).isGreaterThanOrEqualTo(0.0);
  }

  @Test
  void bucketsShowEveryLevelOfAClient() {
    sluice.post(sluice.edge("/v1/decisions"), "{\"key\":\"b1\",\"cost\":4}");

    JsonNode b = Harness.json(sluice.adminGet("/admin/buckets/b1"));

    assertThat(b.get("tier").asText()).isEqualTo("free");
    List<String> levels = new ArrayList<>();
    b.get("levels").forEach(l -> levels.add(l.get("level").asText()));
    assertThat(levels).containsExactly("client", "tier", "global");
    JsonNode client = b.get("levels").get(0);
    assertThat(client.get("tokens").asLong()).isEqualTo(6);
    assertThat(client.get("burst").asLong()).isEqualTo(10);
    assertThat(client.get("rate").asText()).isEqualTo("5/s");
    assertThat(client.get("resetAfterMs").asLong()).isEqualTo(800);
    assertThat(sluice.adminGet("/admin/buckets/b1?tier=nope").statusCode()).isEqualTo(404);
  }

  @Test
  void anInvalidConfigIsRejectedWithEveryBadFieldAndTheRunningConfigStays() {
    String before = sluice.adminGet("/admin/config").body();
    HttpResponse<String> res = sluice.putConfig("""
        tiers:
          free:
            per-client: { burst: -1, rate: 5/s }
            colour: red
          gold:
            per-client: { burst: 100, rate: fast }
        """);

    assertThat(res.statusCode()).isEqualTo(400);
    JsonNode problem = Harness.json(res);
    assertThat(problem.get("type").asText()).isEqualTo("urn:sluice:problem:invalid-config");
    assertThat(problem.get("detail").asText()).contains("the running config is unchanged");
    List<String> paths = new ArrayList<>();
    problem.get("errors").forEach(e -> {
      paths.add(e.get("pointer").asText());
      assertThat(e.get("line").asInt()).isPositive();
    });
    assertThat(paths).contains("tiers.free.per-client.burst", "tiers.free.colour", "tiers.gold.per-client.rate");
    assertThat(sluice.adminGet("/admin/config").body()).isEqualTo(before);
    assertThat(sluice.server.store().spec().tiers().get("free").perClient().burst()).isEqualTo(10);
    assertThat(sluice.putConfig("tiers: [").statusCode()).isEqualTo(400);
  }

  @Test
  void aValidConfigIsSwappedInAndBucketsKeepTheirFractionOfTokens() {
    sluice.post(sluice.edge("/v1/decisions"), "{\"key\":\"carry\",\"tier\":\"gold\",\"cost\":50}");
    String next = CONFIG.replace("burst: 100, rate: 50/s", "burst: 200, rate: 100/s");

    HttpResponse<String> res = sluice.putConfig(Harness.withServer(next));

    assertThat(res.statusCode()).isEqualTo(200);
    JsonNode body = Harness.json(res);
    assertThat(body.get("applied").asBoolean()).isTrue();
    assertThat(body.get("restartRequired").size()).isZero();
    assertThat(sluice.adminGet("/admin/config").body()).isEqualTo(Harness.withServer(next));
    JsonNode b = Harness.json(sluice.adminGet("/admin/buckets/carry?tier=gold"));
    assertThat(b.get("levels").get(0).get("burst").asLong()).isEqualTo(200);
    assertThat(b.get("levels").get(0).get("tokens").asLong()).as("half of the new burst, rounded down").isBetween(99L, 100L);
    // Back to the original limits for the other tests.
    assertThat(sluice.putConfig(Harness.withServer(CONFIG)).statusCode()).isEqualTo(200);
  }

  @Test
  void changingPortsIsReportedAsNeedingARestart() {
    String moved = Harness.withServer(CONFIG).replace("admin-port: 0", "admin-port: 0\n  admin-bind: 127.0.0.2");

    JsonNode body = Harness.json(sluice.putConfig(moved));

    assertThat(body.get("restartRequired").get(0).asText()).isEqualTo("server.admin-bind");
    assertThat(sluice.putConfig(Harness.withServer(CONFIG)).statusCode()).isEqualTo(200);
  }

  @Test
  void aPortMovedAwayAndBackNeedsNoRestartAndGetShowsConfiguredAndEffective() {
    int edge = sluice.server.edgePort();
    int admin = sluice.server.adminPort();
    int elsewhere = edge < 65_535 ? edge + 1 : edge - 1;
    String moved = Harness.withServer(CONFIG).replace("  port: 0\n", "  port: " + elsewhere + "\n");

    JsonNode away = Harness.json(sluice.putConfig(moved));

    assertThat(away.get("restartRequired")).extracting(JsonNode::asText).containsExactly("server.port");
    assertThat(away.get("configured").get("server").get("port").asInt()).isEqualTo(elsewhere);
    assertThat(away.get("effective").get("server").get("port").asInt()).isEqualTo(edge);
    JsonNode got = configJson();
    assertThat(got.get("restartRequired")).extracting(JsonNode::asText).containsExactly("server.port");
    assertThat(got.get("configured").get("server").get("port").asInt()).isEqualTo(elsewhere);
    assertThat(got.get("effective").get("server").get("port").asInt()).isEqualTo(edge);
    assertThat(got.get("effective").get("server").get("admin-port").asInt()).isEqualTo(admin);
    assertThat(got.get("effective").get("server").get("bind").asText()).isEqualTo("127.0.0.1");
    assertThat(got.get("effective").get("store").get("type").asText()).isEqualTo("local");
    assertThat(got.get("yaml").asText()).isEqualTo(moved);
    HttpResponse<String> yaml = sluice.adminGet("/admin/config");
    assertThat(yaml.body()).isEqualTo(moved);
    assertThat(yaml.headers().firstValue("x-sluice-restart-required")).hasValue("server.port");

    JsonNode back = Harness.json(sluice.putConfig(Harness.withServer(CONFIG)));

    assertThat(back.get("restartRequired").size()).isZero();
    assertThat(back.get("configured").get("server").get("port").asInt()).as("0: any free port").isZero();
    assertThat(back.get("effective").get("server").get("port").asInt()).isEqualTo(edge);
    assertThat(configJson().get("restartRequired").size()).isZero();
    assertThat(sluice.adminGet("/admin/config").headers().firstValue("x-sluice-restart-required")).isEmpty();

    String pinned = Harness.withServer(CONFIG).replace("  port: 0\n", "  port: " + edge + "\n")
        .replace("admin-port: 0", "admin-port: " + admin);
    assertThat(Harness.json(sluice.putConfig(pinned)).get("restartRequired").size())
        .as("the ports it listens on, named").isZero();
    assertThat(sluice.putConfig(Harness.withServer(CONFIG)).statusCode()).isEqualTo(200);
  }

  private static JsonNode configJson() {
    HttpResponse<String> res = sluice.send(java.net.http.HttpRequest.newBuilder(
        java.net.URI.create(sluice.admin("/admin/config")))
        .header("Authorization", "Bearer " + Harness.TOKEN).header("Accept", "application/json"));
    assertThat(res.statusCode()).isEqualTo(200);
    assertThat(res.headers().firstValue("content-type").orElseThrow()).startsWith("application/json");
    return Harness.json(res);
  }

  @Test
  void readinessNamesTheLocalStore() {
    JsonNode ready = Harness.json(sluice.get(sluice.admin("/readyz")));

    assertThat(ready.get("status").asText()).isEqualTo("ready");
    assertThat(ready.get("generation").asLong()).isPositive();
    assertThat(ready.get("store").get("type").asText()).isEqualTo("local");
  }

  @Test
  void withoutAnyTokenTheAdminApiIsClosed() {
    try (Harness closed = Harness.start(Harness.options("", clock)
        .configYaml("server: { bind: 127.0.0.1, port: 0, admin-port: 0 }\n" + CONFIG))) {
      HttpResponse<String> res = closed.adminGet("/metrics");
      assertThat(res.statusCode()).isEqualTo(403);
      assertThat(Harness.json(res).get("detail").asText()).contains("SLUICE_ADMIN_TOKEN");
      assertThat(closed.get(closed.admin("/healthz")).statusCode()).isEqualTo(200);
    }
  }
}
