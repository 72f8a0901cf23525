package dev.sluice.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Checks that each implementation, driven exactly as the benchmark drives it, denies nothing under
 * {@code allowed} and exactly half the calls under {@code halfDenied} (one full pass of the draws).
 */
class DeniedFractionTest {

  private static final DecisionBenchmark BENCH = new DecisionBenchmark();

  @ParameterizedTest
  @ValueSource(strings = {"allowed", "halfDenied"})
  void sluice(String load) {
    Workload w = workload("hot", load);
    SluiceState s = new SluiceState();
    s.setUp(w);
    assertDenied(w, c -> BENCH.sluice(s, c));
  }

  @ParameterizedTest
  @ValueSource(strings = {"allowed", "halfDenied"})
  void sluiceHierarchy(String load) {
    Workload w = workload("hot", load);
    SluiceHierarchyState s = new SluiceHierarchyState();
    s.setUp(w);
    assertDenied(w, c -> BENCH.sluiceHierarchy(s, c));
  }

  @ParameterizedTest
  @ValueSource(strings = {"allowed", "halfDenied"})
  void bucket4j(String load) {
    Workload w = workload("hot", load);
    Bucket4jState s = new Bucket4jState();
    s.setUp(w);
    assertDenied(w, c -> BENCH.bucket4j(s, c));
  }

  @ParameterizedTest
  @ValueSource(strings = {"allowed", "halfDenied"})
  void guava(String load) {
    Workload w = workload("hot", load);
    GuavaState s = new GuavaState();
    s.setUp(w);
    assertDenied(w, c -> BENCH.guava(s, c));
  }

  @ParameterizedTest
  @ValueSource(strings = {"allowed", "halfDenied"})
  void resilience4j(String load) {
    Workload w = workload("hot", load);
    Resilience4jState s = new Resilience4jState();
    s.setUp(w);
    assertDenied(w, c -> BENCH.resilience4j(s, c));
  }

  /**
   * Sluice keeps all 10^6 buckets of each lane while the benchmark runs (nothing evicted at
   * maxClientsPerTier = 10^6; the idle sweep of full buckets runs only once per idle expiry).
   */
  @Test
  void sluiceZipfKeepsEveryBucket() {
    Workload w = workload("zipf", "halfDenied");
    SluiceState s = new SluiceState();
    s.setUp(w);
    assertDenied(w, c -> BENCH.sluice(s, c));
    assertThat(s.lanes[0].clientCount("t")).isEqualTo(Workload.ZIPF_KEYS);
    assertThat(s.lanes[1].clientCount("t")).isEqualTo(Workload.ZIPF_KEYS);
  }

  private static Workload workload(String keys, String load) {
    Workload w = new Workload();
    w.build(keys, load);
    return w;
  }

  private static void assertDenied(Workload w, Predicate<Cursor> call) {
    Cursor c = new Cursor();
    c.start(w, 0, 1);
    for (int i = 0; i < Workload.DRAWS; i++) {
      call.test(c);
    }
    long expected = w.usesExhaustedLane() ? Workload.DRAWS / 2 : 0;
    assertThat(c.calls).isEqualTo(Workload.DRAWS);
    assertThat(c.denied).isEqualTo(expected);
  }
}
