package dev.sluice.bench;

import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.ThreadParams;

/**
 * One benchmark thread's position in the shared {@link Workload} draws, and its call and denial
 * counts, which JMH reports as the secondary metrics {@code calls} and {@code denied}. Not
 * thread-safe: one instance per thread, no shared counter.
 *
 * <p>Thread i of n starts at draw {@code i * DRAWS / n} and walks forward, wrapping around.
 */
@State(Scope.Thread)
@AuxCounters(AuxCounters.Type.EVENTS)
public class Cursor {

  /** Calls made in the current iteration. */
  public long calls;
  /** Calls denied in the current iteration. */
  public long denied;

  String[] keys;
  byte[] lanes;
  int mask;
  int index;

  /** Points this thread at its own offset in the draws. */
  @Setup(Level.Trial)
  public void setUp(Workload workload, ThreadParams thread) {
    start(workload, thread.getThreadIndex(), thread.getThreadCount());
  }

  /** Clears the counters so that each iteration reports its own. */
  @Setup(Level.Iteration)
  public void clear() {
    calls = 0;
    denied = 0;
  }

  void start(Workload workload, int thread, int threads) {
    keys = workload.draws;
    lanes = workload.lanes;
    mask = keys.length - 1;
    index = (int) ((long) thread * keys.length / threads);
  }

  /** Returns the index of the next call and advances. */
  int next() {
    int i = index;
    index = (i + 1) & mask;
    return i;
  }

  /** Counts one call and whether it was denied, without a branch. */
  void count(boolean allowed) {
    calls++;
    denied += allowed ? 0 : 1;
  }
}
