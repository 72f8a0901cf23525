package dev.sluice.cli.load;

import java.util.List;

/**
 * The result of a load run: per phase, per second (for charts), per source, and in total.
 *
 * @param target the target URL
 * @param phases one result per phase
 * @param seconds one entry per whole second of the run
 * @param sources counts per source, in the order the sources were given
 * @param total counts over the run
 * @param okP50Ms median latency of the 2xx answers over the run, ms (NaN with none)
 * @param okP95Ms their 95th percentile
 * @param okP99Ms their 99th percentile
 */
public record LoadResult(String target, List<PhaseResult> phases, List<Second> seconds, List<Counts> sources,
    Counts total, double okP50Ms, double okP95Ms, double okP99Ms) {

  /**
   * One second of the run (requests intended in it).
   *
   * @param second seconds from the start
   * @param counts outcomes
   * @param p50Ms median latency, ms (NaN with no answer)
   * @param p95Ms 95th percentile, ms
   * @param p99Ms 99th percentile, ms
   */
  public record Second(int second, Counts counts, double p50Ms, double p95Ms, double p99Ms) {}

  /** Returns whether the driver fell behind in any phase. */
  public boolean behind() {
    return phases.stream().anyMatch(PhaseResult::behind);
  }
}
