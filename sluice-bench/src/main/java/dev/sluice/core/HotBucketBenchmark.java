package dev.sluice.core;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Diagnostic, not part of the comparison matrix: the two routes of issue 18 for one bucket that
 * every thread shares (a hot client key, or a tier or global level), measured at the bucket with
 * no map lookup, one system clock read and one cost-1 request per operation. In package
 * {@code dev.sluice.core} to reach the package-private bucket; run with {@code -t 1} and
 * {@code -t 2}.
 *
 * <p>{@code shared} is one {@link GcraBucket} CASed by every call; {@code leased} is the same
 * bucket through {@link GcraBucket#take} (per-thread {@link TokenLeases} after its first lost
 * CAS); {@code sharded} is {@value #SHARDS} sub-buckets, each with the burst and the rate divided
 * by {@value #SHARDS}, a call trying the shard its thread id picks, then the others.
 *
 * <p>Limits ({@code limit}): {@code open} is 10^9 tokens refilled at 10^9/s, never reached;
 * {@code saturated} is 1,000 tokens at 10^7/s, well below what one thread asks for, so most calls
 * are denied.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g", "-Xmn256m"})
public class HotBucketBenchmark {

  /** Sub-buckets of the sharded route. */
  static final int SHARDS = 2;

  /** Which limit: {@code open} or {@code saturated}. */
  @Param({"open", "saturated"})
  public String limit;

  private final Clock clock = Clock.system();
  private GcraBucket shared;
  private GcraBucket leased;
  private GcraBucket[] shards;

  /** Builds the buckets, full. */
  @Setup(Level.Trial)
  public void setUp() {
    long burst;
    long perSecond;
    switch (limit) {
      case "open" -> {
        burst = 1_000_000_000L;
        perSecond = 1_000_000_000L;
      }
      case "saturated" -> {
        burst = 1_000;
        perSecond = 10_000_000;
      }
      default -> throw new IllegalArgumentException("limit: " + limit + " (expected: open or saturated)");
    }
    shared = new GcraBucket(Limit.of(burst, perSecond));
    leased = new GcraBucket(Limit.of(burst, perSecond));
    // Seven unused buckets between two shards, so that shards do not share a cache line.
    GcraBucket[] spaced = new GcraBucket[8 * SHARDS];
    for (int i = 0; i < spaced.length; i++) {
      spaced[i] = new GcraBucket(Limit.of(burst / SHARDS, perSecond / SHARDS));
    }
    shards = new GcraBucket[SHARDS];
    for (int i = 0; i < SHARDS; i++) {
      shards[i] = spaced[8 * i];
    }
  }

  /** One bucket, one CAS per admitted call. */
  @Benchmark
  public boolean shared() {
    GcraBucket b = shared;
    return b.tryConsume(clock.nanoTime(), 1, b.params()) >= 0;
  }

  /** One bucket with per-thread leases once contended. */
  @Benchmark
  public boolean leased() {
    GcraBucket b = leased;
    return b.take(clock.nanoTime(), 1, b.params()) >= 0;
  }

  /** The thread's own shard, then the others. */
  @Benchmark
  public boolean sharded() {
    long now = clock.nanoTime();
    int first = (int) Thread.currentThread().threadId() & (SHARDS - 1);
    for (int i = 0; i < SHARDS; i++) {
      GcraBucket b = shards[(first + i) & (SHARDS - 1)];
      if (b.tryConsume(now, 1, b.params()) >= 0) {
        return true;
      }
    }
    return false;
  }
}
