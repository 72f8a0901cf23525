package dev.sluice.cli.load;

/**
 * What a load run measured over one phase (requests intended in it): counts, the achieved send
 * rate, latency percentiles from the intended send time, and how far the driver fell behind.
 *
 * @param name the phase
 * @param startSeconds its start, seconds from the run's start
 * @param seconds its length
 * @param targetRate the requests per second the sources meant to send in it
 * @param counts outcomes
 * @param p50Ms latency percentiles, ms (NaN with no answer)
 * @param p95Ms 95th percentile
 * @param p99Ms 99th percentile
 * @param p999Ms 99.9th percentile
 * @param late requests sent more than {@link LoadRun#LATE_MS} ms after their intended time
 * @param dropped requests not sent because {@link LoadTarget#maxInFlight} were outstanding
 * @param maxLagMs the largest delay of a send behind its intended time, ms
 */
public record PhaseResult(String name, double startSeconds, double seconds, double targetRate, Counts counts, double p50Ms,
    double p95Ms, double p99Ms, double p999Ms, long late, long dropped, double maxLagMs) {

  /** Returns the requests sent per second. */
  public double sentRate() {
    return counts.sent() / seconds;
  }

  /** Returns the 2xx answers per second. */
  public double okRate() {
    return counts.ok() / seconds;
  }

  /** Returns whether the driver fell behind its schedule: it dropped or sent late. */
  public boolean behind() {
    return late > 0 || dropped > 0;
  }
}
