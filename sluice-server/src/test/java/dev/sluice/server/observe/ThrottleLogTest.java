package dev.sluice.server.observe;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.core.Decision;
import dev.sluice.core.Limit;
import dev.sluice.core.ManualClock;
import dev.sluice.server.Harness;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import net.logstash.logback.encoder.LogstashEncoder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Throttle events are structured JSON with every field, and their rate is bounded. */
class ThrottleLogTest {

  Logger logger;
  ListAppender<ILoggingEvent> events;
  Level was;

  @BeforeEach
  void capture() {
    logger = (Logger) LoggerFactory.getLogger("dev.sluice.server.throttle");
    events = new ListAppender<>();
    events.start();
    logger.addAppender(events);
    was = logger.getLevel();
    logger.setLevel(Level.INFO);
    logger.setAdditive(false);
  }

  @AfterEach
  void release() {
    logger.detachAppender(events);
    logger.setLevel(was);
    logger.setAdditive(true);
  }

  @Test
  void aThrottleEventIsOneJsonObjectWithEveryField() throws IOException {
    ManualClock clock = new ManualClock();
    Counter suppressed = new SimpleMeterRegistry().counter("s");
    ThrottleLog log = new ThrottleLog(clock, 10, suppressed);
    Decision d = new Decision(false, 0, 1_500_000_000L, 3_000_000_000L, dev.sluice.core.Level.TIER,
        Limit.of(100, 50), Decision.Reason.EXHAUSTED);

    log.throttled("acme", "premium", "POST", "/rate/x", 3, d);

    LogstashEncoder encoder = new LogstashEncoder();
    encoder.setContext((LoggerContext) LoggerFactory.getILoggerFactory());
    encoder.start();
    JsonNode json = Harness.JSON.readTree(new String(encoder.encode(events.list.get(0)), StandardCharsets.UTF_8));
    assertThat(json.get("message").asText()).isEqualTo("throttled");
    assertThat(json.get("@timestamp").asText()).isNotEmpty();
    assertThat(json.get("level").asText()).isEqualTo("INFO");
    assertThat(json.get("event").asText()).isEqualTo("throttle");
    assertThat(json.get("client").asText()).isEqualTo("acme");
    assertThat(json.get("tier").asText()).isEqualTo("premium");
    assertThat(json.get("route").asText()).isEqualTo("/rate/x");
    assertThat(json.get("method").asText()).isEqualTo("POST");
    assertThat(json.get("cost").asInt()).isEqualTo(3);
    assertThat(json.get("deniedBy").asText()).isEqualTo("tier");
    assertThat(json.get("remaining").asLong()).isZero();
    assertThat(json.get("retryAfterMs").asLong()).isEqualTo(1500);
    assertThat(json.get("reason").asText()).isEqualTo("exhausted");
  }

  @Test
  void atMostTheBudgetIsLoggedPerSecondAndTheRestIsCounted() {
    ManualClock clock = new ManualClock(-1);
    Counter suppressed = new SimpleMeterRegistry().counter("s");
    ThrottleLog log = new ThrottleLog(clock, 3, suppressed);
    Decision d = new Decision(false, 0, 1, 1, dev.sluice.core.Level.CLIENT, Limit.of(1, 1),
        Decision.Reason.EXHAUSTED);
    for (int i = 0; i < 10; i++) {
      log.throttled("c", "t", "GET", "/", 1, d);
    }
    clock.advance(1_000_000_000L);
    log.throttled("c", "t", "GET", "/", 1, d);

    assertThat(events.list).hasSize(4);
    assertThat(suppressed.count()).isEqualTo(7);
  }
}
