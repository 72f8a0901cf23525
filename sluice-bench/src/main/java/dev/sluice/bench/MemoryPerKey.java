package dev.sluice.bench;

import dev.sluice.core.Limiter;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntFunction;

/**
 * Retained heap bytes per client key at {@code n} keys for Sluice and the peers, each set up as
 * {@link DecisionBenchmark} sets up its open lane: heap used after full collections with the
 * structure reachable, minus the same without it, divided by {@code n}. The key strings are built
 * before the first reading and kept alive throughout, so they are not counted (the caller owns
 * them; a map that keeps its own reference to a key pays only the reference). Not thread-safe; a
 * command-line tool.
 *
 * <p>Usage: {@code java -Xmx3g -cp sluice-bench/target/benchmarks.jar dev.sluice.bench.MemoryPerKey
 * [keys] [impl...]} with impl among {@code sluice guava bucket4j resilience4j} (default: all, one
 * after the other in this JVM; 10^6 keys).
 */
public final class MemoryPerKey {

  private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

  private MemoryPerKey() {}

  /** Runs the measurement and prints one line per implementation. */
  public static void main(String[] args) {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : Workload.ZIPF_KEYS;
    String[] impls = args.length > 1
        ? java.util.Arrays.copyOfRange(args, 1, args.length)
        : new String[] {"sluice", "guava", "bucket4j", "resilience4j"};
    String[] keys = new String[n];
    for (int i = 0; i < n; i++) {
      keys[i] = "client-" + i;
    }
    for (String impl : impls) {
      IntFunction<Object> build = switch (impl) {
        case "sluice" -> k -> sluice(keys);
        case "guava" -> k -> {
          ConcurrentHashMap<String, Object> m = new ConcurrentHashMap<>(2 * n);
          for (String key : keys) {
            m.put(key, Limits.guava(false));
          }
          return m;
        };
        case "bucket4j" -> k -> {
          ConcurrentHashMap<String, Object> m = new ConcurrentHashMap<>(2 * n);
          for (String key : keys) {
            m.put(key, Limits.bucket4j(false));
          }
          return m;
        };
        case "resilience4j" -> k -> {
          ConcurrentHashMap<String, Object> m = new ConcurrentHashMap<>(2 * n);
          for (String key : keys) {
            m.put(key, Limits.resilience4j(key, false));
          }
          return m;
        };
        default -> throw new IllegalArgumentException(
            "impl: " + impl + " (expected: sluice, guava, bucket4j or resilience4j)");
      };
      build.apply(0); // warm the classes up, so their one-off static data is in the baseline
      long before = usedAfterGc();
      Object structure = build.apply(0);
      long after = usedAfterGc();
      System.out.printf(Locale.ROOT, "%-13s %,d keys: %.1f B/key (%,d bytes)%n", impl, n,
          (after - before) / (double) n, after - before);
      reachabilityFence(structure);
    }
    reachabilityFence(keys);
  }

  private static Limiter sluice(String[] keys) {
    Limiter limiter = Limits.sluice(false);
    for (String key : keys) {
      if (!limiter.tryConsume(key, null, 1)) {
        throw new IllegalStateException("prefill denied " + key);
      }
    }
    return limiter;
  }

  private static long usedAfterGc() {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 4; i++) {
      System.gc();
      used = Math.min(used, MEMORY.getHeapMemoryUsage().getUsed());
    }
    return used;
  }

  private static void reachabilityFence(Object o) {
    java.lang.ref.Reference.reachabilityFence(o);
  }
}
