package dev.sluice.server;

/**
 * What every edge handler shares: the admission path, the live config, meters, logs and the
 * control loop. Thread-safe; one per server.
 *
 * @param admission the one decision path every request passes
 * @param config the config now running
 * @param metrics Prometheus meters
 * @param upstreamErrorLog the budget of upstream-failure WARN lines
 * @param requestLog the request log, or {@code null} when it is off
 * @param wall wall-clock time for log records
 * @param adaptation the adaptive control loop, fed with every upstream outcome
 */
record Edge(Admission admission, LiveConfig config, ServerMetrics metrics, LogBudget upstreamErrorLog,
    RequestLogWriter requestLog, WallClock wall, Adaptation adaptation) {

  /**
   * Records one upstream outcome (proxied or reported on {@code /v1/feedback}) in the meters and
   * the control loop.
   *
   * @param latencyNanos the upstream's latency, or a negative value when none was measured
   * @param status the status the upstream answered, or the 502/504 the edge answered for it
   */
  void upstream(long latencyNanos, int status) {
    upstream(latencyNanos, status, 1);
  }

  /** Records one upstream outcome, as {@link #upstream(long, int)}, of a request of {@code cost} tokens. */
  void upstream(long latencyNanos, int status, int cost) {
    metrics.upstream(latencyNanos, status);
    adaptation.recordResponse(latencyNanos, status, cost);
  }

  /** Returns whether a request should go to the request log now. */
  boolean logRequest() {
    return requestLog != null && requestLog.sampled();
  }
}
