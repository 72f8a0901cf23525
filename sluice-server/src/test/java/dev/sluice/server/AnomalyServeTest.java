package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.core.ManualClock;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * The flood response inside {@code sluice serve}, over real sockets: established clients send
 * slowly, then a crowd of new client ids floods the proxy; the response caps the newcomers (429s
 * of type {@code abnormal-usage-detected}, on the proxy and in the decision API) while the
 * established clients are served, {@code GET /admin/anomalies} and {@code sluice_anomaly_score}
 * show it, each event is a JSON log line, and once the flood stops the event ends. Buckets run on
 * a manual clock moved by the test; the response's windows are 100 ms of real time.
 */
@Timeout(60)
class AnomalyServeTest {

  private static final String ABNORMAL = "urn:sluice:problem:abnormal-usage-detected";

  static String config(String upstream) {
    return """
        upstream: { url: "%s" }
        tiers:
          free:
            per-client: { burst: 20, rate: 20/s }
        global: { burst: 1000, rate: 200/s }
        adaptive:
          anomaly:
            enabled: true
            window: 100ms
            baseline: 1s
            warmup: 300ms
            probation: 1s
            recovery: 500ms
            newcomer-share: 0.2
            heavy-hitter-share: 0.5
        """.formatted(upstream);
  }

  @Test
  void aFloodOfNewClientsIsCappedWhileEstablishedClientsAreServed() {
    Logger logger = (Logger) LoggerFactory.getLogger("sluice.anomaly");
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    logger.addAppender(lines);
    ch.qos.logback.classic.Level level = logger.getLevel();
    logger.setLevel(ch.qos.logback.classic.Level.INFO);
    ManualClock clock = new ManualClock();
    try (TestUpstream upstream = new TestUpstream();
        Harness sluice = Harness.start(config(upstream.url()), clock)) {
      // established clients, slowly (at most a few requests a window, under the detector's floor of
      // half the 20 tokens the global level admits per window), for 1.5 s of real time
      long until = System.nanoTime() + 1_500_000_000L;
      for (int i = 0; System.nanoTime() < until; i++) {
        clock.advance(Duration.ofMillis(20));
        assertThat(sluice.get(sluice.edge("/echo/x"), "X-Client-ID", "legit-" + i % 5).statusCode()).isEqualTo(200);
        LockSupport.parkNanos(50_000_000);
      }
      clock.advance(Duration.ofSeconds(3));
      // the flood: new ids as fast as one connection goes, until the newcomer cap answers
      HttpResponse<String> refused = null;
      for (int i = 0; i < 20_000 && refused == null; i++) {
        clock.advance(Duration.ofMillis(1));
        HttpResponse<String> res = sluice.get(sluice.edge("/echo/x"), "X-Client-ID", "bot-" + i);
        if (res.statusCode() == 429 && Harness.json(res).get("type").asText().equals(ABNORMAL)) {
          refused = res;
        }
      }
      assertThat(refused).as("a 429 of type abnormal-usage-detected").isNotNull();
      JsonNode problem = Harness.json(refused);
      assertThat(problem.get("title").asText()).isEqualTo("Abnormal Usage Detected");
      assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
      // established clients keep their limits; a new one is refused by the decision API too
      HttpResponse<String> legit = sluice.get(sluice.edge("/echo/x"), "X-Client-ID", "legit-1");
      assertThat(legit.statusCode()).as(sluice.adminGet("/admin/anomalies").body()).isEqualTo(200);
      JsonNode decision = Harness.json(sluice.post(sluice.edge("/v1/decisions"), "{\"key\":\"bot-new\"}"));
      assertThat(decision.get("allowed").asBoolean()).isFalse();
      assertThat(decision.get("reason").asText()).isEqualTo("abnormal-usage-detected");

      JsonNode anomalies = Harness.json(sluice.adminGet("/admin/anomalies"));
      assertThat(anomalies.get("enabled").asBoolean()).isTrue();
      assertThat(anomalies.get("scores").has("tier:free")).isTrue();
      JsonNode flood = anomalies.get("events").get(0);
      assertThat(flood.get("kind").asText()).isEqualTo("flood");
      assertThat(flood.get("scope").asText()).isEqualTo("tier:free");
      assertThat(flood.get("action").asText()).isEqualTo("newcomer-share 0.2");
      assertThat(flood.get("score").asDouble()).isGreaterThanOrEqualTo(0.5);
      assertThat(sluice.adminGet("/metrics").body()).contains("sluice_anomaly_score{scope=\"tier:free\"}",
          "sluice_anomaly_score{scope=\"global\"}");

      // the flood stops: the score falls, the share ramps back, the event ends
      Harness.await(Duration.ofSeconds(20), "the flood event to end", () -> {
        for (JsonNode e : Harness.json(sluice.adminGet("/admin/anomalies")).get("events")) {
          if (e.get("kind").asText().equals("flood") && e.get("end").isNull()) {
            return false;
          }
        }
        return true;
      });
      assertThat(lines.list).extracting(ILoggingEvent::getFormattedMessage)
          .anySatisfy(m -> assertThat(m).startsWith("{\"kind\":\"flood\",\"scope\":\"tier:free\"").contains("\"end\":null"))
          .anySatisfy(m -> assertThat(m).startsWith("{\"kind\":\"flood\"").doesNotContain("\"end\":null"));
    } finally {
      logger.detachAppender(lines);
      logger.setLevel(level);
    }
  }

  /**
   * A tier's spike (the spike and drift watch): steady traffic of established clients for 4 s of
   * real time (the spike detector learns for 30 windows of 100 ms), then a burst as fast as one
   * connection goes: an event of kind {@code spike}, scope {@code tier:free}, action {@code alert}
   * in {@code /admin/anomalies}, a JSON log line, the tier's score in the metric, and a score in
   * the request log's lines.
   */
  @Test
  void aTierSpikeIsAnAlertEventInTheEndpointTheLogAndTheMetric(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws java.io.IOException {
    Logger logger = (Logger) LoggerFactory.getLogger("sluice.anomaly");
    ListAppender<ILoggingEvent> lines = new ListAppender<>();
    lines.start();
    logger.addAppender(lines);
    ch.qos.logback.classic.Level level = logger.getLevel();
    logger.setLevel(ch.qos.logback.classic.Level.INFO);
    ManualClock clock = new ManualClock();
    java.nio.file.Path log = dir.resolve("requests.jsonl");
    String config = config("%s").replace("heavy-hitter-share: 0.5", "heavy-hitter-share: 0.9")
        .replace("global: { burst: 1000, rate: 200/s }", "global: { burst: 100000, rate: 100000/s }")
        .replace("per-client: { burst: 20, rate: 20/s }", "per-client: { burst: 10000, rate: 10000/s }");
    try (TestUpstream upstream = new TestUpstream();
        Harness sluice = Harness.start(Harness.options(config.formatted(upstream.url()), clock)
            .requestLog(RequestLogOptions.of(log)))) {
      long until = System.nanoTime() + 4_000_000_000L;
      for (int i = 0; System.nanoTime() < until; i++) {
        clock.advance(Duration.ofMillis(20));
        assertThat(sluice.get(sluice.edge("/echo/x"), "X-Client-ID", "legit-" + i % 5).statusCode()).isEqualTo(200);
        LockSupport.parkNanos(20_000_000);
      }
      Harness.await(Duration.ofSeconds(20), "a tier spike event", () -> {
        for (int i = 0; i < 50; i++) {
          sluice.get(sluice.edge("/echo/x"), "X-Client-ID", "legit-" + i % 5);
        }
        for (JsonNode e : Harness.json(sluice.adminGet("/admin/anomalies")).get("events")) {
          if (e.get("kind").asText().equals("spike") && e.get("scope").asText().equals("tier:free")) {
            assertThat(e.get("action").asText()).isEqualTo("alert");
            assertThat(e.get("score").asDouble()).isGreaterThanOrEqualTo(0.5);
            return true;
          }
        }
        return false;
      });
      assertThat(sluice.adminGet("/metrics").body()).contains("sluice_anomaly_score{scope=\"tier:free\"}");
      assertThat(lines.list).extracting(ILoggingEvent::getFormattedMessage)
          .anySatisfy(m -> assertThat(m).startsWith("{\"kind\":\"spike\",\"scope\":\"tier:free\"")
              .contains("\"action\":\"alert\""));
    } finally {
      logger.detachAppender(lines);
      logger.setLevel(level);
    }
    // the request log's lines carry the tier's score (a number, not null)
    List<String> logged = java.nio.file.Files.readAllLines(log);
    assertThat(logged).isNotEmpty().allSatisfy(l -> assertThat(l).doesNotContain("\"anomalyScore\":null"));
  }

  @Test
  void theEndpointSaysWhenTheResponseIsOff() {
    try (TestUpstream upstream = new TestUpstream();
        Harness sluice = Harness.start("""
            upstream: { url: "%s" }
            tiers:
              free:
                per-client: { burst: 20, rate: 20/s }
            """.formatted(upstream.url()), new ManualClock())) {
      JsonNode a = Harness.json(sluice.adminGet("/admin/anomalies"));
      assertThat(a.get("enabled").asBoolean()).isFalse();
      assertThat(a.get("events")).isEmpty();
      assertThat(sluice.get(sluice.admin("/admin/anomalies")).statusCode()).isEqualTo(401);
    }
  }
}
