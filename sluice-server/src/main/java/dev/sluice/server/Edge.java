package dev.sluice.server;

import dev.sluice.core.Decision;
import dev.sluice.core.Limiter;
import dev.sluice.core.UnknownTierException;

/**
 * What every edge handler shares: the limiter, the live config, meters, logs and upstream
 * signals. Thread-safe; one per server.
 *
 * @param limiter the limiter every request passes
 * @param config the config now running
 * @param metrics Prometheus meters
 * @param throttleLog structured throttle events
 * @param requestLog the request log, or {@code null} when it is off
 * @param signals upstream latencies and statuses for the control loop
 * @param wall wall-clock time for log records
 */
record Edge(Limiter limiter, LiveConfig config, ServerMetrics metrics, ThrottleLog throttleLog,
    RequestLogWriter requestLog, UpstreamSignals signals, WallClock wall) {

  /**
   * A decision and the tier it was made in.
   *
   * @param tier the tier
   * @param decision the limiter's decision
   */
  record Decided(String tier, Decision decision) {}

  /**
   * Decides a request of {@code cost} for {@code key} in {@code tier} and counts it. If a reload
   * removed the tier since it was resolved, the request is decided in the new default tier.
   */
  Decided decide(String key, String tier, int cost) {
    Decision d;
    try {
      d = limiter.tryAcquire(key, tier, cost);
    } catch (UnknownTierException removed) {
      tier = limiter.spec().defaultTier();
      d = limiter.tryAcquire(key, tier, cost);
    }
    metrics.tier(tier).count(d);
    return new Decided(tier, d);
  }

  /** Returns whether a request should go to the request log now. */
  boolean logRequest() {
    return requestLog != null && requestLog.sampled();
  }
}
