package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class WorkloadTest {

  @Test
  void hotIsOneKeyEverywhere() {
    Workload w = new Workload();
    w.build("hot", "allowed");
    assertThat(w.universe).containsExactly("client-hot");
    assertThat(w.draws).hasSize(Workload.DRAWS).containsOnly("client-hot");
    assertThat(w.lanes).containsOnly(Workload.OPEN);
    assertThat(w.usesExhaustedLane()).isFalse();
  }

  @Test
  void halfDeniedSendsExactlyHalfTheDrawsToTheExhaustedLane() {
    Workload w = new Workload();
    w.build("hot", "halfDenied");
    int exhausted = 0;
    for (byte lane : w.lanes) {
      exhausted += lane;
    }
    assertThat(exhausted).isEqualTo(Workload.DRAWS / 2);
    assertThat(w.usesExhaustedLane()).isTrue();
  }

  @Test
  void zipfRanksFollowOneOverRank() {
    int n = Workload.ZIPF_KEYS;
    int[] ranks = Workload.zipfRanks(n, Workload.ZIPF_EXPONENT, Workload.DRAWS, Workload.KEY_SEED);
    double harmonic = 0;
    for (int r = 1; r <= n; r++) {
      harmonic += 1.0 / r;
    }
    Map<Integer, Integer> counts = new HashMap<>();
    for (int r : ranks) {
      assertThat(r).isBetween(0, n - 1);
      counts.merge(r, 1, Integer::sum);
    }
    // P(rank 1) = 1/H_n ~ 6.9 %, P(rank 2) = half of that.
    assertThat(counts.get(0) / (double) Workload.DRAWS).isCloseTo(1 / harmonic, within(0.002));
    assertThat(counts.get(1) / (double) Workload.DRAWS).isCloseTo(0.5 / harmonic, within(0.002));
    assertThat(counts.size()).isGreaterThan(100_000);
  }

  @Test
  void sameSeedSameDraws() {
    int[] a = Workload.zipfRanks(1000, 1.0, 4096, 7);
    int[] b = Workload.zipfRanks(1000, 1.0, 4096, 7);
    assertThat(a).isEqualTo(b);
  }

  @Test
  void threadsStartAtTheirOwnOffset() {
    Workload w = new Workload();
    w.build("hot", "allowed");
    Cursor first = new Cursor();
    Cursor second = new Cursor();
    first.start(w, 0, 2);
    second.start(w, 1, 2);
    assertThat(first.next()).isZero();
    assertThat(second.next()).isEqualTo(Workload.DRAWS / 2);
  }
}
