package dev.sluice.bench;

import dev.sluice.core.Limit;
import dev.sluice.core.Limiter;
import dev.sluice.core.LimiterSpec;
import dev.sluice.core.ManualClock;
import dev.sluice.core.TierSpec;
import java.util.HashMap;
import java.util.Map;
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
 * Diagnostic: what one {@link Limiter#reconfigure} costs with {@code clients} client buckets in
 * the tier, by what it changes, in microseconds per reconfiguration. Each call switches between
 * two specs that differ only in that: {@code aggregate} the tier's aggregate limit (no client's
 * params change), {@code overrides} the limits of 32 overridden clients (what the predictive
 * controller does each step), {@code perClient} the tier's per-client limit (every client's
 * params change, so every slot is carried over). The clock stands still, so no bucket refills and
 * no sweep forgets one.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class ReconfigurationBenchmark {

  @Param({"1000000"})
  public int clients;

  @Param({"aggregate", "overrides", "perClient"})
  public String change;

  private Limiter limiter;
  private final LimiterSpec[] specs = new LimiterSpec[2];
  private int next;

  /** Builds the two specs and a limiter on the first, holding {@code clients} client buckets. */
  @Setup(Level.Trial)
  public void setUp() {
    for (int v = 0; v < 2; v++) {
      Limit perClient = Limit.of(100, change.equals("perClient") ? 10 + v : 10);
      Limit aggregate = Limit.of(1_000_000_000, change.equals("aggregate") ? 1_000_000 + v : 1_000_000);
      Map<String, Limit> overrides = new HashMap<>();
      for (int i = 0; i < 32; i++) {
        overrides.put("c" + (i * 31_249), Limit.of(200, change.equals("overrides") ? 20 + v : 20));
      }
      TierSpec tier = new TierSpec("t", perClient, aggregate, 0, overrides);
      specs[v] = LimiterSpec.builder().tier("t", perClient).maxClientsPerTier(2L * clients).build().withTier(tier);
    }
    limiter = Limiter.create(specs[0], new ManualClock(0));
    for (int i = 0; i < clients; i++) {
      limiter.tryConsume("c" + i, "t", 1);
    }
    if (limiter.clientCount("t") != clients) {
      throw new IllegalStateException("clients: " + limiter.clientCount("t") + " (expected: " + clients + ")");
    }
  }

  /** Switches to the other spec. */
  @Benchmark
  public void reconfigure() {
    next ^= 1;
    limiter.reconfigure(specs[next]);
  }
}
