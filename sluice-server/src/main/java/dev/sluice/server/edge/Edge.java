package dev.sluice.server.edge;

import dev.sluice.core.Decision;
import dev.sluice.requestlog.DecisionIds;
import dev.sluice.requestlog.RequestLogRecord;
import dev.sluice.server.admission.Admission;
import dev.sluice.server.live.Adaptation;
import dev.sluice.server.live.LiveConfig;
import dev.sluice.server.observe.LogBudget;
import dev.sluice.server.observe.RequestLogWriter;
import dev.sluice.server.observe.ServerMetrics;
import dev.sluice.server.observe.Tracing;
import dev.sluice.server.observe.WallClock;

/**
 * What every edge handler shares: the admission path, the live config, meters, logs and the
 * control loop. Thread-safe; one per server.
 *
 * @param admission the one decision path every request passes
 * @param config the config now running
 * @param metrics Prometheus meters
 * @param upstreamErrorLog the budget of WARN lines about an upstream or a bucket store that failed
 * @param requestLog the request log, or {@code null} when it is off
 * @param wall wall-clock time for log records
 * @param adaptation the adaptive control loop, fed with every upstream outcome
 * @param decisionIds names every decision of the decision API and every logged proxy decision
 * @param tracing the spans of proxied requests ({@link Tracing#off()}: none)
 */
public record Edge(Admission admission, LiveConfig config, ServerMetrics metrics, LogBudget upstreamErrorLog,
    RequestLogWriter requestLog, WallClock wall, Adaptation adaptation, DecisionIds decisionIds, Tracing tracing) {

  /** Shares everything but traces ({@link Tracing#off()}). */
  public Edge(Admission admission, LiveConfig config, ServerMetrics metrics, LogBudget upstreamErrorLog,
      RequestLogWriter requestLog, WallClock wall, Adaptation adaptation, DecisionIds decisionIds) {
    this(admission, config, metrics, upstreamErrorLog, requestLog, wall, adaptation, decisionIds, Tracing.off());
  }

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

  /**
   * Writes the request-log record of a request decided by {@code v} ({@code source} {@code proxy} or
   * {@code decision}) under {@code decisionId}; call only when {@link #logRequest} said so.
   */
  void logDecided(String source, String decisionId, String client, Admission.Verdict v, String method,
      String route, long requestBytes, long responseBytes, long upstreamNanos, int status) {
    Decision d = v.decision();
    requestLog.offer(new RequestLogRecord(wall.epochMillis(), source, client, v.tier(), method, route,
        requestBytes, responseBytes, upstreamNanos, status, d.allowed(), d.level().label(), v.cost(),
        Math.max(0, d.remaining()), d.limit().rate().perSecond(), d.limit().burst(), decisionId,
        adaptation.policy(), adaptation.modelVersion(), adaptation.shadowRate(),
        adaptation.anomalies().score(client, v.tier())));
  }

  /**
   * Writes the request-log record of an outcome a gateway reported ({@code source} {@code
   * feedback}); call only when {@link #logRequest} said so.
   */
  void logFeedback(String decisionId, String client, String tier, String method, String route,
      long upstreamNanos, int status) {
    requestLog.offer(new RequestLogRecord(wall.epochMillis(), "feedback", client, tier, method, route, 0, 0,
        upstreamNanos, status, null, null, 0, -1, Double.NaN, -1, decisionId, adaptation.policy(),
        adaptation.modelVersion(), adaptation.shadowRate(), adaptation.anomalies().score(client, tier)));
  }
}
