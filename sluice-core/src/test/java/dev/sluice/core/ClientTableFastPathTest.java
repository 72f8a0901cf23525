package dev.sluice.core;

import static dev.sluice.core.TableOps.params;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@link ClientTable#take}'s fast path against {@link ClientTable#tryConsume}, which handles every
 * case: two tables with one hash, one decided through each, must give the same answer to every
 * decision of a random sequence (new keys, repeated keys, costs above the burst, instants before
 * earlier ones and before a reconfiguration's instant, limit and override changes, sweeps).
 */
class ClientTableFastPathTest {

  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

  @Test
  void theFastPathDecidesAsTheGeneralOne() {
    for (long seed = 1; seed <= 8; seed++) {
      replay(seed);
    }
  }

  private static void replay(long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    long start = random.nextLong(-SECOND, SECOND); // a clock may read negative
    ManualClock clock = new ManualClock(start);
    GcraBucket.Params p = params(10, 100);
    ClientTable fast = new ClientTable(p, Map.of(), 64, SECOND, start, new KeyHash(seed));
    ClientTable general = new ClientTable(p, Map.of(), 64, SECOND, start, new KeyHash(seed));
    int decisions = 0;
    int admitted = 0;
    for (int step = 0; step < 40_000; step++) {
      int op = random.nextInt(1000);
      if (op < 3) {
        GcraBucket.Params next = params(1 + random.nextInt(50), 1 + random.nextInt(1_000));
        Map<String, GcraBucket.Params> overrides = new HashMap<>();
        if (random.nextBoolean()) {
          overrides.put("k" + random.nextInt(100), params(1 + random.nextInt(5), 1 + random.nextInt(10)));
        }
        fast.reconfigure(clock, next, overrides);
        general.reconfigure(clock, next, overrides);
        continue;
      }
      clock.advance(random.nextLong(0, 2 * SECOND / 1_000));
      long now = clock.nanoTime();
      if (op < 100) {
        now -= random.nextLong(0, SECOND / 10); // a decision whose clock read came earlier
      }
      String key = "k" + (random.nextInt(4) == 0 ? random.nextInt(100) : random.nextInt(5));
      long cost = random.nextInt(20) == 0 ? 1 + random.nextInt(60) : 1;
      long h = fast.hash(key);
      assertThat(general.hash(key)).isEqualTo(h);
      long a = decide(fast, h, now, cost, true);
      long b = decide(general, h, now, cost, false);
      assertThat(a).as("seed %d step %d key %s now %d cost %d", seed, step, key, now, cost).isEqualTo(b);
      decisions++;
      if (a >= 0) {
        admitted++;
      }
    }
    // both outcomes occur, so the comparison covered admissions and denials
    assertThat(admitted).isBetween(decisions / 20, decisions - decisions / 20);
  }

  private static long decide(ClientTable t, long h, long now, long cost, boolean viaTake) {
    long r;
    do {
      ClientGeneration g = t.generation();
      r = viaTake ? t.take(h, now, cost, g) : t.tryConsume(h, now, cost, g);
    } while (r == GcraBucket.STALE);
    return r;
  }
}
