package dev.sluice.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.Decision;
import dev.sluice.core.Level;
import dev.sluice.core.Limit;
import dev.sluice.core.LimiterSpec;
import dev.sluice.core.ManualClock;
import dev.sluice.testkit.BucketInvariantChecker;
import dev.sluice.testkit.RedisProcess;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.cluster.SlotHash;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Aggregate levels split into shards ({@link RedisStoreBuilder#aggregateShards}): the shards
 * together admit exactly the burst at one instant and stay within {@code B + R * t} (plus the lease
 * bound with leasing), one client gets only its shard's share, and on a 3-master Cluster the shards
 * live on three different masters. Batching is on (the default) in every case; on the Cluster, 600
 * decisions fired at once from four threads go out in batches of each shard's batcher whose keys
 * all share the shard's slot: no CROSSSLOT or script error, exactly the burst admitted.
 */
@Timeout(120)
class RedisAggregateShardsTest {

  private static final Duration SECOND = Duration.ofSeconds(1);
  private static RedisProcess redis;

  @BeforeAll
  static void start() {
    redis = RedisProcess.start();
  }

  @AfterAll
  static void stop() {
    redis.kill();
  }

  private static LimiterSpec spec(long burst, long rate) {
    return LimiterSpec.builder().tier("t", Limit.of(1_000_000, 1_000_000)).global(Limit.of(burst, rate)).build();
  }

  private static List<String> clients(int n) {
    return IntStream.range(0, n).mapToObj(i -> "client-" + i).toList();
  }

  private static RedisBucketStore store(RedisStoreBuilder b, ManualClock clock, String ns) {
    return b.namespace(ns).clock(clock).systemClock(clock).leasing(false).timeout(Duration.ofSeconds(5))
        .aggregateShards(3).build();
  }

  @Test
  void shardTagsFallInTheThirdsOfTheSlotSpaceAndOneShardIsTheUnshardedLayout() {
    KeySpace one = new KeySpace("ns", 1);
    assertThat(one.global()).isEqualTo("{ns}:v1:g");
    assertThat(one.client("t", "k")).isEqualTo("{ns}:v1:c:1:t:k");
    KeySpace three = new KeySpace("ns", 3);
    int[] bounds = {0, 5461, 10923, 16384};
    for (int s = 0; s < 3; s++) {
      int slot = SlotHash.getSlot(three.global(s));
      assertThat(slot).as("slot of %s", three.global(s)).isBetween(bounds[s], bounds[s + 1] - 1);
      assertThat(SlotHash.getSlot(three.tier("t", s))).isEqualTo(slot);
    }
    String client = three.client("t", "k");
    assertThat(SlotHash.getSlot(client)).isEqualTo(SlotHash.getSlot(three.global(three.shardOf("k"))));
    assertThat(three.nodes()).isEqualTo("{ns}:v1:nodes");
    assertThatThrownBy(() -> new KeySpace("ns", 0)).hasMessageContaining("aggregate shards: 0");
    assertThatThrownBy(() -> RedisBucketStore.builder(spec(2, 10)).aggregateShards(3))
        .hasMessageContaining("global: burst 2").hasMessageContaining("3 aggregate shards");
  }

  @Test
  void theShardsTogetherAdmitTheBurstAndOneClientOnlyItsShardsShare() {
    ManualClock clock = new ManualClock(Lockstep.START);
    try (RedisBucketStore store = store(RedisBucketStore.builder(spec(300, 300))
        .standalone(RedisURI.create(redis.uri())), clock, "shards-standalone")) {
      assertSharded(store, clock);
    }
  }

  @Test
  void onAClusterTheShardsLiveOnThreeMastersAndTogetherAdmitTheBurst() {
    ManualClock clock = new ManualClock(Lockstep.START);
    try (RedisClusterProcesses cluster = new RedisClusterProcesses();
        RedisBucketStore store = store(RedisBucketStore.builder(spec(300, 300)).cluster(cluster.seeds()), clock,
            "shards-cluster")) {
      assertSharded(store, clock);
      RedisClient client = RedisClient.create();
      try {
        for (RedisURI master : cluster.seeds()) {
          try (StatefulRedisConnection<String, String> c = client.connect(master)) {
            assertThat(c.sync().keys("{shards-cluster/*}:v1:g")).as("global shards on %s", master).hasSize(1);
          }
        }
      } finally {
        client.shutdown();
      }
    }
  }

  @Test
  void onAClusterConcurrentBatchedDecisionsStayInTheirShardsSlotAndTogetherAdmitTheBurst() throws Exception {
    ManualClock clock = new ManualClock(Lockstep.START);
    String ns = "shards-batched";
    KeySpace keys = new KeySpace(ns, 3);
    List<String> clients = clients(600);
    int[] perShard = new int[3];
    clients.forEach(c -> perShard[keys.shardOf(c)]++);
    assertThat(Arrays.stream(perShard).min().getAsInt()).as("clients in the smallest shard: more than its burst of 100").isGreaterThan(100);
    try (RedisClusterProcesses cluster = new RedisClusterProcesses();
        RedisBucketStore store = RedisBucketStore.builder(spec(300, 300)).cluster(cluster.seeds()).namespace(ns)
            .clock(clock).systemClock(clock).leasing(false).batching(true).maxBatch(16)
            .timeout(Duration.ofSeconds(10)).aggregateShards(3).build()) {
      // Every batch call each shard's batcher sends: its size, and whether all its keys share the
      // slot of the shard's global key (else Redis would answer CROSSSLOT).
      List<List<Integer>> sizes = new ArrayList<>();
      List<String> strays = Collections.synchronizedList(new ArrayList<>());
      for (int s = 0; s < 3; s++) {
        int shard = s;
        int slot = SlotHash.getSlot(keys.global(s));
        List<Integer> mine = Collections.synchronizedList(new ArrayList<>());
        sizes.add(mine);
        store.batcher(s).observe(batch -> {
          mine.add(batch.size());
          batch.forEach(p -> Arrays.stream(p.keys()).filter(k -> SlotHash.getSlot(k) != slot)
              .forEach(k -> strays.add("shard " + shard + ": " + k)));
        });
      }
      assertThat(store.aggregates().toCompletableFuture().join().global().tokens()).isEqualTo(300);
      // Every master holds its first call for a second: the decisions fired meanwhile from four
      // threads queue behind it, so every shard's batcher sends batches of more than one.
      RedisClient admin = RedisClient.create();
      try {
        for (RedisURI master : cluster.seeds()) {
          try (StatefulRedisConnection<String, String> c = admin.connect(master)) {
            c.sync().clientPause(1_000);
          }
        }
      } finally {
        admin.shutdown();
      }
      List<CompletableFuture<Decision>> decisions = new ArrayList<>();
      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<List<CompletableFuture<Decision>>>> fired = new ArrayList<>();
        for (int t = 0; t < 4; t++) {
          List<String> part = clients.subList(t * 150, (t + 1) * 150);
          fired.add(pool.submit(() -> part.stream().map(c -> store.acquire(c, null, 1).toCompletableFuture()).toList()));
        }
        for (Future<List<CompletableFuture<Decision>>> f : fired) {
          decisions.addAll(f.get(10, TimeUnit.SECONDS));
        }
      } finally {
        pool.shutdownNow();
      }
      int[] admitted = new int[3];
      for (int i = 0; i < clients.size(); i++) {
        Decision d = decisions.get(i).get(20, TimeUnit.SECONDS);
        admitted[keys.shardOf(clients.get(i))] += d.allowed() ? 1 : 0;
      }
      assertThat(store.stats().errors()).as("script or CROSSSLOT errors").isZero();
      assertThat(store.stats().fallbackDecisions()).isZero();
      assertThat(strays).as("keys outside their shard's slot").isEmpty();
      assertThat(store.stats().redisDecisions()).isEqualTo(600);
      assertThat(admitted).as("admitted per shard at one instant").containsExactly(100, 100, 100);
      assertThat(store.aggregates().toCompletableFuture().join().global().tokens()).isZero();
      for (int s = 0; s < 3; s++) {
        assertThat(sizes.get(s).stream().mapToInt(Integer::intValue).sum()).as("decisions batched in shard %d", s)
            .isEqualTo(perShard[s]);
        assertThat(sizes.get(s)).as("batch sizes in shard %d", s).anyMatch(n -> n > 1).allMatch(n -> n <= 16);
      }
    }
  }

  /** One client gets 100 of the global 300 (its shard); 600 clients at one instant get exactly 300. */
  private static void assertSharded(RedisBucketStore store, ManualClock clock) {
    int solo = 0;
    Decision last = null;
    for (int i = 0; i < 150; i++) {
      last = NodeHarness.decide(store, "solo", SECOND);
      solo += last.allowed() ? 1 : 0;
    }
    assertThat(solo).as("one client: its shard's burst").isEqualTo(100);
    assertThat(last.level()).isEqualTo(Level.GLOBAL);
    assertThat(last.limit()).as("the decision names the configured limit").isEqualTo(Limit.of(300, 300));
    // Two seconds: every shard (100 @ ~100/s) is full again.
    clock.advance(Duration.ofSeconds(2).toNanos());
    assertThat(store.aggregates().toCompletableFuture().join().global().tokens()).isEqualTo(300);
    long admitted = 0;
    for (String c : clients(600)) {
      admitted += NodeHarness.decide(store, c, SECOND).allowed() ? 1 : 0;
    }
    assertThat(admitted).as("600 clients over 3 shards at one instant").isEqualTo(300);
    assertThat(store.aggregates().toCompletableFuture().join().global().tokens()).isZero();
    assertThat(store.levels("client-1", null).toCompletableFuture().join().get(1).limit()).isEqualTo(Limit.of(300, 300));
    assertThat(store.stats().errors()).isZero();
    assertThat(store.stats().fallbackDecisions()).isZero();
  }

  @Test
  void leasedShardsOfASaturatedGlobalLevelStayWithinTheBound() {
    long burst = 600;
    long rate = 1_200;
    int count = 2;
    ManualClock clock = new ManualClock(Lockstep.START);
    LimiterSpec spec = spec(burst, rate);
    // Each node holds at most one lease per shard of floor(f * (B/3 + R/3 * P) / N) = 3 tokens.
    Limit shard = Limit.of(burst, rate).share(1.0 / 3);
    long perLease = (long) Math.floor(0.01 * (shard.burst() + shard.rate().perSecond()) / count);
    long slack = 3L * count * perLease;
    try (NodeHarness h = new NodeHarness(count, spec, redis.uri(), "shards-leased", true,
            b -> Lockstep.options(clock, SECOND).apply(b).aggregateShards(3));
        Lockstep run = new Lockstep(clock, Duration.ofMillis(1), count, clients(12))) {
      BucketInvariantChecker checker = new BucketInvariantChecker("sharded global", Limit.of(burst + slack, rate),
          run.now());
      long start = run.now();
      long admitted = 0;
      for (int s = 0; s < 2_000; s++) {
        long at = run.now();
        long now = LongStream.of(run.step(h.nodes, 4)).sum();
        if (now > 0) {
          checker.onAdmit(at, now);
        }
        admitted += now;
      }
      double bound = burst + rate * (run.now() - start) / 1e9;
      assertThat((double) admitted).as("admitted of B + R·t = %.0f", bound).isGreaterThanOrEqualTo(0.95 * bound);
      List<Long> leased = new ArrayList<>();
      for (RedisBucketStore n : h.nodes) {
        assertThat(n.stats().errors()).isZero();
        assertThat(n.stats().fallbackDecisions()).isZero();
        leased.add(n.stats().leasedDecisions());
      }
      assertThat(leased).allMatch(l -> l > 0);
    }
  }
}
