package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.core.Clock;
import dev.sluice.server.admin.AdminService;
import dev.sluice.server.admission.Stores;
import dev.sluice.testkit.RedisProcess;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code sluice serve} with {@code store.type: redis} and no Redis listening (a free port, then a
 * real {@link RedisProcess} started on it): the mode is logged at start and at the change, {@code
 * /readyz} shows the degraded store, {@code /admin/buckets} answers a 503 that names nothing
 * internal, and everything turns back to Redis once it answers. Waits are conditions with
 * deadlines, never fixed sleeps.
 */
@Timeout(60)
class RedisDownServeTest {

  private static final Duration DEADLINE = Duration.ofSeconds(20);

  static String config(String redisUri) {
    return """
        tiers:
          free:
            per-client: { burst: 5, rate: 1/s }
        store:
          type: redis
          redis: { uri: "%s", namespace: down-test }
          timeout: 1s
          failure-mode: local-share
          breaker: { failures: 3, open: 100ms }
          heartbeat: 100ms
        """.formatted(redisUri);
  }

  @Test
  void aRedisDownAtStartIsLoggedShownAsDegradedAndLeftOnceItAnswers() {
    try (LoggerEvents logs = LoggerEvents.of(Stores.class, AdminService.class);
        RedisProcess redis = RedisProcess.unstarted();
        Harness sluice = Harness.start(config(redis.uri()), Clock.system())) {
      String uri = "redis://127.0.0.1:" + redis.port();
      Harness.await(DEADLINE, "the start mode to be logged", () -> !logs.named("store-mode").isEmpty());
      ILoggingEvent start = logs.named("store-mode").get(0);
      assertThat(start.getLevel()).isEqualTo(Level.WARN);
      assertThat(LoggerEvents.kv(start, "mode")).isEqualTo("local-share");
      assertThat(LoggerEvents.kv(start, "uri")).isEqualTo(uri);
      assertThat(LoggerEvents.kv(start, "previous")).isNull();
      assertThat(start.getFormattedMessage()).contains(uri, "local-share");

      HttpResponse<String> ready = sluice.get(sluice.admin("/readyz"));
      assertThat(ready.statusCode()).as("a degraded node still serves, so it stays in rotation").isEqualTo(200);
      JsonNode r = Harness.json(ready);
      assertThat(r.get("status").asText()).isEqualTo("degraded");
      assertThat(r.get("store").get("type").asText()).isEqualTo("redis");
      assertThat(r.get("store").get("mode").asText()).isEqualTo("local-share");
      assertThat(r.get("store").get("uri").asText()).isEqualTo(uri);

      HttpResponse<String> decision = sluice.post(sluice.edge("/v1/decisions"), "{\"key\":\"k\"}");
      assertThat(decision.statusCode()).isEqualTo(200);
      assertThat(Harness.json(decision).get("allowed").asBoolean()).as("decided from the local share").isTrue();

      HttpResponse<String> buckets = sluice.adminGet("/admin/buckets/x");
      assertThat(buckets.statusCode()).isEqualTo(503);
      JsonNode problem = Harness.json(buckets);
      assertThat(problem.get("type").asText()).isEqualTo("urn:sluice:problem:store-unavailable");
      String requestId = problem.get("requestId").asText();
      assertThat(requestId).isNotBlank();
      assertThat(buckets.body()).doesNotContain("Exception", "lettuce", "Lettuce", "io.", "127.0.0.1",
          Integer.toString(redis.port()), "refused", "redis://");
      List<ILoggingEvent> failed = logs.named("store-read-failed");
      assertThat(failed).hasSize(1);
      assertThat(failed.get(0).getLevel()).isEqualTo(Level.WARN);
      assertThat(LoggerEvents.kv(failed.get(0), "requestId")).isEqualTo(requestId);
      assertThat(failed.get(0).getThrowableProxy()).as("the cause is in the log").isNotNull();

      redis.restart();
      Harness.await(DEADLINE, "the change back to redis to be logged", () -> logs.named("store-mode").size() >= 2);
      ILoggingEvent back = logs.named("store-mode").get(1);
      assertThat(back.getLevel()).isEqualTo(Level.WARN);
      assertThat(LoggerEvents.kv(back, "mode")).isEqualTo("redis");
      assertThat(LoggerEvents.kv(back, "previous")).isEqualTo("local-share");
      assertThat(LoggerEvents.kv(back, "uri")).isEqualTo(uri);
      Harness.await(DEADLINE, "/readyz to show redis mode",
          () -> Harness.json(sluice.get(sluice.admin("/readyz"))).get("status").asText().equals("ready"));
      JsonNode store = Harness.json(sluice.get(sluice.admin("/readyz"))).get("store");
      assertThat(store.get("mode").asText()).isEqualTo("redis");
      assertThat(store.get("uri").asText()).isEqualTo(uri);
      assertThat(sluice.adminGet("/admin/buckets/x").statusCode()).isEqualTo(200);
      assertThat(logs.named("store-mode")).as("one line at start, one per change").hasSize(2);
    }
  }

  @Test
  void credentialsInTheRedisUriAreNeverShown() {
    try (LoggerEvents logs = LoggerEvents.of(Stores.class);
        RedisProcess nothing = RedisProcess.unstarted();
        Harness sluice = Harness.start(
            config("redis://sluice:s3cret@127.0.0.1:" + nothing.port() + "/2?timeout=5s"), Clock.system())) {
      Harness.await(DEADLINE, "the start mode to be logged", () -> !logs.named("store-mode").isEmpty());
      ILoggingEvent start = logs.named("store-mode").get(0);
      String redacted = "redis://127.0.0.1:" + nothing.port() + "/2";
      assertThat(LoggerEvents.kv(start, "uri")).isEqualTo(redacted);
      assertThat(start.getFormattedMessage()).contains(redacted).doesNotContain("s3cret", "sluice:");
      String ready = sluice.get(sluice.admin("/readyz")).body();
      assertThat(Harness.json(sluice.get(sluice.admin("/readyz"))).get("store").get("uri").asText()).isEqualTo(redacted);
      assertThat(ready).doesNotContain("s3cret");
      com.fasterxml.jackson.databind.node.ObjectNode config = (com.fasterxml.jackson.databind.node.ObjectNode)
          Harness.json(sluice.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(sluice.admin("/admin/config")))
              .header("Authorization", "Bearer " + Harness.TOKEN).header("Accept", "application/json")));
      assertThat(config.get("configured").get("store").get("uri").asText()).isEqualTo(redacted);
      assertThat(config.get("effective").get("store").get("uri").asText()).isEqualTo(redacted);
      assertThat(config.remove("yaml").asText()).as("the YAML text as written").contains("s3cret");
      assertThat(config.toString()).doesNotContain("s3cret");
    }
  }
}
