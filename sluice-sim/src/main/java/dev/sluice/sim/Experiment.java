package dev.sluice.sim;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs a scenario under several policies and seeds, in parallel on a fixed number of threads, and
 * gathers the results in a fixed order so the outcome does not depend on scheduling. Seeds are
 * 1..N.
 *
 * <p>The oracle always runs (it is the yardstick of {@code goodput_vs_oracle}); it is reported only
 * when asked for. {@code static-best} is the best fixed rate in hindsight: for each seed, a static
 * run at every fraction 0.50, 0.55, ..., 1.20 of nominal capacity (15 runs, each its own task),
 * and the one with the most goodput in tokens is reported (the lowest rate on a tie). Ratios to the
 * oracle are of goodput in tokens.
 *
 * <p>With a request log, each reported (policy, seed) run writes its own file ({@link
 * RequestLogFile#pathFor}); the oracle's only when it is reported. A {@code static-best} run's log is
 * that of the chosen sweep candidate, which is run once more with the log after the sweep (a run is
 * a pure function of its inputs, so the rerun is the run that was chosen).
 */
public final class Experiment {

  /** The static-best sweep: fractions {@code k / 20} of nominal capacity for k in this range. */
  static final int SWEEP_FROM = 10;
  static final int SWEEP_TO = 24;

  private Experiment() {}

  /** Returns how many simulation runs {@link #run} makes for {@code policies} and {@code seeds}. */
  public static int runCount(List<String> policies, int seeds) {
    return runCount(policies, seeds, false);
  }

  /**
   * Returns how many simulation runs {@link #run} makes for {@code policies} and {@code seeds},
   * with or without a request log (which reruns each chosen {@code static-best} candidate).
   */
  public static int runCount(List<String> policies, int seeds, boolean requestLog) {
    int perSeed = 0;
    for (String p : policies) {
      perSeed += p.equals("static-best") ? SWEEP_TO - SWEEP_FROM + 1 + (requestLog ? 1 : 0) : 1;
    }
    return seeds * (policies.contains("oracle") ? perSeed : perSeed + 1);
  }

  /**
   * Runs every (policy, seed) pair.
   *
   * @param scenario the scenario
   * @param policies policies to report, e.g. {@link Policy#ALL}
   * @param seeds how many seeds (1..seeds)
   * @param threads worker threads (at least 1)
   * @param onRunDone called after each run (see {@link #runCount}), from worker threads (e.g. to
   *     step a progress bar)
   */
  public static ExperimentResult run(Scenario scenario, List<String> policies, int seeds, int threads,
      Runnable onRunDone) throws InterruptedException {
    return run(scenario, policies, seeds, threads, onRunDone, null);
  }

  /**
   * Runs every (policy, seed) pair as {@link #run(Scenario, List, int, int, Runnable)} does, and
   * writes each reported run's request log to {@link RequestLogFile#pathFor}{@code (requestLog,
   * policy, seed)} unless {@code requestLog} is {@code null} (its directory is created if need be;
   * existing files are replaced).
   *
   * @throws java.io.UncheckedIOException if a request log cannot be written
   */
  public static ExperimentResult run(Scenario scenario, List<String> policies, int seeds, int threads,
      Runnable onRunDone, Path requestLog) throws InterruptedException {
    if (seeds < 1) {
      throw new IllegalArgumentException("seeds: " + seeds + " (expected: >= 1)");
    }
    if (requestLog != null) {
      RequestLogFile.createDirectory(requestLog);
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
      // Per policy, per seed, the runs to choose from (one, or the static-best sweep).
      Map<String, List<List<Future<RunResult>>>> futures = new LinkedHashMap<>();
      for (String p : toRun) {
        futures.put(p, new ArrayList<>());
      }
      for (int s = 1; s <= seeds; s++) {
        for (String p : toRun) {
          List<Future<RunResult>> candidates = new ArrayList<>();
          Path log = requestLog != null && policies.contains(p) ? RequestLogFile.pathFor(requestLog, p, s) : null;
          for (Callable<RunResult> task : tasks(scenario, p, s, log)) {
            candidates.add(pool.submit(() -> {
              RunResult r = task.call();
              if (onRunDone != null) {
                onRunDone.run();
              }
              return r;
            }));
          }
          futures.get(p).add(candidates);
        }
      }
      Map<String, List<RunResult>> runs = new LinkedHashMap<>();
      List<Future<RunResult>> reruns = new ArrayList<>();
      for (Map.Entry<String, List<List<Future<RunResult>>>> e : futures.entrySet()) {
        List<RunResult> list = new ArrayList<>();
        long seed = 1;
        for (List<Future<RunResult>> candidates : e.getValue()) {
          List<RunResult> done = new ArrayList<>();
          for (Future<RunResult> f : candidates) {
            done.add(get(f));
          }
          int chosen = bestIndex(done);
          list.add(done.get(chosen));
          if (requestLog != null && e.getKey().equals("static-best") && policies.contains("static-best")) {
            Callable<RunResult> rerun = logged(scenario, "static-best", seed, sweepRate(scenario, chosen),
                RequestLogFile.pathFor(requestLog, "static-best", seed));
            reruns.add(pool.submit(() -> {
              RunResult r = rerun.call();
              if (onRunDone != null) {
                onRunDone.run();
              }
              return r;
            }));
          }
          seed++;
        }
        runs.put(e.getKey(), list);
      }
      for (Future<RunResult> f : reruns) {
        get(f);
      }
      List<RunResult> oracle = runs.get("oracle");
      Map<String, List<RunResult>> reported = new LinkedHashMap<>();
      for (String p : policies) {
        List<RunResult> list = new ArrayList<>();
        List<RunResult> raw = runs.get(p);
        for (int i = 0; i < raw.size(); i++) {
          double o = oracle.get(i).metrics().get("goodput_tps");
          list.add(raw.get(i).withOracleRatio(p, o > 0 ? raw.get(i).metrics().get("goodput_tps") / o : Double.NaN));
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

  /**
   * Returns the file {@link #run(Scenario, List, int, int, Runnable, Path)} writes the request log of
   * {@code policy} with {@code seed} to, for {@code requestLog}: its name without the extension, then
   * {@code -POLICY-seedN.jsonl}, in the same directory.
   */
  public static Path requestLogPath(Path requestLog, String policy, long seed) {
    return RequestLogFile.pathFor(requestLog, policy, seed);
  }

  /** Runs one policy with one seed on the calling thread (goodput_vs_oracle left NaN). */
  public static RunResult runOnce(Scenario scenario, String policy, long seed) {
    List<RunResult> done = new ArrayList<>();
    for (Callable<RunResult> task : tasks(scenario, policy, seed, null)) {
      try {
        done.add(task.call());
      } catch (Exception e) {
        throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
      }
    }
    return best(done).withOracleRatio(policy, Double.NaN);
  }

  /**
   * The runs {@code policy} needs for {@code seed}: one (writing its request log to {@code log}
   * unless that is {@code null}), or the static-best sweep's (never logged; see {@link #run}).
   */
  private static List<Callable<RunResult>> tasks(Scenario sc, String policy, long seed, Path log) {
    if (!policy.equals("static-best")) {
      return List.of(logged(sc, policy, seed, sc.staticRate(), log));
    }
    List<Callable<RunResult>> out = new ArrayList<>();
    for (int i = 0; i <= SWEEP_TO - SWEEP_FROM; i++) {
      double rate = sweepRate(sc, i);
      out.add(() -> new Simulation(sc, policy, seed, rate).run());
    }
    return out;
  }

  /** The global rate of the {@code i}th static-best candidate: {@code (SWEEP_FROM + i) / 20} of nominal capacity. */
  private static double sweepRate(Scenario sc, int i) {
    return (SWEEP_FROM + i) / 20.0 * sc.nominalCapacity();
  }

  /** A run that writes its request log to {@code log}, or none when it is {@code null}. */
  private static Callable<RunResult> logged(Scenario sc, String policy, long seed, double staticRate, Path log) {
    if (log == null) {
      return () -> new Simulation(sc, policy, seed, staticRate).run();
    }
    return () -> {
      try (RequestLogFile file = new RequestLogFile(log, policy, seed)) {
        return new Simulation(sc, policy, seed, staticRate, file).run();
      }
    };
  }

  /** Returns the run with the most goodput in tokens (the first on a tie). */
  private static RunResult best(List<RunResult> runs) {
    return runs.get(bestIndex(runs));
  }

  /** Returns the index of the run with the most goodput in tokens (the first on a tie). */
  private static int bestIndex(List<RunResult> runs) {
    int best = 0;
    for (int i = 1; i < runs.size(); i++) {
      if (runs.get(i).metrics().get("goodput_tps") > runs.get(best).metrics().get("goodput_tps")) {
        best = i;
      }
    }
    return best;
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
