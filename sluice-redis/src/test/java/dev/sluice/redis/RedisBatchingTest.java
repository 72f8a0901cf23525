package dev.sluice.redis;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Batching against a real redis-server: concurrent decisions batched together give exactly what
 * one call per decision gives in the order the batches carried them; a batch that Redis dies
 * under fails each of its decisions into the failure mode; decisions that queued past the timeout
 * fail into it without being sent.
 */
@Timeout(60)
class RedisBatchingTest {

  private static final int THREADS = 8;
  private static final int CALLS = 30;
  private static final int PHASES = 4;

  /** One decision a driver thread asked for, and what it got. */
  private record Call(String client, String tier, int cost, CompletableFuture<Decision> result) {}

  @org.junit.jupiter.params.ParameterizedTest(name = "{0} batch call(s) in flight")
  @org.junit.jupiter.params.provider.ValueSource(ints = {1, 2})
  void concurrentBatchedDecisionsEqualASequentialReplayInBatchOrder(int inFlight) throws Exception {
    // Tier t has three levels, tier u two: batches mix decisions of different shapes. Small bursts,
    // shared aggregates and costs up to 4 (above the client burst of 3) make the order matter.
    LimiterSpec spec = LimiterSpec.builder()
        .tier("t", Limit.of(3, 2), Limit.of(40, 20))
        .tier("u", Limit.of(3, 1))
        .global(Limit.of(60, 30))
        .defaultTier("t")
        .build();
    ManualClock clock = new ManualClock(1_000_000_000L);
    ManualClock replayClock = new ManualClock(0);
    List<List<Batcher.Pending>> sent = java.util.Collections.synchronizedList(new ArrayList<>());
    Map<String, List<Call>> byClientKey = new HashMap<>();
    List<List<Call>> perThread = new ArrayList<>();
    try (RedisProcess redis = RedisProcess.start();
        RedisBucketStore batched = RedisBucketStore.builder(spec).standalone(RedisURI.create(redis.uri()))
            .namespace("batched").clock(clock).leasing(false).maxBatch(16).batchesInFlight(inFlight)
            .timeout(Duration.ofSeconds(10)).build();
        // The reference: batching off, one gcra.lua call per decision, on its own clock and keys.
        RedisBucketStore replay = RedisBucketStore.builder(spec).standalone(RedisURI.create(redis.uri()))
            .namespace("replay").clock(replayClock).leasing(false).batching(false)
            .timeout(Duration.ofSeconds(10)).build()) {
      batched.batcher().observe(sent::add);
      KeySpace keys = new KeySpace("batched");
      for (int t = 0; t < THREADS; t++) {
        perThread.add(new ArrayList<>());
      }
      for (int phase = 0; phase < PHASES; phase++) {
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
          int id = t;
          int seed = phase * THREADS + t;
          threads.add(Thread.ofPlatform().start(() -> {
            SplittableRandom random = new SplittableRandom(seed);
            awaitLatch(start);
            // Each thread fires its calls without waiting, so batches fill up to the maximum; one
            // thread's calls reach the batcher in its own order.
            for (int i = 0; i < CALLS; i++) {
              String tier = id % 2 == 0 ? "t" : "u";
              String client = "c" + id + "-" + random.nextInt(3);
              int roll = random.nextInt(20);
              int cost = roll == 0 ? 4 : roll < 4 ? 2 : 1;
              Call c = new Call(client, tier, cost,
                  batched.acquire(client, tier, cost).toCompletableFuture());
              perThread.get(id).add(c);
            }
          }));
        }
        start.countDown();
        for (Thread th : threads) {
          th.join(TimeUnit.SECONDS.toMillis(20));
          assertThat(th.isAlive()).as("driver thread done").isFalse();
        }
        for (List<Call> calls : perThread) {
          for (Call c : calls) {
            c.result().get(20, TimeUnit.SECONDS);
          }
        }
        clock.advance(Duration.ofMillis(700));
      }
      for (int t = 0; t < THREADS; t++) {
        for (Call c : perThread.get(t)) {
          byClientKey.computeIfAbsent(keys.client(c.tier(), c.client()), k -> new ArrayList<>()).add(c);
        }
      }

      // Replay every decision, one call each, in the order the batches carried them, at the same time.
      Map<String, Integer> next = new HashMap<>();
      int decisions = 0;
      int admitted = 0;
      int largest = 0;
      List<Decision> got = new ArrayList<>();
      List<Decision> expected = new ArrayList<>();
      List<List<Batcher.Pending>> batches;
      synchronized (sent) {
        batches = List.copyOf(sent);
      }
      for (List<Batcher.Pending> batch : batches) {
        largest = Math.max(largest, batch.size());
        for (Batcher.Pending p : batch) {
          // A thread's calls reach the batcher in its order, and client keys are per thread: the
          // k-th pending decision of a client key is that client's k-th call.
          String clientKey = p.keys()[0];
          int k = next.merge(clientKey, 1, Integer::sum) - 1;
          Call c = byClientKey.get(clientKey).get(k);
          assertThat(p.cost()).as("the batch carries the call's cost").isEqualTo(c.cost());
          replayClock.set(Long.parseLong(p.now()));
          expected.add(replay.acquire(c.client(), c.tier(), c.cost()).toCompletableFuture().get(10, TimeUnit.SECONDS));
          Decision have = c.result().join();
          got.add(have);
          decisions++;
          admitted += have.allowed() ? 1 : 0;
        }
      }
      assertThat(decisions).as("every decision went through a batch").isEqualTo(THREADS * CALLS * PHASES);
      assertThat(got).containsExactlyElementsOf(expected);
      assertThat(largest).as("decisions were batched, at most maxBatch per call")
          .isGreaterThan(1).isLessThanOrEqualTo(16);
      assertThat(batches.size()).as("fewer calls than decisions").isLessThan(decisions);
      assertThat(admitted).as("the limits bite").isPositive().isLessThan(decisions);
      assertThat(got).anyMatch(d -> d.reason() == Decision.Reason.COST_EXCEEDS_BURST);
      assertThat(batched.batcher().mostInFlight()).as("batch calls out at once").isEqualTo(inFlight);
      assertThat(batched.stats().redisDecisions()).isEqualTo(decisions);
      assertThat(batched.stats().errors()).isZero();
      assertThat(replay.stats().errors()).isZero();
    }
  }

  @Test
  void aBatchThatRedisDiesUnderFailsEachDecisionIntoTheFailureMode() throws Exception {
    LimiterSpec spec = LimiterSpec.builder().tier("t", Limit.of(100, 100), Limit.of(1000, 1000)).build();
    int queued = 12;
    try (RedisProcess redis = RedisProcess.start()) {
      RedisClient admin = RedisClient.create(RedisURI.create(redis.uri()));
      StatefulRedisConnection<String, String> adminConn = admin.connect();
      CountDownLatch paused = new CountDownLatch(1);
      List<Integer> sizes = java.util.Collections.synchronizedList(new ArrayList<>());
      try (RedisBucketStore store = RedisBucketStore.builder(spec).standalone(RedisURI.create(redis.uri()))
          .namespace("kill").leasing(false).batchesInFlight(1).failureMode(FailureMode.FAIL_CLOSED)
          .circuitBreaker(3, Duration.ofSeconds(30)).timeout(Duration.ofSeconds(5)).build()) {
        store.batcher().observe(batch -> {
          sizes.add(batch.size());
          if (batch.size() > 1 && paused.getCount() > 0) {
            // Redis holds every command from now on: this batch goes out and hangs there.
            adminConn.sync().clientPause(60_000);
            paused.countDown();
          }
        });
        // Redis holds the first decision for 2 s (the pause ends by itself), long enough for the
        // others to queue behind it even on a loaded machine; its reply sends them, as one batch,
        // into the long pause.
        adminConn.sync().clientPause(2_000);
        CompletableFuture<Decision> first = store.acquire("first", null, 1).toCompletableFuture();
        List<CompletableFuture<Decision>> rest = new ArrayList<>();
        for (int i = 0; i < queued; i++) {
          rest.add(store.acquire("c" + i, null, 1).toCompletableFuture());
        }
        assertThat(first.get(10, TimeUnit.SECONDS).allowed()).as("decided in Redis before the kill").isTrue();
        assertThat(paused.await(10, TimeUnit.SECONDS)).as("the queued decisions were sent").isTrue();
        redis.kill();

        for (CompletableFuture<Decision> f : rest) {
          Decision d = f.get(20, TimeUnit.SECONDS);
          assertThat(d.allowed()).as("fail-closed answer").isFalse();
          assertThat(d.reason()).isEqualTo(Decision.Reason.EXHAUSTED);
          assertThat(d.retryAfterNanos()).isEqualTo(Duration.ofSeconds(30).toNanos());
        }
        assertThat(sizes).as("the queued decisions went out as one batch").containsExactly(1, queued);
        assertThat(store.stats().redisDecisions()).isEqualTo(1);
        assertThat(store.stats().fallbackDecisions()).isEqualTo(queued);
        assertThat(store.stats().errors()).isEqualTo(queued);
        assertThat(store.mode()).isEqualTo("fail-closed");
      } finally {
        admin.shutdown(0, 2, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void decisionsQueuedPastTheTimeoutFailWithoutBeingSent() throws Exception {
    LimiterSpec spec = LimiterSpec.builder().tier("t", Limit.of(100, 100)).build();
    // The batcher times queueing on the system clock: a manual one here, so "past the timeout" is
    // a step of the test, not a race with the machine's speed.
    ManualClock system = new ManualClock(0);
    List<Integer> sizes = java.util.Collections.synchronizedList(new ArrayList<>());
    try (RedisProcess redis = RedisProcess.start()) {
      RedisClient admin = RedisClient.create(RedisURI.create(redis.uri()));
      StatefulRedisConnection<String, String> adminConn = admin.connect();
      try (RedisBucketStore store = RedisBucketStore.builder(spec).standalone(RedisURI.create(redis.uri()))
          .namespace("queued").leasing(false).batchesInFlight(1).failureMode(FailureMode.FAIL_CLOSED).systemClock(system)
          .circuitBreaker(3, Duration.ofSeconds(30)).timeout(Duration.ofSeconds(5)).build()) {
        store.batcher().observe(batch -> sizes.add(batch.size()));
        // Redis holds the first decision for 1.5 s; the others queue behind it meanwhile.
        adminConn.sync().clientPause(1_500);
        CompletableFuture<Decision> first = store.acquire("first", null, 1).toCompletableFuture();
        List<CompletableFuture<Decision>> rest = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
          rest.add(store.acquire("c" + i, null, 1).toCompletableFuture());
        }
        system.advance(Duration.ofSeconds(6));
        assertThat(first.get(10, TimeUnit.SECONDS).allowed()).as("sent before the timeout passed").isTrue();
        for (CompletableFuture<Decision> f : rest) {
          Decision d = f.get(10, TimeUnit.SECONDS);
          assertThat(d.allowed()).as("fail-closed answer").isFalse();
          assertThat(d.retryAfterNanos()).isEqualTo(Duration.ofSeconds(30).toNanos());
        }
        assertThat(sizes).as("only the first decision went to Redis").containsExactly(1);
        assertThat(store.stats().redisDecisions()).isEqualTo(1);
        assertThat(store.stats().fallbackDecisions()).isEqualTo(5);
      } finally {
        admin.shutdown(0, 2, TimeUnit.SECONDS);
      }
    }
  }

  private static void awaitLatch(CountDownLatch latch) {
    try {
      if (!latch.await(20, TimeUnit.SECONDS)) {
        throw new AssertionError("latch not released within 20 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }
}
