package dev.sluice.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Decision;
import dev.sluice.core.Limit;
import dev.sluice.core.LimiterSpec;
import dev.sluice.testkit.Conditions;
import dev.sluice.testkit.RedisProcess;
import io.lettuce.core.RedisURI;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A store whose Redis is down at build (a free port, nothing listening) starts in its failure mode
 * and says so; a real Redis started on that port brings it to {@code redis} mode, and killing it
 * brings it back: one {@link ModeListener} call per change, in order.
 */
@Timeout(60)
class RedisStoreModeTest {

  private static final Duration DEADLINE = Duration.ofSeconds(20);

  @Test
  void aRedisDownAtStartMeansTheFailureModeUntilItAnswers() throws InterruptedException {
    LimiterSpec spec = LimiterSpec.builder().tier("t", Limit.of(10, 10)).build();
    BlockingQueue<String> modes = new LinkedBlockingQueue<>();
    try (RedisProcess redis = RedisProcess.unstarted();
        RedisBucketStore store = RedisBucketStore.builder(spec)
            .standalone(RedisURI.create(redis.uri()))
            .namespace("mode-test")
            .timeout(Duration.ofSeconds(1))
            .circuitBreaker(3, Duration.ofMillis(100))
            .heartbeat(Duration.ofMillis(50))
            .modeListener((from, to) -> modes.add(from + " -> " + to))
            .build()) {
      assertThat(store.mode()).as("no Redis at build").isEqualTo("local-share");
      assertThat(next(modes)).isEqualTo("null -> local-share");
      Decision d = NodeHarness.decide(store, "c", Duration.ofSeconds(5));
      assertThat(d.allowed()).isTrue();
      assertThat(store.stats().fallbackDecisions()).isEqualTo(1);

      redis.restart();
      assertThat(next(modes)).isEqualTo("local-share -> redis");
      assertThat(store.mode()).isEqualTo("redis");

      redis.kill();
      Conditions.await("the breaker to open", DEADLINE, () -> {
        NodeHarness.decide(store, "c", Duration.ofSeconds(5));
        return store.mode().equals("local-share");
      });
      assertThat(next(modes)).isEqualTo("redis -> local-share");
      assertThat(modes).as("one call per change").isEmpty();
    }
  }

  private static String next(BlockingQueue<String> modes) throws InterruptedException {
    String m = modes.poll(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(m).as("a mode change within " + DEADLINE).isNotNull();
    return m;
  }
}
