package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.config.ConfigException;
import dev.sluice.core.Clock;
import dev.sluice.testkit.RedisProcess;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code store.redis.aggregate-shards} end to end: a server on a real Redis ({@link RedisProcess};
 * a missing redis-server fails the test) splits its global level into the configured shards, one
 * client gets only its shard's share, many clients get exactly the global burst, the shard keys are
 * in Redis; bursts below the shards are refused at start and on reload, and a changed shard count
 * needs a restart.
 *
 * <p>The refill is 3 tokens an hour (1 per shard), so no token comes back while the test runs and
 * the counts are exact although the store reads Redis' clock.
 */
@Timeout(60)
class ShardedServeTest {

  private static final String CONFIG = """
      tiers:
        free:
          per-client: { burst: 1000, rate: 1/h }
      global: { burst: %d, rate: 3/h }
      store:
        type: redis
        redis: { uri: "%s", namespace: shard-serve, aggregate-shards: %d }
        timeout: 2s
        failure-mode: fail-closed
        leasing: { enabled: false }
      """;

  @Test
  void oneClientGetsItsShardAndManyClientsExactlyTheGlobalBurst() throws Exception {
    try (RedisProcess redis = RedisProcess.start();
        Harness sluice = Harness.start(CONFIG.formatted(300, redis.uri(), 3), Clock.system())) {
      assertThat(admitted(sluice, List.of(repeat("solo", 150)))).as("one client: its shard's 300 / 3").isEqualTo(100);
      List<String> many = new ArrayList<>();
      for (int i = 0; i < 600; i++) {
        many.add("client-" + i);
      }
      assertThat(admitted(sluice, many)).as("600 clients after solo: the other two shards").isEqualTo(200);
      assertThat(admitted(sluice, many)).as("every shard empty").isZero();

      List<String> globals;
      try (RedisClient client = RedisClient.create(redis.uri());
          StatefulRedisConnection<String, String> c = client.connect()) {
        globals = c.sync().keys("*:v1:g");
      }
      assertThat(globals).hasSize(3).allMatch(k -> k.startsWith("{shard-serve/"));
      assertThat(globals.stream().map(k -> k.substring(0, k.indexOf('}'))).distinct()).hasSize(3);

      JsonNode solo = Harness.json(sluice.adminGet("/admin/buckets/solo"));
      JsonNode global = null;
      for (JsonNode level : solo.get("levels")) {
        if (level.get("level").asText().equals("global")) {
          global = level;
        }
      }
      assertThat(global).as("the global level in %s", solo).isNotNull();
      assertThat(global.get("burst").asLong()).as("the global level reported whole").isEqualTo(300);
      assertThat(global.get("tokens").asLong()).isZero();
    }
  }

  @Test
  void aGlobalBurstBelowTheShardsIsRefusedAtStartOnItsLine() {
    String yaml = Harness.withServer(CONFIG.formatted(2, "redis://127.0.0.1:1", 3));
    assertThatThrownBy(() -> SluiceServer.start(Harness.options(CONFIG.formatted(2, "redis://127.0.0.1:1", 3),
        Clock.system()).build(), null).close())
        .isInstanceOfSatisfying(ConfigException.class, e -> assertThat(e.problems()).hasSize(1)
            .first().satisfies(p -> {
              assertThat(p.line()).isEqualTo(lineOf(yaml, "global:"));
              assertThat(p.path()).isEqualTo("global.burst");
              assertThat(p.message()).isEqualTo(
                  "2 (expected: >= store.redis.aggregate-shards 3, one token per shard of the Redis store)");
            }));
  }

  @Test
  void aReloadKeepsTheShardsItStartedWith() throws Exception {
    try (RedisProcess redis = RedisProcess.start();
        Harness sluice = Harness.start(CONFIG.formatted(300, redis.uri(), 3), Clock.system())) {
      HttpResponse<String> tooSmall = sluice.putConfig(Harness.withServer(CONFIG.formatted(2, redis.uri(), 3)));
      assertThat(tooSmall.statusCode()).isEqualTo(400);
      assertThat(tooSmall.body()).contains("global.burst", "store.redis.aggregate-shards 3");

      HttpResponse<String> unsharded = sluice.putConfig(Harness.withServer(CONFIG.formatted(2, redis.uri(), 1)));
      assertThat(unsharded.statusCode()).as(unsharded.body()).isEqualTo(400);
      assertThat(unsharded.body()).contains("global: burst 2", "keeps its 3 aggregate shards until a restart");
      assertThat(sluice.server.store().spec().global().burst()).isEqualTo(300);

      HttpResponse<String> two = sluice.putConfig(Harness.withServer(CONFIG.formatted(600, redis.uri(), 2)));
      assertThat(two.statusCode()).isEqualTo(200);
      assertThat(Harness.json(two).get("restartRequired")).extracting(JsonNode::asText).containsExactly("store");
      JsonNode view = Harness.json(sluice.send(java.net.http.HttpRequest.newBuilder(
          java.net.URI.create(sluice.admin("/admin/config"))).header("Authorization", "Bearer " + Harness.TOKEN)
          .header("Accept", "application/json")));
      assertThat(view.get("configured").get("store").get("aggregate-shards").asInt()).as("as written").isEqualTo(2);
      assertThat(view.get("effective").get("store").get("aggregate-shards").asInt()).as("as opened").isEqualTo(3);
      assertThat(sluice.server.store().spec().global().burst()).isEqualTo(600);
      assertThat(admitted(sluice, List.of(repeat("solo", 300)))).as("still 3 shards: 600 / 3").isEqualTo(200);
    }
  }

  /** Sends one decision per entry of {@code keys} from 8 threads; returns how many were allowed. */
  private static int admitted(Harness sluice, List<String> keys) throws Exception {
    AtomicInteger allowed = new AtomicInteger();
    List<String> unexpected = java.util.Collections.synchronizedList(new ArrayList<>());
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int first = t;
        done.add(pool.submit(() -> {
          for (int i = first; i < keys.size(); i += 8) {
            HttpResponse<String> r = sluice.post(sluice.edge("/v1/decisions"), "{\"key\":\"" + keys.get(i) + "\"}");
            if (r.statusCode() == 200 && r.body().contains("\"allowed\":true")) {
              allowed.incrementAndGet();
            } else if (r.statusCode() != 200 || !r.body().contains("\"allowed\":false")) {
              unexpected.add(r.statusCode() + " " + r.body());
            }
          }
        }));
      }
      for (Future<?> f : done) {
        f.get(50, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(unexpected).isEmpty();
    return allowed.get();
  }

  private static String[] repeat(String key, int times) {
    String[] out = new String[times];
    java.util.Arrays.fill(out, key);
    return out;
  }

  private static int lineOf(String yaml, String prefix) {
    String[] lines = yaml.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      if (lines[i].startsWith(prefix)) {
        return i + 1;
      }
    }
    throw new AssertionError(prefix + " not in " + yaml);
  }
}
