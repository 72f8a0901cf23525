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
 * dev.sluice.bench.CpuTimePerDecision [keys] [load] [rounds] [threads]} (default
 * {@code zipf allowed 5 1}). With several threads, they decide at once, each from its own offset in
 * the draws as in JMH, and the figure is the mean of the threads' CPU time per decision (time a
 * thread spends waiting for a cache line another core holds counts; time it is descheduled does
 * not).
 */
public final class CpuTimePerDecision {

  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private static final int CALLS = 1 << 22;

  private CpuTimePerDecision() {}

  /** Runs the measurement and prints one line per round and implementation. */
  public static void main(String[] args) throws InterruptedException {
    String keys = args.length > 0 ? args[0] : "zipf";
    String load = args.length > 1 ? args[1] : "allowed";
    int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 5;
    int threads = args.length > 3 ? Integer.parseInt(args[3]) : 1;
    if (threads < 1) {
      throw new IllegalArgumentException("threads: " + threads + " (expected: >= 1)");
    }
    Workload w = new Workload();
    w.build(keys, load);
    SluiceState sluice = new SluiceState();
    sluice.setUp(w);
    GuavaState guava = new GuavaState();
    guava.setUp(w);
    Cursor[] cursors = new Cursor[threads];
    for (int t = 0; t < threads; t++) {
      cursors[t] = new Cursor();
      cursors[t].start(w, t, threads);
    }
    for (int round = 0; round <= rounds; round++) { // round 0 warms up
      double s = perThread(cursors, c -> {
        long n = 0;
        for (int k = 0; k < CALLS; k++) {
          int i = c.next();
          n += sluice.lanes[c.lanes[i]].tryConsume(c.keys[i], null, 1) ? 1 : 0;
        }
        return n;
      });
      double g = perThread(cursors, c -> {
        long n = 0;
        for (int k = 0; k < CALLS; k++) {
          int i = c.next();
          n += guava.lanes[c.lanes[i]].get(c.keys[i]).tryAcquire() ? 1 : 0;
        }
        return n;
      });
      if (round > 0) {
        System.out.printf(Locale.ROOT, "%s %s %d thread(s) round %d: sluice %.1f ns, guava %.1f ns CPU per"
            + " decision, sluice %.2fx guava's throughput%n", keys, load, threads, round, s, g, g / s);
      }
    }
  }

  private interface Loop {
    long run(Cursor c);
  }

  /** The mean over threads of each thread's median CPU time per decision, all threads at once. */
  private static double perThread(Cursor[] cursors, Loop loop) throws InterruptedException {
    double[] each = new double[cursors.length];
    Thread[] running = new Thread[cursors.length];
    java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(cursors.length);
    for (int t = 0; t < cursors.length; t++) {
      int id = t;
      running[t] = new Thread(() -> {
        try {
          start.await();
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
        each[id] = median(() -> loop.run(cursors[id]));
      });
      running[t].start();
    }
    double sum = 0;
    for (int t = 0; t < cursors.length; t++) {
      running[t].join();
      sum += each[t];
    }
    return sum / cursors.length;
  }

  private interface Run {
    long run();
  }

  private static double median(Run loop) {
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
