package dev.sluice.core;

import static dev.sluice.core.TableOps.consume;
import static dev.sluice.core.TableOps.params;
import static dev.sluice.core.TableOps.tokens;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.ToLongFunction;
import org.junit.jupiter.api.Test;

/** The open-addressing client table: exact eviction, its bound, growth under concurrency, collisions. */
class ClientTableTest {

  private static final long HOUR = TimeUnit.HOURS.toNanos(1);

  private static ClientTable table(GcraBucket.Params p, long maxSize, ToLongFunction<String> hash) {
    return new ClientTable(p, Map.of(), maxSize, HOUR, 0, hash);
  }

  @Test
  void decisionsMatchAGcraBucketWhateverTheSweepsForget() {
    // Random decisions on 50 keys, with sweeps at random instants: each key's answers must be those
    // of its own never-forgotten GcraBucket, since only full slots are forgotten.
    GcraBucket.Params p = params(5, 1_000);
    ClientTable t = table(p, 1_000, new KeyHash(7));
    Map<String, GcraBucket> reference = new HashMap<>();
    SplittableRandom rnd = new SplittableRandom(42);
    long now = -5_000_000_000L;
    long swept = 0;
    for (int i = 0; i < 200_000; i++) {
      now += rnd.nextInt(200_000);
      String key = "k" + rnd.nextInt(50);
      long cost = 1 + rnd.nextInt(3);
      long expected = reference.computeIfAbsent(key, k -> new GcraBucket(p)).tryConsume(now, cost, p);
      assertThat(consume(t, key, now, cost)).as("decision %d on %s", i, key).isEqualTo(expected);
      if (rnd.nextInt(500) == 0) {
        long before = t.size();
        t.sweep(now);
        swept += before - t.size();
      }
    }
    assertThat(swept).as("slots forgotten by the sweeps").isGreaterThan(1_000);
  }

  @Test
  void aDecisionFromBeforeASweepDoesNotFindTheForgottenBucketFull() {
    // The slot is full at the sweep's instant S, so it is forgotten; a decision that read the
    // clock before S (and lost the CPU) finds a fresh slot, but the forgotten bucket still had
    // debt at its instant: it must be decided as if the TAT were S, not as a full bucket.
    long s = 1_000_000_000;
    ClientTable t = table(params(1, 1), 100, new KeyHash(1));
    assertThat(consume(t, "k", 0, 1)).isEqualTo(s); // TAT = S: full again exactly at S
    t.sweep(s);
    assertThat(t.size()).as("forgotten at S").isZero();
    assertThat(consume(t, "k", s / 2, 1)).as("half a token short at S/2").isEqualTo(-1 - s / 2);
    assertThat(consume(t, "k", s, 1)).as("full at S").isEqualTo(s);
  }

  @Test
  void theSizeBoundHoldsAfterEveryInsertionAndDrainedClientsGoLast() {
    ClientTable t = table(params(10, 1), 500, new KeyHash(3));
    assertThat(consume(t, "drained", 0, 10)).isGreaterThanOrEqualTo(0);
    for (int i = 0; i < 20_000; i++) {
      consume(t, "c" + i, i, 1); // 1 token of 10 taken: 10 % debt, never full within the test
      assertThat(t.size()).isLessThanOrEqualTo(500);
    }
    assertThat(tokens(t, "drained", 20_000)).as("the drained client is remembered").isZero();
    assertThat(t.capacity()).as("tombstones dropped, no growth past the bound").isLessThanOrEqualTo(4 * 500);
  }

  @Test
  void collidingHashesShareABucketAndCollidingSlotsDoNot() {
    // "a" and "b" have one hash; "c" and "d" differ only in low bits, so they start probing at the
    // same slot but are different clients.
    Map<String, Long> hashes = Map.of("a", 0x1234_5678_9abc_def0L, "b", 0x1234_5678_9abc_def0L,
        "c", 0x7000_0000_0000_0010L, "d", 0x7000_0000_0000_0020L);
    ClientTable t = table(params(3, 1), 100, hashes::get);
    assertThat(consume(t, "a", 0, 3)).isGreaterThanOrEqualTo(0);
    assertThat(consume(t, "b", 0, 1)).as("b shares a's drained bucket").isNegative();
    assertThat(consume(t, "c", 0, 3)).isGreaterThanOrEqualTo(0);
    assertThat(consume(t, "d", 0, 3)).as("d has its own bucket").isGreaterThanOrEqualTo(0);
    assertThat(t.size()).isEqualTo(3);
  }

  @Test
  void reservedHashWordsAreMovedOutOfTheWay() {
    assertThat(ClientTable.slotHash(0)).isEqualTo(8);
    assertThat(ClientTable.slotHash(5)).isEqualTo(12);
    assertThat(ClientTable.slotHash(-1)).isEqualTo(-2);
    ClientTable t = table(params(2, 1), 100, k -> k.length() - 1); // "x" hashes to 0, "xx" to 1
    assertThat(consume(t, "x", 0, 2)).isGreaterThanOrEqualTo(0);
    assertThat(consume(t, "x", 0, 1)).isNegative();
    assertThat(consume(t, "xx", 0, 1)).as("0 and 1 differ only in the parity bit: one client")
        .isNegative();
  }

  @Test
  void reconfigurationCarriesEverySlotOverAsAGcraBucketDoes() {
    GcraBucket.Params before = params(100, 10);
    GcraBucket.Params after = params(30, 50);
    ClientTable t = table(before, 10_000, new KeyHash(11));
    List<GcraBucket> reference = new ArrayList<>();
    ManualClock clock = new ManualClock(1_000);
    for (int i = 0; i < 3_000; i++) { // grows the table several times on the way
      GcraBucket b = new GcraBucket(before);
      b.tryConsume(clock.nanoTime(), i % 101, before);
      consume(t, "k" + i, clock.nanoTime(), i % 101);
      reference.add(b);
    }
    clock.advance(123_456_789);
    t.reconfigure(clock, after, Map.of());
    for (GcraBucket b : reference) {
      b.reconfigure(clock, after);
    }
    long now = clock.nanoTime();
    for (int i = 0; i < 3_000; i++) {
      assertThat(tokens(t, "k" + i, now)).as("k%d", i).isEqualTo(reference.get(i).tokens(now));
      assertThat(consume(t, "k" + i, now, 7)).isEqualTo(reference.get(i).tryConsume(now, 7, after));
    }
  }

  @Test
  void concurrentInsertionsAndGrowthLoseNoClientAndNoConsumption() throws Exception {
    // Four threads take 1 token from each of 20,000 keys, half of them shared by all threads, from a
    // table that starts at 16 slots: every key must end with exactly one slot and every admitted
    // token counted.
    int threads = 4;
    int keys = 20_000;
    ClientTable t = table(params(1_000, 1), 1_000_000, new KeyHash(5));
    CyclicBarrier start = new CyclicBarrier(threads);
    AtomicLong admitted = new AtomicLong();
    List<Thread> workers = new ArrayList<>();
    List<Throwable> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
    for (int w = 0; w < threads; w++) {
      int id = w;
      Thread th = new Thread(() -> {
        try {
          start.await();
          long n = 0;
          for (int i = 0; i < keys; i++) {
            String key = i % 2 == 0 ? "shared-" + i : "own-" + id + "-" + i;
            if (consume(t, key, 0, 1) >= 0) {
              n++;
            }
          }
          admitted.addAndGet(n);
        } catch (Throwable e) {
          failures.add(e);
        }
      });
      workers.add(th);
      th.start();
    }
    for (Thread th : workers) {
      th.join(TimeUnit.MINUTES.toMillis(2));
      assertThat(th.isAlive()).as("worker finished").isFalse();
    }
    assertThat(failures).isEmpty();
    assertThat(admitted.get()).isEqualTo((long) threads * keys);
    assertThat(t.size()).isEqualTo(keys / 2 + (long) threads * keys / 2);
    for (int i = 0; i < keys; i += 2) {
      assertThat(tokens(t, "shared-" + i, 0)).as("shared-%d", i).isEqualTo(1_000 - threads);
    }
    assertThat(tokens(t, "own-3-1", 0)).isEqualTo(999);
  }

  @Test
  void aMillionClientsTakeAtMost32BytesEach() {
    // 16 bytes per slot; the array grows 1.5x at 75 % load, landing at 50 %: 21 to 32 bytes per
    // client (the key strings are the caller's and not kept).
    ClientTable t = table(params(10, 1), 2_000_000, new KeyHash(9));
    for (int i = 1; i <= 1_000_000; i++) {
      consume(t, "client-" + i, 0, 1);
      if (i % 50_000 == 0) {
        assertThat(t.size()).isEqualTo(i);
        assertThat(16.0 * t.capacity() / i).as("bytes per client at %d", i).isBetween(21.0, 32.0);
      }
    }
  }

  @Test
  void aTierTakesTokensFromOneClientsBucket() {
    // TierState.tryTake: the client level alone, as a caller leasing tokens from a client uses it.
    LimiterSpec spec = LimiterSpec.builder().tier("t", Limit.of(10, 1_000)).build();
    TierState tier = new TierState(spec.tiers().get("t"), spec, new ManualClock(0), 0);
    assertThat(tier.tryTake("k", 8, 0)).as("debt after taking 8 of 10").isEqualTo(8_000_000);
    assertThat(tier.tryTake("k", 3, 0)).as("denied: 1 token short, 1 ms to wait").isEqualTo(-1 - 1_000_000);
    assertThat(tier.tryTake("k", 3, 1_000_000)).isGreaterThanOrEqualTo(0);
    assertThat(tier.tryTake("other", 10, 0)).as("another client's own bucket").isGreaterThanOrEqualTo(0);
  }

  @Test
  void theHashDependsOnEveryCharacterAndTheSeed() {
    KeyHash h = new KeyHash(1);
    assertThat(h.applyAsLong("client-1")).isEqualTo(new KeyHash(1).applyAsLong("client-1"));
    assertThat(h.applyAsLong("client-1")).isNotEqualTo(new KeyHash(2).applyAsLong("client-1"));
    java.util.Set<Long> seen = new java.util.HashSet<>();
    String base = "abcdefghijklmnopqrstu";
    for (int len = 0; len <= base.length(); len++) {
      String s = base.substring(0, len);
      assertThat(seen.add(h.applyAsLong(s))).as("prefix %d", len).isTrue();
      for (int i = 0; i < len; i++) {
        char[] c = s.toCharArray();
        c[i] ^= 1;
        assertThat(seen.add(h.applyAsLong(new String(c)))).as("len %d, char %d flipped", len, i).isTrue();
      }
    }
    assertThat(h.applyAsLong("\0")).isNotEqualTo(h.applyAsLong("\0\0"));
  }
}
