package dev.sluice.bench;

import dev.sluice.core.Limiter;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Sluice limiters for one trial, one per lane, configured with the client level only, each key
 * touched once in setup so that measurement finds existing buckets. Thread-safe (the limiters
 * are).
 */
@State(Scope.Benchmark)
public class SluiceState {

  Limiter[] lanes;

  /** Builds and prefills the limiters. */
  @Setup(Level.Trial)
  public void setUp(Workload workload) {
    lanes = prefill(workload, false);
  }

  /** Returns the lanes of {@code workload}, each key touched once (which drains exhausted ones). */
  static Limiter[] prefill(Workload workload, boolean hierarchy) {
    Limiter[] out = new Limiter[workload.usesExhaustedLane() ? 2 : 1];
    for (int lane = 0; lane < out.length; lane++) {
      boolean exhausted = lane == Workload.EXHAUSTED;
      Limiter limiter = hierarchy ? Limits.sluiceHierarchy(exhausted) : Limits.sluice(exhausted);
      for (String key : workload.universe) {
        if (!limiter.tryAcquire(key, 1).allowed()) {
          throw new IllegalStateException("prefill denied " + key + " in lane " + lane);
        }
      }
      out[lane] = limiter;
    }
    return out;
  }
}
