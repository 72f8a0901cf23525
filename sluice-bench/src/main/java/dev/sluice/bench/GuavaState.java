package dev.sluice.bench;

import com.google.common.util.concurrent.RateLimiter;
import java.util.concurrent.ConcurrentHashMap;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Guava rate limiters for one trial: per lane, a map with one {@link RateLimiter} per key, filled
 * in setup (exhausted ones drained). Thread-safe.
 */
@State(Scope.Benchmark)
public class GuavaState {

  /** Key to limiter. */
  static final class Limiters extends ConcurrentHashMap<String, RateLimiter> {
    Limiters(int capacity) {
      super(capacity);
    }
  }

  Limiters[] lanes;

  /** Builds and fills the maps. */
  @Setup(Level.Trial)
  public void setUp(Workload workload) {
    lanes = new Limiters[workload.usesExhaustedLane() ? 2 : 1];
    for (int lane = 0; lane < lanes.length; lane++) {
      boolean exhausted = lane == Workload.EXHAUSTED;
      Limiters map = new Limiters(2 * workload.universe.length);
      for (String key : workload.universe) {
        RateLimiter r = Limits.guava(exhausted);
        if (exhausted && !r.tryAcquire()) {
          throw new IllegalStateException("could not drain " + key);
        }
        map.put(key, r);
      }
      lanes[lane] = map;
    }
  }
}
