package dev.sluice.server;

import dev.sluice.core.BucketStore;
import dev.sluice.core.Decision;
import dev.sluice.core.UnknownTierException;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one admission path every transport shares. The transport names the client and the tier
 * (from its own input: headers and address for the proxy, the body for the decision API); here the
 * tier is checked, the cost comes from the cost rules, and one decision is made through the
 * {@link BucketStore} — the local store and Redis are the same code from here on — counted in the
 * meters and the control loop, with denials in the throttle log. The outcome, a {@link Verdict},
 * is rendered by the transport: the proxy's 429 or forwarded request, the decision API's JSON.
 * Thread-safe; one per server.
 *
 * <p>A decision the store makes at once (the local store; Redis leases and fallbacks) comes back
 * as a completed future, and transports handle it inline, so only a decision that waits on Redis
 * costs a hop to another thread.
 */
final class Admission {

  private static final Logger LOG = LoggerFactory.getLogger(Admission.class);

  /**
   * One decision and what it was made for.
   *
   * @param tier the tier it was made in (the default tier if a reload removed the requested one)
   * @param cost the tokens it asked for
   * @param decision the store's decision
   */
  record Verdict(String tier, int cost, Decision decision) {}

  private final BucketStore store;
  private final ServerMetrics metrics;
  private final Adaptation adaptation;
  private final ThrottleLog throttleLog;
  private final LogBudget storeErrorLog;

  /**
   * Creates the path deciding through {@code store}; {@code storeErrorLog} is the budget of WARN
   * lines about a store that failed (shared with upstream failures).
   */
  Admission(BucketStore store, ServerMetrics metrics, Adaptation adaptation, ThrottleLog throttleLog,
      LogBudget storeErrorLog) {
    this.store = store;
    this.metrics = metrics;
    this.adaptation = adaptation;
    this.throttleLog = throttleLog;
    this.storeErrorLog = storeErrorLog;
  }

  /** Returns the tiers the store enforces now. */
  Set<String> tiers() {
    return store.spec().tiers().keySet();
  }

  /**
   * Returns why {@code tier} cannot be decided in, as a problem detail such as {@code "gold"
   * (expected: one of [free, pro])}, or {@code null} when the store enforces it.
   */
  String unknownTier(String tier) {
    Set<String> tiers = tiers();
    return tiers.contains(tier) ? null : "\"" + tier + "\" (expected: one of " + tiers + ")";
  }

  /** Returns the cost of {@code method} on {@code path} by the cost rules (first match, default 1). */
  int costOf(String method, String path) {
    return store.spec().costs().costOf(method, path);
  }

  /**
   * Decides {@code cost} tokens for client {@code key} in {@code tier}, counts the decision and
   * logs a denial ({@code method} and {@code path} only label the log). If a reload removed the
   * tier since the transport resolved it, the request is decided in the new default tier. The
   * future fails only when the store does: render it with {@link #storeUnavailable}.
   */
  CompletableFuture<Verdict> decide(String key, String tier, int cost, String method, String path) {
    CompletableFuture<Decision> d = store.acquire(key, tier, cost).toCompletableFuture();
    if (d.isDone() && !d.isCompletedExceptionally()) {
      return CompletableFuture.completedFuture(counted(key, tier, cost, d.join(), method, path));
    }
    return d.handle((decision, err) -> {
      if (err == null) {
        return CompletableFuture.completedFuture(counted(key, tier, cost, decision, method, path));
      }
      if (peel(err) instanceof UnknownTierException) {
        String fallback = store.spec().defaultTier();
        return store.acquire(key, fallback, cost).toCompletableFuture()
            .thenApply(again -> counted(key, fallback, cost, again, method, path));
      }
      return CompletableFuture.<Verdict>failedFuture(err);
    }).thenCompose(stage -> stage);
  }

  private Verdict counted(String key, String tier, int cost, Decision d, String method, String path) {
    metrics.tier(tier).count(d);
    adaptation.recordDecision(tier, d.allowed(), cost, d.deniedBy());
    if (!d.allowed()) {
      throttleLog.throttled(key, tier, method, path, cost, d);
    }
    return new Verdict(tier, cost, d);
  }

  /**
   * Returns the 503 for a decision the store could not make: a generic detail and a request id
   * for the client; the cause, which may name Redis's address, goes to the log at WARN with that
   * id while the log budget lasts (the id is not logged otherwise).
   */
  Reply storeUnavailable(Throwable err) {
    String id = RequestIds.next();
    if (storeErrorLog.tryLog()) {
      LOG.atWarn().addKeyValue("event", "store-unavailable")
          .addKeyValue("requestId", id).addKeyValue("cause", String.valueOf(peel(err)))
          .log("the bucket store failed");
    }
    return Problem.of(HttpResponseStatus.SERVICE_UNAVAILABLE, "store-unavailable", "the bucket store is unavailable")
        .toReply(id);
  }

  /** Returns the cause a future failed with: {@code err} without its completion or execution wrappers. */
  static Throwable peel(Throwable err) {
    Throwable t = err;
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
