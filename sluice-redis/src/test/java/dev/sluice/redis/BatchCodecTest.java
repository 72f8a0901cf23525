package dev.sluice.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.Decision;
import dev.sluice.core.Limit;
import dev.sluice.core.LimiterSpec;
import dev.sluice.core.ManualClock;
import dev.sluice.testkit.RedisProcess;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@code batch.lua} call format: arguments with each distinct key, limit and shape once and
 * three or four arguments per decision; the compact reply (admitted flag and debts) decoded into tokens,
 * debts and waits, and a reply that does not fit its batch failing every decision with what is
 * wrong; a batch of more than 1,000 keys (read in chunks) equal to a sequential replay on a real
 * redis-server.
 */
@Timeout(60)
class BatchCodecTest {

  private static final Limit CLIENT = Limit.of(3, 2);
  private static final Limit TIER = Limit.of(40, 20);
  private static final Limit GLOBAL = Limit.of(60, 30);

  private static Batcher.Pending pending(String now, long cost, String[] keys, Limit[] limits) {
    return new Batcher.Pending(keys, limits, cost, now, 0, new CompletableFuture<>());
  }

  @Test
  void argumentsCarryEachKeyLimitAndShapeOnceAndThreeOrFourPerDecision() {
    StoreTime time = new StoreTime(null);
    List<Batcher.Pending> batch = List.of(
        pending("", 1, new String[] {"c1", "t", "g"}, new Limit[] {CLIENT, TIER, GLOBAL}),
        pending("", 2, new String[] {"c2", "t", "g"}, new Limit[] {CLIENT, TIER, GLOBAL}),
        pending("", 1, new String[] {"c3", "g"}, new Limit[] {CLIENT, GLOBAL}),
        // The same client again, and a decision whose client level was leased: its innermost key is the tier's.
        pending("", 4, new String[] {"c1", "t", "g"}, new Limit[] {CLIENT, TIER, GLOBAL}),
        pending("", 1, new String[] {"t", "g"}, new Limit[] {TIER, GLOBAL}));
    BatchCodec.Encoded e = BatchCodec.encode(batch, time);
    // A new shape's outer keys go in before its first decision's innermost key.
    assertThat(e.keys()).containsExactly("t", "g", "c1", "c2", "c3");
    // Intervals in µs: 500,000 (2/s), 50,000 (20/s), 33,334 (30/s, rounded up).
    // Redis time for all: "T", and three arguments per decision (cost, shape, innermost key).
    assertThat(e.args()).containsExactly(
        "1000", "1", "3", "3", "5", "T",
        "3", "500000", "40", "50000", "60", "33334",
        "3", "1", "1", "2", "2", "3",
        "2", "1", "2", "3",
        "2", "2", "2", "3",
        "1", "1", "3",
        "2", "1", "4",
        "1", "2", "5",
        "4", "1", "3",
        "1", "3", "1");
    // An injected clock: "C", and each decision's reading first (in ns, one unit per ns).
    StoreTime clockTime = new StoreTime(new ManualClock(0));
    BatchCodec.Encoded c = BatchCodec.encode(List.of(
        pending("42", 1, new String[] {"c1", "g"}, new Limit[] {CLIENT, GLOBAL}),
        pending("43", 2, new String[] {"c2", "g"}, new Limit[] {CLIENT, GLOBAL})), clockTime);
    assertThat(c.keys()).containsExactly("g", "c1", "c2");
    assertThat(c.args()).containsExactly(
        "1000000", "3600000", "2", "1", "2", "C",
        "3", "500000000", "60", "33333334",
        "2", "1", "1", "2",
        "42", "1", "1", "2",
        "43", "2", "1", "3");
  }

  @Test
  void aReplyDecodesIntoTokensDebtsAndWaits() {
    StoreTime time = new StoreTime(null);
    List<Batcher.Pending> batch = List.of(
        pending("", 1, new String[] {"c1", "g"}, new Limit[] {CLIENT, GLOBAL}),
        pending("", 2, new String[] {"c2", "g"}, new Limit[] {CLIENT, GLOBAL}),
        pending("", 4, new String[] {"c3"}, new Limit[] {CLIENT}));
    // Client capacity 3 × 500,000 = 1,500,000 µs; global 60 × 33,334 = 2,000,040 µs.
    long[][] d = BatchCodec.decode(batch, new long[] {1, 500_000, 66_668, 0, 1_200_000, 100_000, 0, 0}, time);
    // Admitted: tokens floor((cap - debt) / interval), no wait.
    assertThat(d[0]).containsExactly(1, 0, 2, 500_000, 0, 58, 66_668, 0);
    // Denied at the client: the need 1,200,000 + 2 × 500,000 exceeds the capacity by 700,000.
    assertThat(d[1]).containsExactly(0, 0, 0, 1_200_000, 700_000, 57, 100_000, 0);
    // A cost above the burst: wait -1 (never).
    assertThat(d[2]).containsExactly(0, 0, 3, 0, -1);
  }

  @Test
  void aReplyThatDoesNotFitItsBatchFailsEveryDecisionWithWhatIsWrong() {
    StoreTime time = new StoreTime(null);
    Batcher batcher = new Batcher(null, time, new ManualClock(0), Duration.ofSeconds(1).toNanos(), 16);
    List<Batcher.Pending> batch = List.of(
        pending("", 1, new String[] {"c1", "g"}, new Limit[] {CLIENT, GLOBAL}),
        pending("", 1, new String[] {"c2", "g"}, new Limit[] {CLIENT, GLOBAL}));
    assertThatThrownBy(() -> BatchCodec.decode(batch, new long[] {1, 0, 0, 1, 0}, time))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("batch reply has 5 values, expected 6 for 2 decisions");
    assertThatThrownBy(() -> BatchCodec.decode(batch, new long[] {1, 0, 0, 2, 0, 0}, time))
        .hasMessage("batch reply: decision 2 has admitted flag 2 (expected 0 or 1)");
    assertThatThrownBy(() -> BatchCodec.decode(batch, new long[] {1, 0, -5, 1, 0, 0}, time))
        .hasMessage("batch reply: decision 1 has debt -5 at level 2 (expected >= 0)");

    batcher.settle(batch, new long[] {1, 0, 0}, null);
    for (Batcher.Pending p : batch) {
      assertThat(p.result()).isCompletedExceptionally();
      assertThatThrownBy(p.result()::join).isInstanceOf(CompletionException.class)
          .hasCauseInstanceOf(IllegalStateException.class)
          .hasRootCauseMessage("batch reply has 3 values, expected 6 for 2 decisions");
    }
  }

  @Test
  void aReconfigurationInsideOneBatchEqualsASequentialReplay() throws Exception {
    // Decisions queued before and after a reconfiguration share one batch: the same keys under two
    // limits in one call (the lazy rescale happens inside the batch, also for denied decisions, then
    // the new limit holds). Each decision carries its own clock reading, 37 ms apart, so debts age
    // between a rescale and the next decision on the key.
    LimiterSpec before = LimiterSpec.builder().tier("t", Limit.of(6, 2), Limit.of(50, 10))
        .global(Limit.of(80, 20)).build();
    LimiterSpec after = LimiterSpec.builder().tier("t", Limit.of(3, 7), Limit.of(20, 30))
        .global(Limit.of(80, 20)).build();
    ManualClock clock = new ManualClock(7_000_000_000L);
    ManualClock replayClock = new ManualClock(0);
    try (RedisProcess redis = RedisProcess.start();
        RedisBucketStore batched = RedisBucketStore.builder(before).standalone(RedisURI.create(redis.uri()))
            .namespace("re").clock(clock).leasing(false).maxBatch(500).batchesInFlight(1)
            .timeout(Duration.ofSeconds(20)).build();
        RedisBucketStore replay = RedisBucketStore.builder(before).standalone(RedisURI.create(redis.uri()))
            .namespace("re-replay").clock(replayClock).leasing(false).batching(false)
            .timeout(Duration.ofSeconds(20)).build()) {
      RedisClient admin = RedisClient.create(RedisURI.create(redis.uri()));
      List<Integer> sizes = java.util.Collections.synchronizedList(new ArrayList<>());
      batched.batcher().observe(b -> sizes.add(b.size()));
      try {
        admin.connect().sync().clientPause(1_000);
        List<CompletableFuture<Decision>> got = new ArrayList<>();
        // Per step: the client (null = the reconfiguration) and the clock reading it ran at.
        List<String> order = new ArrayList<>();
        List<Long> at = new ArrayList<>();
        for (int i = 0; i < 120; i++) {
          if (i == 70) {
            batched.reconfigure(after);
            order.add(null);
            at.add(clock.nanoTime());
          }
          String client = "c" + (i % 9);
          order.add(client);
          at.add(clock.nanoTime());
          got.add(batched.acquire(client, null, 1 + i % 2).toCompletableFuture());
          clock.advance(Duration.ofMillis(37));
        }
        List<Decision> expected = new ArrayList<>();
        int i = 0;
        for (int step = 0; step < order.size(); step++) {
          replayClock.set(at.get(step));
          if (order.get(step) == null) {
            replay.reconfigure(after);
          } else {
            expected.add(replay.acquire(order.get(step), null, 1 + i++ % 2).toCompletableFuture()
                .get(20, TimeUnit.SECONDS));
          }
        }
        List<Decision> have = new ArrayList<>();
        for (CompletableFuture<Decision> f : got) {
          have.add(f.get(20, TimeUnit.SECONDS));
        }
        assertThat(sizes).as("the first decision alone, then the rest as one batch").containsExactly(1, 119);
        assertThat(have).containsExactlyElementsOf(expected);
        assertThat(have.subList(70, 120)).as("the new limits name the decisions after the change")
            .anyMatch(d -> d.limit().equals(Limit.of(3, 7)) || d.limit().equals(Limit.of(20, 30)));
        assertThat(have.subList(70, 120)).as("denials under the new limits").anyMatch(d -> !d.allowed());
        assertThat(have).anyMatch(Decision::allowed);
        // What the batch left in Redis equals what the sequential calls left, read at one instant.
        replayClock.set(clock.nanoTime());
        for (int c = 0; c < 9; c++) {
          assertThat(batched.levels("c" + c, null).toCompletableFuture().get(20, TimeUnit.SECONDS))
              .as("client c%d's buckets", c)
              .isEqualTo(replay.levels("c" + c, null).toCompletableFuture().get(20, TimeUnit.SECONDS));
        }
      } finally {
        admin.shutdown(0, 2, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void batchesInFlightOutsideOneToEightIsRejected() {
    LimiterSpec spec = LimiterSpec.builder().tier("t", Limit.of(2, 1)).build();
    assertThatThrownBy(() -> RedisBucketStore.builder(spec).batchesInFlight(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("batches in flight: 0 (expected: 1 to 8)");
    assertThatThrownBy(() -> RedisBucketStore.builder(spec).batchesInFlight(9))
        .hasMessage("batches in flight: 9 (expected: 1 to 8)");
  }

  @Test
  void aBatchOfMoreThanAThousandKeysEqualsASequentialReplay() throws Exception {
    LimiterSpec spec = LimiterSpec.builder().tier("t", Limit.of(2, 1), Limit.of(1_000, 10))
        .global(Limit.of(1_100, 10)).build();
    int n = 1_200;
    ManualClock clock = new ManualClock(5_000_000_000L);
    try (RedisProcess redis = RedisProcess.start();
        RedisBucketStore batched = RedisBucketStore.builder(spec).standalone(RedisURI.create(redis.uri()))
            .namespace("big").clock(clock).leasing(false).maxBatch(2_000).batchesInFlight(1).timeout(Duration.ofSeconds(20)).build();
        RedisBucketStore replay = RedisBucketStore.builder(spec).standalone(RedisURI.create(redis.uri()))
            .namespace("big-replay").clock(clock).leasing(false).batching(false)
            .timeout(Duration.ofSeconds(20)).build()) {
      RedisClient admin = RedisClient.create(RedisURI.create(redis.uri()));
      List<Integer> sizes = java.util.Collections.synchronizedList(new ArrayList<>());
      batched.batcher().observe(b -> sizes.add(b.size()));
      try {
        StatefulRedisConnection<String, String> conn = admin.connect();
        // Redis holds the first decision for a while: the rest queue behind it and go out as one batch.
        conn.sync().clientPause(1_000);
        List<CompletableFuture<Decision>> got = new ArrayList<>();
        List<String> clients = new ArrayList<>();
        for (int i = 0; i <= n; i++) {
          // Clients repeat (every 700th call), so some keys are decided twice within the batch.
          String client = "client-" + (i % 700 == 699 ? i - 699 : i);
          clients.add(client);
          got.add(batched.acquire(client, null, 1).toCompletableFuture());
        }
        List<Decision> expected = new ArrayList<>();
        for (String client : clients) {
          expected.add(replay.acquire(client, null, 1).toCompletableFuture().get(20, TimeUnit.SECONDS));
        }
        List<Decision> have = new ArrayList<>();
        for (CompletableFuture<Decision> f : got) {
          have.add(f.get(20, TimeUnit.SECONDS));
        }
        assertThat(sizes).as("the first decision alone, then the rest as one batch").containsExactly(1, n);
        assertThat(have).containsExactlyElementsOf(expected);
        assertThat(have).as("the tier and global limits bite within the batch")
            .anyMatch(d -> !d.allowed()).anyMatch(Decision::allowed);
        assertThat(batched.stats().errors()).isZero();
      } finally {
        admin.shutdown(0, 2, TimeUnit.SECONDS);
      }
    }
  }
}
