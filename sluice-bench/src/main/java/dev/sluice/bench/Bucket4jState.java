package dev.sluice.bench;

import io.github.bucket4j.Bucket;
import java.util.concurrent.ConcurrentHashMap;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Bucket4j buckets for one trial: per lane, a map with one lock-free bucket per key, filled in
 * setup (exhausted buckets drained). Thread-safe.
 */
@State(Scope.Benchmark)
public class Bucket4jState {

  /** Key to bucket. */
  static final class Buckets extends ConcurrentHashMap<String, Bucket> {
    Buckets(int capacity) {
      super(capacity);
    }
  }

  Buckets[] lanes;

  /** Builds and fills the maps. */
  @Setup(Level.Trial)
  public void setUp(Workload workload) {
    lanes = new Buckets[workload.usesExhaustedLane() ? 2 : 1];
    for (int lane = 0; lane < lanes.length; lane++) {
      boolean exhausted = lane == Workload.EXHAUSTED;
      Buckets map = new Buckets(2 * workload.universe.length);
      for (String key : workload.universe) {
        Bucket b = Limits.bucket4j(exhausted);
        if (exhausted && !b.tryConsume(1)) {
          throw new IllegalStateException("could not drain " + key);
        }
        map.put(key, b);
      }
      lanes[lane] = map;
    }
  }
}
