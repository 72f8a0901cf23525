package dev.sluice.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Decisions per second of Sluice and its peers, one call of cost 1 per operation: look the key's
 * limiter up (Sluice: its own client map; peers: a prefilled {@code ConcurrentHashMap}) in the
 * lane the workload picks, decide, and return whether the call was admitted.
 *
 * <p>Parameters come from {@link Workload} ({@code keys}, {@code load}); the thread count from
 * JMH's {@code -t}. Every method does the same bookkeeping ({@link Cursor}), so differences are
 * the limiters' own. Run with {@code -prof gc} for bytes per decision.
 *
 * <p>The heap is fixed (2 GB, enough for 10^6 keys in two lanes of any implementation) and so is
 * the young generation ({@code -Xmn256m}): on a VM whose memory is mapped lazily, the first write
 * to each fresh page costs a fault, and a young generation that G1 keeps growing during the run
 * pays that for several seconds, slowing only the implementations that allocate. With a fixed
 * 256 MB young generation every page has been written once by the end of the first warmup
 * iteration, so the measurement sees the steady state.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 4, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-Xmn256m"})
public class DecisionBenchmark {

  /**
   * Sluice, client level only, yes/no API ({@code Limiter.tryConsume}): the same work and the same
   * answer as a peer's {@code tryAcquire}/{@code tryConsume} (one bucket per key, a boolean).
   */
  @Benchmark
  public boolean sluice(SluiceState s, Cursor c) {
    int i = c.next();
    boolean ok = s.lanes[c.lanes[i]].tryConsume(c.keys[i], null, 1);
    c.count(ok);
    return ok;
  }

  /**
   * Sluice, client level only, full {@code Decision} API ({@code Limiter.tryAcquire}: remaining
   * tokens, retry-after, level), for information.
   */
  @Benchmark
  public boolean sluiceDecision(SluiceState s, Cursor c) {
    int i = c.next();
    boolean ok = s.lanes[c.lanes[i]].tryAcquire(c.keys[i], 1).allowed();
    c.count(ok);
    return ok;
  }

  /** Sluice with client, tier-aggregate and global levels, yes/no API (for information). */
  @Benchmark
  public boolean sluiceHierarchy(SluiceHierarchyState s, Cursor c) {
    int i = c.next();
    boolean ok = s.lanes[c.lanes[i]].tryConsume(c.keys[i], null, 1);
    c.count(ok);
    return ok;
  }

  /** Bucket4j {@code LockFreeBucket.tryConsume(1)}. */
  @Benchmark
  public boolean bucket4j(Bucket4jState s, Cursor c) {
    int i = c.next();
    boolean ok = s.lanes[c.lanes[i]].get(c.keys[i]).tryConsume(1);
    c.count(ok);
    return ok;
  }

  /** Guava {@code RateLimiter.tryAcquire()} (no wait). */
  @Benchmark
  public boolean guava(GuavaState s, Cursor c) {
    int i = c.next();
    boolean ok = s.lanes[c.lanes[i]].get(c.keys[i]).tryAcquire();
    c.count(ok);
    return ok;
  }

  /** Resilience4j {@code AtomicRateLimiter.acquirePermission()} with a zero timeout. */
  @Benchmark
  public boolean resilience4j(Resilience4jState s, Cursor c) {
    int i = c.next();
    boolean ok = s.lanes[c.lanes[i]].get(c.keys[i]).acquirePermission();
    c.count(ok);
    return ok;
  }
}
