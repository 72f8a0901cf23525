package dev.sluice.server;

import com.linecorp.armeria.common.util.Exceptions;
import dev.sluice.core.BucketStore;
import dev.sluice.core.Decision;
import dev.sluice.core.Limiter;
import dev.sluice.core.UnknownTierException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * What every edge handler shares: the limiter (or the shared bucket store), the live config,
 * meters, logs, upstream signals and the control loop. Thread-safe; one per server.
 *
 * @param limiter the limiter every request passes
 * @param config the config now running
 * @param metrics Prometheus meters
 * @param throttleLog structured throttle events
 * @param upstreamErrorLog the budget of upstream-failure WARN lines
 * @param requestLog the request log, or {@code null} when it is off
 * @param signals upstream latencies and statuses for the control loop
 * @param wall wall-clock time for log records
 * @param adaptation the adaptive control loop, fed with every decision and upstream outcome
 * @param store the shared bucket store decisions go through, or {@code null} to decide on {@code
 *     limiter} directly (a local store)
 */
record Edge(Limiter limiter, LiveConfig config, ServerMetrics metrics, ThrottleLog throttleLog,
    LogBudget upstreamErrorLog, RequestLogWriter requestLog, UpstreamSignals signals, WallClock wall, Adaptation adaptation,
    BucketStore store) {

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Edge.class);

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
    return counted(tier, d, cost);
  }

  private Decided counted(String tier, Decision d, int cost) {
    metrics.tier(tier).count(d);
    adaptation.recordDecision(tier, d.allowed(), cost);
    return new Decided(tier, d);
  }

  /**
   * Decides like {@link #decide} through the shared {@link #store()}, without blocking: the stage
   * completes on the store's threads (or at once for leased and fallback decisions).
   */
  CompletionStage<Decided> decideAsync(String key, String tier, int cost) {
    return store.acquire(key, tier, cost).handle((d, err) -> {
      if (err == null) {
        return CompletableFuture.completedFuture(counted(tier, d, cost));
      }
      if (Exceptions.peel(err) instanceof UnknownTierException) {
        String fallback = store.spec().defaultTier();
        return store.acquire(key, fallback, cost).thenApply(again -> counted(fallback, again, cost));
      }
      return CompletableFuture.<Decided>failedFuture(err);
    }).thenCompose(stage -> stage);
  }

  /**
   * Returns the 503 for a decision the shared store could not make: a generic detail and a request
   * id for the client; the cause, which names Redis's address, goes to the log at WARN with that id
   * while {@link #upstreamErrorLog()} has budget left (the id is not logged otherwise).
   */
  Reply storeUnavailable(Throwable err) {
    String id = RequestIds.next();
    if (upstreamErrorLog.tryLog()) {
      LOG.atWarn().addKeyValue("event", "store-unavailable")
          .addKeyValue("requestId", id).addKeyValue("cause", String.valueOf(Exceptions.peel(err)))
          .log("the bucket store failed");
    }
    return Problem.of(com.linecorp.armeria.common.HttpStatus.SERVICE_UNAVAILABLE, "store-unavailable",
        "the bucket store is unavailable").toReply(id);
  }

  /**
   * Records one upstream outcome (proxied or reported on {@code /v1/feedback}) in the signals, the
   * meters and the control loop.
   *
   * @param latencyNanos the upstream's latency, or a negative value when none was measured
   * @param status the status the upstream answered, or the 502/504 the edge answered for it
   */
  void upstream(long latencyNanos, int status) {
    signals.record(latencyNanos, status);
    metrics.upstream(latencyNanos, status);
    adaptation.recordResponse(latencyNanos, status);
  }

  /** Returns whether a request should go to the request log now. */
  boolean logRequest() {
    return requestLog != null && requestLog.sampled();
  }
}
