package dev.sluice.bench;

import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;
import java.util.concurrent.ConcurrentHashMap;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Resilience4j rate limiters for one trial: per lane, a map with one {@link AtomicRateLimiter}
 * per key, filled in setup (exhausted ones drained). Thread-safe.
 */
@State(Scope.Benchmark)
public class Resilience4jState {

  /** Key to limiter. */
  static final class Limiters extends ConcurrentHashMap<String, AtomicRateLimiter> {
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
        AtomicRateLimiter r = Limits.resilience4j(key, exhausted);
        if (exhausted && !r.acquirePermission()) {
          throw new IllegalStateException("could not drain " + key);
        }
        map.put(key, r);
      }
      lanes[lane] = map;
    }
  }
}
