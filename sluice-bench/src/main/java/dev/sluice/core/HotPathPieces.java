package dev.sluice.core;

import com.google.common.util.concurrent.GuavaOnTicker;
import com.google.common.util.concurrent.RateLimiter;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The pieces of a one-thread decision on one key, in CPU nanoseconds per call, with a counting
 * clock (a field increment) in place of {@code System.nanoTime}, so that the decision's own work
 * shows beside the clock read that every implementation pays: Sluice's whole decision, its key
 * hash, the memo lookup that replaces it for a frequent key, the client table's part, Guava's
 * whole decision (map lookup included) on the same counting clock, the map lookup alone, and one
 * {@code System.nanoTime}. Each figure is the median of 7 rounds of thread CPU time, so a machine
 * shared with other work moves it little. A diagnostic beside {@code HotPathCostBenchmark}, not
 * part of the comparison matrix. Not thread-safe.
 *
 * <p>Usage: {@code java -cp sluice-bench/target/benchmarks.jar dev.sluice.core.HotPathPieces
 * [key]} (default {@code client-hot}).
 */
public final class HotPathPieces {

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final int CALLS = 1 << 16;

  /** A clock that advances 7 ns per reading. */
  private static final class Counting implements Clock {
    long now = 1_000_000_000L;

    @Override
    public long nanoTime() {
      return now += 7;
    }
  }

  private final Counting clock = new Counting();
  private final String[] keys;
  private final Limiter limiter;
  private final ClientTable table;
  private final KeyHash keyHash = KeyHash.random();
  private final ConcurrentHashMap<String, RateLimiter> guava = new ConcurrentHashMap<>();
  private final long slot;

  private HotPathPieces(String key) {
    // the key, and an equal string that the pure pieces alternate with so that no loop hoists them
    keys = new String[] {key, new String(key)};
    limiter = Limiter.create(LimiterSpec.builder()
        .tier("t", Limit.of(1_000_000_000L, Rate.perSecond(1_000_000_000L)))
        .build(), clock);
    // a table like the limiter's own tier table, built alone (Limiter does not expose its tables)
    table = new ClientTable(new GcraBucket.Params(Limit.of(1_000_000_000L, Rate.perSecond(1_000_000_000L))),
        java.util.Map.of(), 1_000_000, 60_000_000_000L, clock.nanoTime());
    slot = table.hash(key);
    guava.put(key, GuavaOnTicker.create(1e9, clock::nanoTime));
  }

  private long sluice(int n) {
    long s = 0;
    for (int i = 0; i < n; i++) {
      s += limiter.tryConsume(keys[0], null, 1) ? 1 : 0;
    }
    return s;
  }

  private long keyHash(int n) {
    long s = 0;
    for (int i = 0; i < n; i++) {
      s += keyHash.applyAsLong(keys[i & 1]);
    }
    return s;
  }

  private long memo(int n) {
    long s = 0;
    for (int i = 0; i < n; i++) {
      s += table.hash(keys[0], clock.nanoTime());
    }
    return s;
  }

  private long take(int n) {
    long s = 0;
    for (int i = 0; i < n; i++) {
      s += table.take(slot, clock.nanoTime(), 1, table.generation());
    }
    return s;
  }

  private long guava(int n) {
    long s = 0;
    for (int i = 0; i < n; i++) {
      s += guava.get(keys[0]).tryAcquire() ? 1 : 0;
    }
    return s;
  }

  private long mapGet(int n) {
    long s = 0;
    for (int i = 0; i < n; i++) {
      s += System.identityHashCode(guava.get(keys[i & 1])) & 1;
    }
    return s;
  }

  private static long nanoTime(int n) {
    long s = 0;
    for (int i = 0; i < n; i++) {
      s += System.nanoTime();
    }
    return s;
  }

  private interface Piece {
    long run(int calls);
  }

  /** Prints one line per piece. */
  public static void main(String[] args) {
    HotPathPieces p = new HotPathPieces(args.length > 0 ? args[0] : "client-hot");
    String[] names = {"Sluice decision (counting clock)", "  KeyHash alone", "  memo hit (hash of a frequent key)",
        "  ClientTable.take", "Guava decision (counting clock)", "  ConcurrentHashMap.get", "System.nanoTime"};
    Piece[] pieces = {p::sluice, p::keyHash, p::memo, p::take, p::guava, p::mapGet, HotPathPieces::nanoTime};
    double[][] ns = new double[pieces.length][7];
    long sink = 0;
    for (int round = 0; round < 7; round++) {
      for (int k = 0; k < pieces.length; k++) {
        for (int w = 0; w < 50; w++) {
          sink += pieces[k].run(CALLS);
        }
        long before = THREADS.getCurrentThreadCpuTime();
        for (int w = 0; w < 100; w++) {
          sink += pieces[k].run(CALLS);
        }
        ns[k][round] = (THREADS.getCurrentThreadCpuTime() - before) / (100.0 * CALLS);
      }
    }
    System.out.printf(Locale.ROOT, "key \"%s\", CPU ns per call, median of 7 rounds (checksum %d)%n", p.keys[0], sink & 1);
    for (int k = 0; k < pieces.length; k++) {
      Arrays.sort(ns[k]);
      System.out.printf(Locale.ROOT, "%-36s %6.2f%n", names[k], ns[k][3]);
    }
  }
}
