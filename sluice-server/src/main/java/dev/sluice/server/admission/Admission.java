package dev.sluice.server.admission;

import dev.sluice.adaptive.flood.FloodResponse;
import dev.sluice.core.BucketStore;
import dev.sluice.core.Decision;
import dev.sluice.core.Level;
import dev.sluice.core.Limit;
import dev.sluice.core.LimiterSpec;
import dev.sluice.core.TierSpec;
import dev.sluice.core.UnknownTierException;
import dev.sluice.server.live.Adaptation;
import dev.sluice.server.observe.ServerMetrics;
import dev.sluice.server.observe.ThrottleLog;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * The one admission path every transport shares. The transport names the client and the tier
 * (from its own input: headers and address for the proxy, the body for the decision API); here the
 * tier is checked, the cost comes from the cost rules, and one decision is made through the
 * {@link BucketStore} — the local store and Redis are the same code from here on — counted in the
 * meters and the control loop, with denials in the throttle log. The outcome, a {@link Verdict},
 * is rendered by the transport: the proxy's 429 or forwarded request, the decision API's JSON.
 * Thread-safe; one per server.
 *
 * <p>A decision admitted under a concurrency level carries a permit ({@link Decision#permit()}):
 * the transport holds it while the request is served and hands it back with {@link #release}
 * exactly once; one never handed back expires ({@link PermitExpiry}).
 *
 * <p>With {@code adaptive.anomaly} on, the flood response ({@link
 * dev.sluice.server.live.Anomalies}) sees each request first: it may charge an offender a multiple
 * of the cost, or deny the request outright (a {@link Verdict#abnormal()} 429), before the store
 * decides. Allocation-free unless it denies; see {@link FloodResponse} for its design.
 *
 * <p>A decision the store makes at once (the local store; Redis leases and fallbacks) comes back
 * as a completed future, and transports handle it inline, so only a decision that waits on Redis
 * costs a hop to another thread.
 */
public final class Admission {

  /**
   * One decision and what it was made for.
   *
   * @param tier the tier it was made in (the default tier if a reload removed the requested one)
   * @param cost the tokens it asked for
   * @param decision the store's decision
   * @param abnormal whether an anomaly action (the flood response, {@code adaptive.anomaly}) denied
   *     it rather than the buckets
   */
  public record Verdict(String tier, int cost, Decision decision, boolean abnormal) {

    /** A verdict of the buckets. */
    public Verdict(String tier, int cost, Decision decision) {
      this(tier, cost, decision, false);
    }
  }

  /** Retry-After of a request an anomaly action denied: the response's state changes per window. */
  private static final long ABNORMAL_RETRY_NANOS = 1_000_000_000L;

  private final BucketStore store;
  private final ServerMetrics metrics;
  private final Adaptation adaptation;
  private final ThrottleLog throttleLog;

  /** Creates the path deciding through {@code store}. */
  public Admission(BucketStore store, ServerMetrics metrics, Adaptation adaptation, ThrottleLog throttleLog) {
    this.store = store;
    this.metrics = metrics;
    this.adaptation = adaptation;
    this.throttleLog = throttleLog;
  }

  /** Returns the tiers the store enforces now. */
  Set<String> tiers() {
    return store.spec().tiers().keySet();
  }

  /**
   * Returns why {@code tier} cannot be decided in, as a problem detail such as {@code "gold"
   * (expected: one of [free, pro])}, or {@code null} when the store enforces it.
   */
  public String unknownTier(String tier) {
    Set<String> tiers = tiers();
    return tiers.contains(tier) ? null : "\"" + tier + "\" (expected: one of " + tiers + ")";
  }

  /** Returns the cost of {@code method} on {@code path} by the cost rules (first match, default 1). */
  public int costOf(String method, String path) {
    return store.spec().costs().costOf(method, path);
  }

  /**
   * Decides {@code cost} tokens for client {@code key} in {@code tier}, counts the decision and
   * logs a denial ({@code method} and {@code path} only label the log). If a reload removed the
   * tier since the transport resolved it, the request is decided in the new default tier. The
   * future fails only when the store does (the transport answers 503).
   */
  public CompletableFuture<Verdict> decide(String key, String tier, int asked, String method, String path) {
    int cost = adaptation.anomalies().admit(key, tier, asked);
    if (cost == FloodResponse.DENIED) {
      return CompletableFuture.completedFuture(abnormal(key, tier, asked, method, path));
    }
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

  /**
   * Releases the permit of a request that completed ({@link Decision#permit()}: a proxied request
   * that ended, or one a gateway reported on {@code /v1/feedback}), freeing its in-flight cost, and
   * counts it; returns whether it did. An unknown, already released or expired permit, or 0,
   * returns {@code false} and changes nothing.
   */
  public boolean release(long permit) {
    if (permit == 0 || !store.release(permit)) {
      return false;
    }
    metrics.permitReleased();
    return true;
  }

  private Verdict counted(String key, String tier, int cost, Decision d, String method, String path) {
    metrics.tier(tier).count(d);
    metrics.topClients().record(key, cost);
    adaptation.recordDecision(tier, d.allowed(), cost, d.deniedBy());
    adaptation.recordClient(tier, key, cost);
    if (!d.allowed()) {
      throttleLog.throttled(key, tier, method, path, cost, d);
    }
    return new Verdict(tier, cost, d);
  }

  /**
   * A request the flood response denied: a 429 at the client level whose problem type is {@code
   * abnormal-usage-detected}, counted, fed to the control loop and logged like any denial.
   */
  private Verdict abnormal(String key, String tier, int cost, String method, String path) {
    LimiterSpec spec = store.spec();
    TierSpec t = spec.tiers().get(tier);
    Limit limit = (t != null ? t : spec.tiers().get(spec.defaultTier())).perClient();
    Decision d = new Decision(false, 0, ABNORMAL_RETRY_NANOS, ABNORMAL_RETRY_NANOS, Level.CLIENT, limit,
        Decision.Reason.EXHAUSTED);
    metrics.tier(tier).count(d);
    metrics.topClients().record(key, cost);
    adaptation.recordDecision(tier, false, cost, Level.CLIENT);
    throttleLog.throttled(key, tier, method, path, cost, d);
    return new Verdict(tier, cost, d, true);
  }

  /** Returns the cause a future failed with: {@code err} without its completion or execution wrappers. */
  public static Throwable peel(Throwable err) {
    Throwable t = err;
    while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }
}
