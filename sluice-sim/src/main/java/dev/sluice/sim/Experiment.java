package dev.sluice.sim;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs a scenario under several policies and seeds, in parallel on a fixed number of threads, and
 * gathers the results in a fixed order so the outcome does not depend on scheduling. The oracle
 * always runs (it is the yardstick of {@code goodput_vs_oracle}); it is reported only when asked
 * for. Seeds are 1..N.
 */
public final class Experiment {

  private Experiment() {}

  /**
   * Runs every (policy, seed) pair.
   *
   * @param scenario the scenario
   * @param policies policies to report, e.g. {@link Policy#ALL}
   * @param seeds how many seeds (1..seeds)
   * @param threads worker threads (at least 1)
   * @param onRunDone called after each run, from worker threads (e.g. to step a progress bar)
   */
  public static ExperimentResult run(Scenario scenario, List<String> policies, int seeds, int threads,
      Runnable onRunDone) throws InterruptedException {
    if (seeds < 1) {
      throw new IllegalArgumentException("seeds: " + seeds + " (expected: >= 1)");
    }
    List<String> toRun = new ArrayList<>(policies);
    if (!toRun.contains("oracle")) {
      toRun.add("oracle");
    }
    ExecutorService pool = Executors.newFixedThreadPool(Math.max(1, threads), r -> {
      Thread t = new Thread(r, "sluice-sim");
      t.setDaemon(true);
      return t;
    });
    try {
      Map<String, List<Future<RunResult>>> futures = new LinkedHashMap<>();
      for (int s = 1; s <= seeds; s++) {
        for (String p : toRun) {
          long seed = s;
          futures.computeIfAbsent(p, k -> new ArrayList<>()).add(pool.submit(() -> {
            RunResult r = new Simulation(scenario, p, seed).run();
            if (onRunDone != null) {
              onRunDone.run();
            }
            return r;
          }));
        }
      }
      Map<String, List<RunResult>> runs = new LinkedHashMap<>();
      for (Map.Entry<String, List<Future<RunResult>>> e : futures.entrySet()) {
        List<RunResult> list = new ArrayList<>();
        for (Future<RunResult> f : e.getValue()) {
          list.add(get(f));
        }
        runs.put(e.getKey(), list);
      }
      List<RunResult> oracle = runs.get("oracle");
      Map<String, List<RunResult>> reported = new LinkedHashMap<>();
      for (String p : policies) {
        List<RunResult> list = new ArrayList<>();
        List<RunResult> raw = runs.get(p);
        for (int i = 0; i < raw.size(); i++) {
          double o = oracle.get(i).metrics().get("goodput_rps");
          list.add(raw.get(i).withOracleRatio(o > 0 ? raw.get(i).metrics().get("goodput_rps") / o : Double.NaN));
        }
        reported.put(p, List.copyOf(list));
      }
      List<Long> seedList = new ArrayList<>();
      for (long s = 1; s <= seeds; s++) {
        seedList.add(s);
      }
      return new ExperimentResult(scenario, seedList, List.copyOf(policies), reported);
    } finally {
      pool.shutdownNow();
    }
  }

  /** Runs one policy with one seed on the calling thread (goodput_vs_oracle left NaN). */
  public static RunResult runOnce(Scenario scenario, String policy, long seed) {
    return new Simulation(scenario, policy, seed).run();
  }

  private static RunResult get(Future<RunResult> f) throws InterruptedException {
    try {
      return f.get();
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof RuntimeException re) {
        throw re;
      }
      if (c instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(c);
    }
  }
}
