package dev.sluice.bench;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.sluice.core.Clock;
import dev.sluice.core.Limiter;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Diagnostic, not part of the comparison matrix: the pieces of one Sluice decision measured
 * alone, in nanoseconds per call, over the same key draws as {@link DecisionBenchmark} (run it
 * with {@code -p load=allowed}; the lanes are ignored).
 *
 * <p>{@code clock} is one {@link Clock#system()} read; {@code mapGet} a lookup in a prefilled
 * {@code ConcurrentHashMap} (what each peer pays to find its limiter); {@code caffeineAsSluice} a
 * lookup in a prefilled Caffeine cache built the way {@link Limiter}'s client map is at
 * sluice-core 8593518 (size bound {@link Limits#MAX_CLIENTS}, expiry after access, a coarse clock
 * held in an {@code AtomicLong} as ticker, maintenance on the calling thread);
 * {@code caffeineSizeOnly} the same without expiry; {@code caffeineAsyncMaintenance} the same as
 * Sluice's with Caffeine's default executor; {@code sluice} the whole decision;
 * {@code sluiceTryConsume} the same decision as a boolean, without building a {@code Decision}.
 * The rest of a decision (GCRA, building the {@code Decision}) is roughly
 * {@code sluice - caffeineAsSluice - clock}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 4, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-Xmn256m"})
public class HotPathCostBenchmark {

  private final Clock clock = Clock.system();
  private final AtomicLong coarseNow = new AtomicLong(clock.nanoTime());
  private ConcurrentHashMap<String, Object> map;
  private Cache<String, Object> caffeineAsSluice;
  private Cache<String, Object> caffeineSizeOnly;
  private Cache<String, Object> caffeineAsyncMaintenance;
  private Limiter limiter;

  /** Builds the map, the caches and the limiter, each holding every key of the workload. */
  @Setup(Level.Trial)
  public void setUp(Workload workload) {
    AtomicLong ticker = coarseNow;
    map = new ConcurrentHashMap<>(2 * workload.universe.length);
    caffeineAsSluice = Caffeine.newBuilder()
        .maximumSize(Limits.MAX_CLIENTS)
        .expireAfterAccess(Duration.ofMinutes(10))
        .ticker(ticker::get)
        .executor(Runnable::run)
        .build();
    caffeineSizeOnly = Caffeine.newBuilder()
        .maximumSize(Limits.MAX_CLIENTS)
        .executor(Runnable::run)
        .build();
    caffeineAsyncMaintenance = Caffeine.newBuilder()
        .maximumSize(Limits.MAX_CLIENTS)
        .expireAfterAccess(Duration.ofMinutes(10))
        .ticker(ticker::get)
        .build();
    limiter = Limits.sluice(false);
    Object value = new Object();
    for (String key : workload.universe) {
      map.put(key, value);
      caffeineAsSluice.put(key, value);
      caffeineSizeOnly.put(key, value);
      caffeineAsyncMaintenance.put(key, value);
      limiter.tryAcquire(key, 1);
    }
    caffeineAsSluice.cleanUp();
    caffeineSizeOnly.cleanUp();
    caffeineAsyncMaintenance.cleanUp();
  }

  /** One read of the system clock. */
  @Benchmark
  public long clock() {
    return clock.nanoTime();
  }

  /** A {@code ConcurrentHashMap} hit. */
  @Benchmark
  public Object mapGet(Cursor c) {
    return map.get(c.keys[c.next()]);
  }

  /** A hit in a Caffeine cache configured like Sluice's client map. */
  @Benchmark
  public Object caffeineAsSluice(Cursor c) {
    return caffeineAsSluice.getIfPresent(c.keys[c.next()]);
  }

  /** A hit in a size-bounded Caffeine cache without expiry. */
  @Benchmark
  public Object caffeineSizeOnly(Cursor c) {
    return caffeineSizeOnly.getIfPresent(c.keys[c.next()]);
  }

  /** As {@link #caffeineAsSluice}, with Caffeine's default (asynchronous) maintenance executor. */
  @Benchmark
  public Object caffeineAsyncMaintenance(Cursor c) {
    return caffeineAsyncMaintenance.getIfPresent(c.keys[c.next()]);
  }

  /** A whole Sluice decision (client level only, always admitted). */
  @Benchmark
  public boolean sluice(Cursor c) {
    return limiter.tryAcquire(c.keys[c.next()], 1).allowed();
  }

  /** The same decision through {@link Limiter#tryConsume}, which builds no {@code Decision}. */
  @Benchmark
  public boolean sluiceTryConsume(Cursor c) {
    return limiter.tryConsume(c.keys[c.next()], null, 1);
  }
}
