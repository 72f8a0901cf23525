package dev.sluice.bench;

import dev.sluice.core.Limiter;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Sluice limiters for one trial with client, tier-aggregate and global levels (the latter two
 * never deny), one per lane, each key touched once in setup. Thread-safe.
 */
@State(Scope.Benchmark)
public class SluiceHierarchyState {

  Limiter[] lanes;

  /** Builds and prefills the limiters. */
  @Setup(Level.Trial)
  public void setUp(Workload workload) {
    lanes = SluiceState.prefill(workload, true);
  }
}
