package dev.sluice.adaptive.flood;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class FloodDetectorTest {

  /** One window of {@code n} requests from {@code clients} keys named {@code prefix-i}. */
  private static void window(FloodDetector d, SeenClients seen, String prefix, int clients, int n, int sec,
      SplittableRandom rnd) {
    for (int i = 0; i < n; i++) {
      String key = prefix + "-" + rnd.nextInt(clients);
      long fp = SeenClients.fingerprint(key);
      long touched = seen.touch(fp, sec, sec);
      int first = SeenClients.first(touched);
      d.record(key, fp, 1, first == SeenClients.NEW, !seen.established(first, sec, Integer.MAX_VALUE),
          SeenClients.firstInWindow(touched));
    }
  }

  @Test
  void aFloodOfManyNewLowRateClientsScoresOneAndSteadyTrafficZero() {
    for (long seed = 1; seed <= 10; seed++) {
      SplittableRandom rnd = new SplittableRandom(seed);
      FloodDetector d = new FloodDetector(300, 30, 0.05);
      SeenClients seen = new SeenClients(1 << 16, 60);
      for (int s = 0; s < 300; s++) {
        window(d, seen, "legit", 1000, 540 + rnd.nextInt(120), s, rnd);
        assertThat(d.close(true, 0).score()).as("seed %d second %d", seed, s).isZero();
      }
      window(d, seen, "legit", 1000, 600, 300, rnd);
      window(d, seen, "bot", 2000, 3000, 300, rnd);
      FloodDetector.Reading r = d.close(false, 0);
      assertThat(r.score()).as("seed %d", seed).isEqualTo(1.0);
      assertThat(r.heavyHitters()).isEmpty();
    }
  }

  @Test
  void oneHeavyClientIsAHeavyHitterNotAFlood() {
    SplittableRandom rnd = new SplittableRandom(7);
    FloodDetector d = new FloodDetector(300, 30, 0.05);
    SeenClients seen = new SeenClients(1 << 16, 60);
    for (int s = 0; s < 100; s++) {
      window(d, seen, "legit", 1000, 600, s, rnd);
      d.close(true, 0);
    }
    window(d, seen, "legit", 1000, 600, 100, rnd);
    window(d, seen, "heavy", 1, 1500, 100, rnd);
    FloodDetector.Reading r = d.close(false, 0);
    assertThat(r.score()).isZero();
    assertThat(r.demandScore()).isEqualTo(1.0);
    assertThat(r.heavyHitters()).extracting(FloodDetector.Hitter::key).containsExactly("heavy-0");
  }

  @Test
  void memoryStaysBoundedWithAMillionDistinctClients() {
    FloodDetector d = new FloodDetector(300, 0, 0.05);
    SeenClients seen = new SeenClients(1 << 18, 60);
    Runtime rt = Runtime.getRuntime();
    for (int i = 0; i < 1_000_000; i++) {
      String key = "c-" + i;
      long fp = SeenClients.fingerprint(key);
      d.record(key, fp, 1, seen.touch(fp, i / 100_000) == SeenClients.NEW, true, true);
    }
    FloodDetector.Reading r = d.close(true, 0);
    assertThat(r.distinct()).isBetween(0.97e6, 1.03e6);
    assertThat(r.newcomers()).isGreaterThan(900_000);
    assertThat(seen.bytes()).isEqualTo(4L << 20);
    assertThat(FloodDetector.sketchBytes()).isLessThan(16 * 1024);
    // the structures' sizes are fixed; a second million keys changes nothing retained
    System.gc();
    long used = rt.totalMemory() - rt.freeMemory();
    for (int i = 1_000_000; i < 2_000_000; i++) {
      String key = "c-" + i;
      long fp = SeenClients.fingerprint(key);
      d.record(key, fp, 1, seen.touch(fp, i / 100_000) == SeenClients.NEW, true, true);
    }
    d.close(true, 0);
    System.gc();
    long after = rt.totalMemory() - rt.freeMemory();
    assertThat(after - used).as("heap growth after another 10^6 keys").isLessThan(8L << 20);
  }
}
