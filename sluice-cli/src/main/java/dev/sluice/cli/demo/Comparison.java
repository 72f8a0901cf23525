package dev.sluice.cli.demo;

import dev.sluice.cli.load.LoadResult;
import dev.sluice.sim.ExperimentResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The demo's summary table: the live run beside the same story in the simulator, under {@code
 * default} (what the live edge runs) and {@code static-best} (the best fixed rate in hindsight).
 * The live latency is measured at the client (edge and upstream), the simulator's is the
 * backend's; the live driver sends at constant intervals, the simulator draws Poisson arrivals.
 *
 * @param rows one row per run
 */
public record Comparison(List<Row> rows) {

  /**
   * One run's totals.
   *
   * @param name {@code live default}, {@code sim default}, {@code sim static-best}
   * @param offeredRps requests offered per second
   * @param goodputRps 2xx answers per second
   * @param limited 429 answers
   * @param failed 5xx answers, errors and timeouts
   * @param p95Ms the 95th percentile latency of 2xx answers, ms
   */
  public record Row(String name, double offeredRps, double goodputRps, double limited, double failed, double p95Ms) {}

  /** Builds the table from the live result over {@code seconds} and the simulator's {@code sim}. */
  public static Comparison of(LoadResult live, double seconds, ExperimentResult sim) {
    List<Row> rows = new ArrayList<>();
    rows.add(new Row("live default", live.total().sent() / seconds, live.total().ok() / seconds,
        live.total().limited(), live.total().serverErrors() + live.total().errors(), live.okP95Ms()));
    if (sim != null) {
      for (String p : sim.policies()) {
        rows.add(new Row("sim " + p, sim.stats(p, "offered_rps").mean(), sim.stats(p, "goodput_rps").mean(),
            sim.stats(p, "rejected_total").mean(),
            sim.stats(p, "errors_total").mean() + sim.stats(p, "timeouts_total").mean(), sim.stats(p, "p95_ms").mean()));
      }
    }
    return new Comparison(List.copyOf(rows));
  }

  /** Returns the table as text. */
  public String text() {
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-18s %10s %10s %8s %9s %8s%n", "run",
        "offered/s", "2xx/s", "429s", "5xx+err", "p95 ms"));
    for (Row r : rows) {
      sb.append(String.format(Locale.ROOT, "%-18s %10.1f %10.1f %8.0f %9.0f %8.0f%n", r.name(), r.offeredRps(),
          r.goodputRps(), r.limited(), r.failed(), r.p95Ms()));
    }
    return sb.toString();
  }
}
