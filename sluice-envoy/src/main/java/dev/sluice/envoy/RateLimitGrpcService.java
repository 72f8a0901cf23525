package dev.sluice.envoy;

import com.google.protobuf.Duration;
import dev.sluice.core.BucketStore;
import dev.sluice.core.Clock;
import dev.sluice.core.Decision;
import dev.sluice.core.LevelState;
import dev.sluice.core.Limit;
import dev.sluice.core.LimiterSpec;
import dev.sluice.core.UnknownTierException;
import io.envoyproxy.envoy.extensions.common.ratelimit.v3.RateLimitDescriptor;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.Code;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.DescriptorStatus;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitServiceGrpc;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Envoy's {@code envoy.service.ratelimit.v3.RateLimitService/ShouldRateLimit}, thread-safe and
 * non-blocking (it runs on the server's event loops), with the semantics
 * of envoyproxy/ratelimit, deciding on a {@link BucketStore} whose tiers are the rules of the
 * running {@link EnvoyLimits} (one bucket per rule and distinct descriptor).
 *
 * <p>Per descriptor, in request order: the rule it selects (none: OK without a limit); {@code
 * unlimited}: OK with 2<sup>32</sup>−1 remaining; a rule another matched rule {@code replaces}: as
 * unmatched; otherwise its bucket is charged the descriptor's {@code hits_addend}, else the
 * request's, else 1. A descriptor's own {@code limit} replaces the rule (a bucket of that size and
 * rate, kept apart from the rules', at most a bounded number of distinct ones). {@code
 * shadow_mode} rules are charged and counted in {@link #shadowOverLimits} but answer OK. The
 * overall code is OVER_LIMIT when any descriptor outside quota mode is over, or every quota-mode
 * descriptor is. Every limited status carries {@code
 * current_limit}, {@code limit_remaining} and {@code duration_until_reset} (admitted: until the
 * bucket is full again; over: until the same hits would be admitted). A failing store answers
 * gRPC UNAVAILABLE, never a guess.
 */
public final class RateLimitGrpcService extends RateLimitServiceGrpc.RateLimitServiceImplBase {

  /** {@code limit_remaining} of an unlimited descriptor: the largest uint32. */
  static final int UNLIMITED_REMAINING = (int) 0xFFFF_FFFFL;

  private final Supplier<EnvoyLimits> limits;
  private final BucketStore store;
  private final OverrideStore overrides;
  private final LongAdder overrideRefusals = new LongAdder();
  private final LongAdder shadowOverLimits = new LongAdder();
  private final LongAdder overLimits = new LongAdder();
  private final LongAdder calls = new LongAdder();
  private final LongAdder descriptors = new LongAdder();

  /**
   * Creates the service over {@code store}, whose spec the caller keeps equal to {@code
   * limits.get().spec()}; {@code clock} runs the buckets of descriptor-level limit overrides.
   */
  public RateLimitGrpcService(Supplier<EnvoyLimits> limits, BucketStore store, Clock clock) {
    this(limits, store, localStores(clock));
  }

  private static Function<LimiterSpec, BucketStore> localStores(Clock clock) {
    if (clock == null) {
      throw new IllegalArgumentException("clock: null");
    }
    return spec -> BucketStore.local(spec, clock);
  }

  /**
   * Creates the service over {@code store}, whose spec the caller keeps equal to {@code
   * limits.get().spec()}; {@code overrideStores} opens the one store of descriptor-level limit
   * overrides (of the same kind as {@code store}: local, or on the same Redis) now, closed with
   * {@link #close}. At most {@value OverrideStore#DEFAULT_MAX_SHAPES} distinct override
   * shapes (requests per unit and unit) get a tier there.
   */
  public RateLimitGrpcService(Supplier<EnvoyLimits> limits, BucketStore store,
      Function<LimiterSpec, BucketStore> overrideStores) {
    this(limits, store, overrideStores, OverrideStore.DEFAULT_MAX_SHAPES);
  }

  /**
   * Creates the service as {@link #RateLimitGrpcService(Supplier, BucketStore, Function)} with at
   * most {@code maxOverrideShapes} distinct descriptor-level override shapes: a call naming one
   * more is refused with gRPC {@code RESOURCE_EXHAUSTED} and counted in {@link #overrideRefusals}.
   */
  public RateLimitGrpcService(Supplier<EnvoyLimits> limits, BucketStore store,
      Function<LimiterSpec, BucketStore> overrideStores, int maxOverrideShapes) {
    if (limits == null || store == null || overrideStores == null) {
      throw new IllegalArgumentException("limits, store, overrideStores: null");
    }
    this.limits = limits;
    this.store = store;
    this.overrides = new OverrideStore(overrideStores, maxOverrideShapes);
  }

  /** What a descriptor of a call came to, for metrics: one call per descriptor status answered. */
  @FunctionalInterface
  public interface DecisionListener {
    /** No listener. */
    DecisionListener NONE = (domain, result) -> {};

    /**
     * Called on a gRPC event loop (so it must neither block nor throw) with the request's domain, or {@link
     * #UNKNOWN_DOMAIN} for a domain the running limits do not have (clients choose domains: this
     * keeps the set of values bounded), and the descriptor's {@link Result}.
     */
    void decided(String domain, Result result);

    /**
     * Called as {@link #decided(String, Result)}, with the whole decision (for the request log);
     * the default passes {@link EnvoyDecision#metricDomain} and the result on to it.
     */
    default void decided(EnvoyDecision decision) {
      decided(decision.metricDomain(), decision.result());
    }
  }

  /** The domain reported for a domain the running limits do not have. */
  public static final String UNKNOWN_DOMAIN = "(unknown)";

  /** What a descriptor came to. */
  public enum Result {
    /** No rule (no match, replaced, or an unknown domain). */
    UNMATCHED("unmatched"),
    /** An {@code unlimited} rule. */
    UNLIMITED("unlimited"),
    /** Charged and within the limit (OK). */
    ALLOWED("allowed"),
    /** Over the limit (OVER_LIMIT). */
    DENIED("denied"),
    /** Over a {@code shadow_mode} limit, answered OK. */
    SHADOW_DENIED("shadow-denied");

    private final String label;

    Result(String label) {
      this.label = label;
    }

    /** Returns the metric label: {@code unmatched}, {@code unlimited}, {@code allowed}, ... */
    public String label() {
      return label;
    }
  }

  private volatile DecisionListener listener = DecisionListener.NONE;

  /** Sends every descriptor's result to {@code listener} from now on (replacing the previous one). */
  public void onDecision(DecisionListener listener) {
    this.listener = listener == null ? DecisionListener.NONE : listener;
  }

  private void report(DecisionListener listener, EnvoyLimits running, RateLimitRequest request, int index,
      EnvoyRule rule, DescriptorStatus status, boolean shadowOver) {
    if (listener == DecisionListener.NONE) {
      return;
    }
    Result result = rule == null ? Result.UNMATCHED : rule.unlimited() ? Result.UNLIMITED
        : status.getCode() == Code.OVER_LIMIT ? Result.DENIED : shadowOver ? Result.SHADOW_DENIED : Result.ALLOWED;
    RateLimitDescriptor d = request.getDescriptors(index);
    boolean limited = rule != null && !rule.unlimited();
    Limit limit = limited && rule.bucketed() ? limitOf(rule, d.hasLimit()) : null;
    long hits = limited ? hits(request, d) : 0;
    hits = Long.compareUnsigned(hits, Integer.MAX_VALUE) > 0 ? Integer.MAX_VALUE : hits;
    listener.decided(new EnvoyDecision(request.getDomain(), running.hasDomain(request.getDomain()),
        Descriptors.entries(d), rule == null || rule.name().isEmpty() ? null : rule.name(), result, (int) hits,
        limited ? Integer.toUnsignedLong(status.getLimitRemaining()) : -1,
        limit == null ? (limited ? 0 : Double.NaN) : limit.rate().perSecond(),
        limit == null ? (limited ? 0 : -1) : limit.burst()));
  }

  /** Returns the bucket a bucketed rule is enforced with now: the store's tier, else the rule's own. */
  private Limit limitOf(EnvoyRule rule, boolean override) {
    if (override) {
      return rule.limit();
    }
    dev.sluice.core.TierSpec tier = store.spec().tiers().get(rule.fullKey());
    return tier != null ? tier.perClient() : rule.limit();
  }

  /**
   * Returns the {@code requests_per_unit} a rule is enforced with now: as configured, or for an
   * {@code adaptive} rule its bucket's rate in force per unit (rounded down, at least 1).
   */
  private long requestsPerUnit(EnvoyRule rule) {
    if (!rule.adaptive() || !rule.bucketed()) {
      return rule.requestsPerUnit();
    }
    double perUnit = limitOf(rule, false).rate().perSecond() * EnvoyRule.lengthOf(rule.unit()).toSeconds();
    return Math.max(1, Math.min(0xFFFF_FFFFL, (long) Math.floor(perUnit + 1e-9)));
  }

  /** Returns the hits a descriptor charges: its own {@code hits_addend}, else the request's, else 1. */
  private static long hits(RateLimitRequest request, RateLimitDescriptor d) {
    return d.hasHitsAddend() ? d.getHitsAddend().getValue()
        : request.getHitsAddend() == 0 ? 1 : Integer.toUnsignedLong(request.getHitsAddend());
  }

  /** Closes the store opened for descriptor-level limit overrides (not the main store). */
  public void close() {
    overrides.close();
  }

  /** Returns how many calls were refused for naming an override shape past the bound. */
  public long overrideRefusals() {
    return overrideRefusals.sum();
  }

  /** Returns how many distinct descriptor-level override shapes have buckets. */
  public int overrideShapes() {
    return overrides.shapes();
  }

  /** Returns how many descriptor hits were over a shadow-mode limit (and answered OK). */
  public long shadowOverLimits() {
    return shadowOverLimits.sum();
  }

  /** Returns how many descriptor statuses were OVER_LIMIT. */
  public long overLimits() {
    return overLimits.sum();
  }

  /** Returns how many calls were answered (with a response, not an error). */
  public long calls() {
    return calls.sum();
  }

  /** Returns how many descriptor statuses were answered, OK or not. */
  public long descriptors() {
    return descriptors.sum();
  }

  @Override
  public void shouldRateLimit(RateLimitRequest request, StreamObserver<RateLimitResponse> out) {
    if (request.getDomain().isEmpty()) {
      out.onError(Status.INVALID_ARGUMENT.withDescription("rate limit domain must not be empty").asRuntimeException());
      return;
    }
    if (request.getDescriptorsCount() == 0) {
      out.onError(Status.INVALID_ARGUMENT.withDescription("rate limit descriptor list must not be empty")
          .asRuntimeException());
      return;
    }
    EnvoyLimits running = limits.get();
    DecisionListener listener = this.listener;
    int n = request.getDescriptorsCount();
    EnvoyRule[] rules = new EnvoyRule[n];
    BucketStore[] overrideStores = new BucketStore[n];
    Set<String> replaced = new HashSet<>();
    for (int i = 0; i < n; i++) {
      RateLimitDescriptor d = request.getDescriptors(i);
      try {
        rules[i] = d.hasLimit() ? Descriptors.overrideRule(request.getDomain(), d)
            : running.match(request.getDomain(), d.getEntriesList());
      } catch (IllegalArgumentException e) {
        out.onError(Status.INVALID_ARGUMENT.withDescription("descriptors[" + i + "].limit: " + e.getMessage())
            .asRuntimeException());
        return;
      }
      if (rules[i] != null && d.hasLimit() && rules[i].bucketed()) {
        try {
          overrideStores[i] = overrides.storeFor(rules[i]);
        } catch (OverrideStore.TooManyShapesException e) {
          overrideRefusals.increment();
          out.onError(Status.RESOURCE_EXHAUSTED.withDescription("descriptors[" + i + "].limit: " + e.getMessage())
              .asRuntimeException());
          return;
        } catch (RuntimeException e) {
          out.onError(Status.UNAVAILABLE.withDescription("rate limit store failed: " + e.getMessage())
              .withCause(e).asRuntimeException());
          return;
        }
      }
      if (rules[i] != null) {
        replaced.addAll(rules[i].replaces());
      }
    }
    List<CompletableFuture<DescriptorStatus>> statuses = new ArrayList<>(n);
    // Written before each status's future completes, read after all of them have.
    boolean[] shadowOver = new boolean[n];
    for (int i = 0; i < n; i++) {
      EnvoyRule rule = rules[i];
      if (rule != null && !rule.unlimited() && !rule.name().isEmpty() && replaced.contains(rule.name())) {
        rule = null;
        rules[i] = null; // replaced: neither limited nor a quota-mode descriptor
      }
      int index = i;
      statuses.add(status(request, i, rule, overrideStores[i], () -> shadowOver[index] = true));
    }
    CompletableFuture.allOf(statuses.toArray(CompletableFuture[]::new)).whenComplete((ignored, err) -> {
      if (err != null) {
        Throwable cause = err instanceof java.util.concurrent.CompletionException && err.getCause() != null
            ? err.getCause() : err;
        out.onError(Status.UNAVAILABLE.withDescription("rate limit store failed: " + cause.getMessage())
            .withCause(cause).asRuntimeException());
        return;
      }
      RateLimitResponse.Builder response = RateLimitResponse.newBuilder();
      int over = 0;
      int quota = 0;
      int quotaOver = 0;
      for (int i = 0; i < n; i++) {
        DescriptorStatus s = statuses.get(i).join();
        response.addStatuses(s);
        boolean quotaMode = rules[i] != null && rules[i].quotaMode();
        report(listener, running, request, i, rules[i], s, shadowOver[i]);
        quota += quotaMode ? 1 : 0;
        if (s.getCode() == Code.OVER_LIMIT) {
          overLimits.increment();
          if (quotaMode) {
            quotaOver++;
          } else {
            over++;
          }
        }
      }
      response.setOverallCode(over > 0 || (quota > 0 && quota == quotaOver) ? Code.OVER_LIMIT : Code.OK);
      calls.increment();
      descriptors.add(n);
      out.onNext(response.build());
      out.onCompleted();
    });
  }

  private CompletableFuture<DescriptorStatus> status(RateLimitRequest request, int index, EnvoyRule rule,
      BucketStore overrideStore, Runnable shadowOver) {
    if (rule == null) {
      return CompletableFuture.completedFuture(DescriptorStatus.newBuilder().setCode(Code.OK).build());
    }
    if (rule.unlimited()) {
      return CompletableFuture.completedFuture(
          DescriptorStatus.newBuilder().setCode(Code.OK).setLimitRemaining(UNLIMITED_REMAINING).build());
    }
    RateLimitResponse.RateLimit current = RateLimitResponse.RateLimit.newBuilder()
        .setRequestsPerUnit((int) requestsPerUnit(rule)).setUnit(rule.unit()).setName(rule.name()).build();
    RateLimitDescriptor d = request.getDescriptors(index);
    long hits = hits(request, d);
    if (!rule.bucketed()) {
      // requests_per_unit 0: every hit is over, and nothing ever resets it.
      return CompletableFuture.completedFuture(answer(rule, shadowOver, current, hits > 0, 0, 0));
    }
    String key = Descriptors.bucketKey(request.getDomain(), d.getEntriesList());
    BucketStore target = d.hasLimit() ? overrideStore : store;
    String tier = d.hasLimit() ? OverrideStore.tierOf(rule) : rule.fullKey();
    if (hits == 0) {
      return target.levels(key, tier).toCompletableFuture().thenApply(levels -> {
        LevelState client = levels.get(0);
        return answer(rule, shadowOver, current, false, client.tokens(), client.resetAfterNanos());
      }).exceptionallyCompose(RateLimitGrpcService::unmatchedIfRemoved);
    }
    if (Long.compareUnsigned(hits, Integer.MAX_VALUE) > 0) {
      // uint64 hits beyond any bucket: over, as no bucket holds that many tokens.
      return CompletableFuture.completedFuture(answer(rule, shadowOver, current, true, 0, 0));
    }
    return target.acquire(key, tier, (int) hits).toCompletableFuture().thenApply(decision -> answer(rule, shadowOver, current,
        !decision.allowed(), decision.remaining(),
        decision.allowed() ? decision.resetAfterNanos() : untilRetry(decision)))
        .exceptionallyCompose(RateLimitGrpcService::unmatchedIfRemoved);
  }

  private static CompletableFuture<DescriptorStatus> unmatchedIfRemoved(Throwable err) {
    return removedByReload(err)
        ? CompletableFuture.completedFuture(DescriptorStatus.newBuilder().setCode(Code.OK).build())
        : CompletableFuture.failedFuture(err);
  }

  /**
   * Returns whether {@code err} says the rule's tier is gone: a reload removed the rule between
   * this call's match and its charge. The running limits no longer have it, so the descriptor is
   * answered as unmatched; any other failure is the store's.
   */
  private static boolean removedByReload(Throwable err) {
    Throwable cause = err instanceof java.util.concurrent.CompletionException && err.getCause() != null
        ? err.getCause() : err;
    return cause instanceof UnknownTierException;
  }

  private static long untilRetry(Decision decision) {
    return decision.reason() == Decision.Reason.COST_EXCEEDS_BURST ? decision.resetAfterNanos()
        : decision.retryAfterNanos();
  }

  private DescriptorStatus answer(EnvoyRule rule, Runnable shadowOver, RateLimitResponse.RateLimit current,
      boolean over, long remaining, long untilResetNanos) {
    if (over && rule.shadowMode()) {
      shadowOverLimits.increment();
      shadowOver.run();
    }
    long seconds = untilResetNanos / 1_000_000_000L;
    int nanos = (int) (untilResetNanos % 1_000_000_000L);
    return DescriptorStatus.newBuilder()
        .setCode(over && !rule.shadowMode() ? Code.OVER_LIMIT : Code.OK)
        .setCurrentLimit(current)
        .setLimitRemaining((int) Math.min(remaining, 0xFFFF_FFFFL))
        .setDurationUntilReset(Duration.newBuilder().setSeconds(seconds).setNanos(nanos))
        .build();
  }


}
