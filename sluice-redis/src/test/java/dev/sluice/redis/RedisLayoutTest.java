package dev.sluice.redis;

import dev.sluice.testkit.RedisProcess;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Decision;
import dev.sluice.core.Limit;
import dev.sluice.core.LimiterSpec;
import dev.sluice.core.ManualClock;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The persisted value layout (golden file), script reload on NOSCRIPT, and key expiry. */
@Timeout(60)
class RedisLayoutTest {

  private static RedisProcess redis;
  private static RedisClient client;
  private static RedisCommands<String, String> raw;

  @BeforeAll
  static void start() {
    redis = RedisProcess.start();
    client = RedisClient.create(RedisURI.create(redis.uri()));
    StatefulRedisConnection<String, String> c = client.connect();
    raw = c.sync();
  }

  @AfterAll
  static void stop() {
    client.shutdown();
    redis.kill();
  }

  private static LimiterSpec spec(Limit perClient) {
    return LimiterSpec.builder().tier("t", perClient, Limit.of(100, 50)).global(Limit.of(1000, 500)).build();
  }

  private static Decision await(java.util.concurrent.CompletionStage<Decision> s) throws Exception {
    return s.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void valueLayoutMatchesTheGoldenFile() throws Exception {
    ManualClock clock = new ManualClock(1_000_000_000L);
    List<String> lines = new ArrayList<>();
    try (RedisBucketStore s = RedisBucketStore.builder(spec(Limit.of(10, 5)))
        .standalone(RedisURI.create(redis.uri())).namespace("golden").clock(clock).leasing(false).build()) {
      assertThat(await(s.acquire("alice", null, 3)).allowed()).isTrue();
      for (String k : List.of("{golden}:v1:c:1:t:alice", "{golden}:v1:t:t", "{golden}:v1:g")) {
        lines.add(k + " = " + raw.get(k));
      }
      s.reconfigure(spec(Limit.of(20, 10)));
      assertThat(await(s.acquire("alice", null, 1)).allowed()).isTrue();
      lines.add("{golden}:v1:c:1:t:alice = " + raw.get("{golden}:v1:c:1:t:alice"));
    }
    assertThat(lines).containsExactlyElementsOf(golden("layout-v1.golden"));
  }

  private static List<String> golden(String name) throws IOException {
    try (InputStream in = RedisLayoutTest.class.getResourceAsStream(name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines()
          .filter(l -> !l.isBlank() && !l.startsWith("#")).toList();
    }
  }

  @Test
  void redisTimeKeysAreMicrosecondsAndExpireWhenFull() throws Exception {
    try (RedisBucketStore s = RedisBucketStore.builder(spec(Limit.of(10, 5)))
        .standalone(RedisURI.create(redis.uri())).namespace("ttl").leasing(false).build()) {
      assertThat(await(s.acquire("bob", null, 2)).allowed()).isTrue();
      String value = raw.get("{ttl}:v1:c:1:t:bob");
      assertThat(value).matches("\\d{16}:10:200000");
      // Debt 400 ms: the key lives until the bucket is full again (+1 ms), not longer.
      assertThat(raw.pttl("{ttl}:v1:c:1:t:bob")).isBetween(1L, 401L);
    }
  }

  @ParameterizedTest(name = "batching {0}")
  @ValueSource(booleans = {true, false})
  void aFlushedScriptCacheIsReloaded(boolean batching) throws Exception {
    // Decisions run the batch script with batching on, the single-decision script with it off.
    LuaScript script = batching ? LuaScript.BATCH : LuaScript.BUCKETS;
    try (RedisBucketStore s = RedisBucketStore.builder(spec(Limit.of(10, 5)))
        .standalone(RedisURI.create(redis.uri())).namespace("noscript-" + batching).leasing(false)
        .batching(batching).clock(new ManualClock()).timeout(Duration.ofSeconds(5)).build()) {
      assertThat(await(s.acquire("carol", null, 1)).allowed()).isTrue();
      long before = s.stats().scriptReloads();
      raw.scriptFlush();
      assertThat(raw.scriptExists(script.sha())).containsExactly(false);
      Decision d = await(s.acquire("carol", null, 1));
      assertThat(d.allowed()).isTrue();
      assertThat(d.remaining()).isEqualTo(8);
      assertThat(s.stats().scriptReloads()).isGreaterThan(before);
      assertThat(s.stats().errors()).isZero();
      assertThat(raw.scriptExists(script.sha())).containsExactly(true);
    }
  }
}
