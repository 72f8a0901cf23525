package dev.sluice.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Locale;

/**
 * CPU nanoseconds per decision of Sluice and Guava on one {@link Workload} cell, one thread: the
 * same calls as {@link DecisionBenchmark#sluice} and {@link DecisionBenchmark#guava}, timed by the
 * thread's CPU clock ({@code ThreadMXBean.getCurrentThreadCpuTime}) instead of the wall clock.
 * For a machine shared with other work, where JMH's throughput measures the share of the cores a
 * fork was given more than the code: CPU time counts only the time this thread ran (cache misses
 * caused by neighbours still count). Rounds alternate between the implementations, so both see the
 * same background; each round reports the median of its repetitions. Not thread-safe; a
 * command-line tool, not a substitute for {@code bench/jmh.sh} on a quiet machine.
 *
 * <p>Usage: {@code java -Xms2g -Xmx2g -cp sluice-bench/target/benchmarks.jar
 * dev.sluice.bench.CpuTimePerDecision [keys] [load] [rounds]} (default {@code zipf allowed 5}).
 */
public final class CpuTimePerDecision {

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final int CALLS = 1 << 22;

  private CpuTimePerDecision() {}

  /** Runs the measurement and prints one line per round and implementation. */
  public static void main(String[] args) {
    String keys = args.length > 0 ? args[0] : "zipf";
    String load = args.length > 1 ? args[1] : "allowed";
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    Workload w = new Workload();
    w.build(keys, load);
    SluiceState sluice = new SluiceState();
    sluice.setUp(w);
    GuavaState guava = new GuavaState();
    guava.setUp(w);
    Cursor c = new Cursor();
    c.start(w, 0, 1);
    for (int round = 0; round <= rounds; round++) { // round 0 warms up
      double s = median(() -> {
        long n = 0;
        for (int k = 0; k < CALLS; k++) {
          int i = c.next();
          n += sluice.lanes[c.lanes[i]].tryConsume(c.keys[i], null, 1) ? 1 : 0;
        }
        return n;
      });
      double g = median(() -> {
        long n = 0;
        for (int k = 0; k < CALLS; k++) {
          int i = c.next();
          n += guava.lanes[c.lanes[i]].get(c.keys[i]).tryAcquire() ? 1 : 0;
        }
        return n;
      });
      if (round > 0) {
        System.out.printf(Locale.ROOT, "%s %s round %d: sluice %.1f ns, guava %.1f ns CPU per decision,"
            + " sluice %.2fx guava's throughput%n", keys, load, round, s, g, g / s);
      }
    }
  }

  private interface Loop {
    long run();
  }

  private static double median(Loop loop) {
    double[] ns = new double[5];
    for (int r = 0; r < ns.length; r++) {
      long before = THREADS.getCurrentThreadCpuTime();
      long admitted = loop.run();
      ns[r] = (THREADS.getCurrentThreadCpuTime() - before) / (double) CALLS;
      if (admitted < 0) {
        throw new AssertionError();
      }
    }
    java.util.Arrays.sort(ns);
    return ns[ns.length / 2];
  }
}
