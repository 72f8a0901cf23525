package dev.sluice.server.observe;

import dev.sluice.core.AggregateLevels;
import dev.sluice.core.BucketStore;
import dev.sluice.core.Decision;
import dev.sluice.core.InFlight;
import dev.sluice.core.Level;
import dev.sluice.core.LevelState;
import dev.sluice.core.Limit;
import dev.sluice.core.TierSpec;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Sluice's Prometheus meters (through Micrometer) and the JVM binders; thread-safe.
 *
 * <p>Names as scraped: {@code sluice_decisions_total{tier,result}} (result {@code allowed} or
 * {@code denied}), {@code sluice_denials_total{tier,level}}, {@code sluice_bucket_tokens{tier,level}}
 * and {@code sluice_refill_rate{tier,level}} (tokens per second; level {@code client} is each
 * client's rate, {@code tier} the tier's aggregate bucket, and the global bucket is reported as
 * {@code tier="_global",level="global"}), {@code sluice_upstream_latency_seconds} (histogram),
 * {@code sluice_upstream_responses_total{class}}, {@code sluice_upstream_errors_total{kind}},
 * {@code sluice_request_log_written_total}, {@code sluice_request_log_dropped_total}, {@code
 * sluice_throttle_log_suppressed_total}, {@code sluice_upstream_error_log_suppressed_total} and
 * {@code sluice_upstream_retries_total}; for concurrency levels {@code sluice_in_flight{tier,level}}
 * and {@code sluice_in_flight_limit{tier,level}} (cost in flight and the level's maximum; level
 * {@code tier}, or the global level as {@code tier="_global",level="global"}), {@code
 * sluice_permits_released_total} and {@code sluice_permits_expired_total}; {@code
 * sluice_clients_evicted_total{tier}} (indebted client buckets the client bound forgot).
 *
 * <p>The bucket and in-flight gauges read the store that enforces the limits ({@link #track}):
 * rates and maxima from its spec, tokens and cost in flight from the aggregate levels it last
 * reported ({@link #levels}, read from the store just before each scrape), so in Redis mode they
 * show what Redis holds, and NaN when the store did not answer or the level does not exist.
 */
public final class ServerMetrics implements AutoCloseable {

  /** The tier label of the global bucket (tier names cannot start with an underscore). */
  static final String GLOBAL_TIER = "_global";

  /** The counters of one tier, resolved once so a decision does one map lookup. */
  public record TierMeters(Counter allowed, Counter denied, Counter deniedClient, Counter deniedTier,
      Counter deniedGlobal) {

    public void count(Decision d) {
      if (d.allowed()) {
        allowed.increment();
        return;
      }
      denied.increment();
      switch (d.level()) {
        case CLIENT -> deniedClient.increment();
        case TIER -> deniedTier.increment();
        case GLOBAL -> deniedGlobal.increment();
      }
    }
  }

  private final PrometheusMeterRegistry registry;
  private volatile BucketStore target;
  private volatile AggregateLevels levels = AggregateLevels.NONE;
  private final JvmGcMetrics gc;
  private final Map<String, TierMeters> tiers = new ConcurrentHashMap<>();
  private final Map<String, List<Meter>> tierGauges = new ConcurrentHashMap<>();
  private final Timer upstreamLatency;
  private final Counter[] responsesByClass = new Counter[6];
  private final Counter connectErrors;
  private final Counter timeouts;
  private final Counter otherErrors;
  private final Counter retries;
  private final Counter permitsReleased;
  public final Counter requestLogWritten;
  public final Counter requestLogDropped;
  public final Counter throttleLogSuppressed;
  public final Counter upstreamErrorLogSuppressed;
  private final IntervalLatency intervalLatency = new IntervalLatency();
  private final TopClients topClients = new TopClients();

  public ServerMetrics(Duration maxLatency) {
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    this.gc = new JvmGcMetrics();
    gc.bindTo(registry);
    this.upstreamLatency = Timer.builder("sluice.upstream.latency")
        .description("Upstream latency, measured by the proxy or reported on /v1/feedback")
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(maxLatency.compareTo(Duration.ofMillis(1)) > 0 ? maxLatency : Duration.ofSeconds(10))
        .register(registry);
    for (int c = 1; c <= 5; c++) {
      responsesByClass[c] = Counter.builder("sluice.upstream.responses").tag("class", c + "xx")
          .description("Upstream responses by status class").register(registry);
    }
    this.connectErrors = upstreamError("connect");
    this.timeouts = upstreamError("timeout");
    this.otherErrors = upstreamError("other");
    this.retries = Counter.builder("sluice.upstream.retries")
        .description("Requests sent again on a new upstream connection after a reused one closed unanswered")
        .register(registry);
    this.permitsReleased = Counter.builder("sluice.permits.released")
        .description("Permits of concurrency levels released: proxied requests that ended, /v1/feedback reports")
        .register(registry);
    this.requestLogWritten = Counter.builder("sluice.request.log.written")
        .description("Request log records written").register(registry);
    this.requestLogDropped = Counter.builder("sluice.request.log.dropped")
        .description("Request log records dropped because the buffer was full").register(registry);
    this.throttleLogSuppressed = Counter.builder("sluice.throttle.log.suppressed")
        .description("Throttle events not logged because the log budget was spent").register(registry);
    this.upstreamErrorLogSuppressed = Counter.builder("sluice.upstream.error.log.suppressed")
        .description("Upstream failures not logged at WARN because the log budget was spent").register(registry);
  }

  /**
   * Registers the global bucket and in-flight gauges and the expired-permit counter on {@code
   * store} (the tiers' gauges come with {@link #tiersChanged}); called once, before any scrape.
   */
  public void track(BucketStore store) {
    this.target = store;
    Gauge.builder("sluice.bucket.tokens", this, m -> tokens(m.levels.global()))
        .tags("tier", GLOBAL_TIER, "level", "global").register(registry);
    Gauge.builder("sluice.refill.rate", this, m -> m.globalRate())
        .tags("tier", GLOBAL_TIER, "level", "global").register(registry);
    inFlightGauges(GLOBAL_TIER, "global", m -> cost(m.levels.globalInFlight()),
        m -> maximum(m.target.spec().concurrency()));
    FunctionCounter.builder("sluice.permits.expired", store, BucketStore::expiredPermits)
        .description("Permits of concurrency levels that expired unreleased (their cost freed)")
        .register(registry);
  }

  /** Sets the aggregate levels the token gauges report ({@link AggregateLevels#NONE}: unknown). */
  public void levels(AggregateLevels now) {
    this.levels = now;
  }

  private Counter upstreamError(String kind) {
    return Counter.builder("sluice.upstream.errors").tag("kind", kind)
        .description("Proxied requests the upstream did not answer").register(registry);
  }

  /** Returns the registry, for Armeria's own meters. */
  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** Returns the Prometheus text exposition of every meter. */
  public String scrape() {
    return registry.scrape();
  }

  /** Returns the decision counters of {@code tier}. */
  public TierMeters tier(String tier) {
    TierMeters m = tiers.get(tier);
    return m != null ? m : tiers.computeIfAbsent(tier, this::newTierMeters);
  }

  private TierMeters newTierMeters(String tier) {
    return new TierMeters(decisions(tier, "allowed"), decisions(tier, "denied"),
        denials(tier, Level.CLIENT), denials(tier, Level.TIER), denials(tier, Level.GLOBAL));
  }

  private Counter decisions(String tier, String result) {
    return Counter.builder("sluice.decisions").tags("tier", tier, "result", result)
        .description("Rate-limit decisions").register(registry);
  }

  private Counter denials(String tier, Level level) {
    return Counter.builder("sluice.denials").tags("tier", tier, "level", level.label())
        .description("Denied decisions by the level that denied").register(registry);
  }

  /** Registers the bucket gauges of the tiers now configured and removes those of removed tiers. */
  public synchronized void tiersChanged(Set<String> names) {
    for (String name : new HashSet<>(tierGauges.keySet())) {
      if (!names.contains(name)) {
        tierGauges.remove(name).forEach(registry::remove);
      }
    }
    for (String name : names) {
      tierGauges.computeIfAbsent(name, n -> {
        List<Meter> meters = new java.util.ArrayList<>(List.of(
            gauge("sluice.bucket.tokens", n, "tier", m -> tokens(m.levels.tier(n))),
            gauge("sluice.refill.rate", n, "tier", m -> m.tierRate(n, false)),
            gauge("sluice.refill.rate", n, "client", m -> m.tierRate(n, true))));
        meters.addAll(inFlightGauges(n, "tier", m -> cost(m.levels.tierInFlight(n)), m -> m.tierConcurrency(n)));
        meters.add(FunctionCounter.builder("sluice.clients.evicted", this,
                m -> m.target == null ? 0 : m.target.evictedClients(n)).tag("tier", n)
            .description("Client buckets the max-clients bound forgot while they held debt").register(registry));
        return List.copyOf(meters);
      });
    }
  }

  private Meter gauge(String name, String tier, String level, ToDoubleFunction<ServerMetrics> f) {
    return Gauge.builder(name, this, f).tags("tier", tier, "level", level).register(registry);
  }

  /** Registers the gauges of one concurrency level: its cost in flight and its maximum. */
  private List<Meter> inFlightGauges(String tier, String level, ToDoubleFunction<ServerMetrics> cost,
      ToDoubleFunction<ServerMetrics> max) {
    return List.of(
        Gauge.builder("sluice.in.flight", this, cost).tags("tier", tier, "level", level)
            .description("Cost in flight at a concurrency level: permits neither released nor expired")
            .register(registry),
        Gauge.builder("sluice.in.flight.limit", this, max).tags("tier", tier, "level", level)
            .description("The most cost a concurrency level admits in flight (NaN: no level)")
            .register(registry));
  }

  private double globalRate() {
    Limit g = target.spec().global();
    return g == null ? Double.NaN : g.rate().perSecond();
  }

  private double tierRate(String tier, boolean perClient) {
    TierSpec t = target.spec().tiers().get(tier);
    Limit limit = t == null ? null : perClient ? t.perClient() : t.aggregate();
    return limit == null ? Double.NaN : limit.rate().perSecond();
  }

  private static double tokens(LevelState s) {
    return s == null ? Double.NaN : s.tokens();
  }

  private double tierConcurrency(String tier) {
    TierSpec t = target.spec().tiers().get(tier);
    return t == null ? Double.NaN : maximum(t.concurrency());
  }

  private static double maximum(long concurrency) {
    return concurrency > 0 ? concurrency : Double.NaN;
  }

  private static double cost(InFlight f) {
    return f == null ? Double.NaN : f.cost();
  }

  /** Returns the upstream latencies of the current interval (the live dashboard reads them). */
  public IntervalLatency intervalLatency() {
    return intervalLatency;
  }

  /** Returns the heaviest clients of the current interval (counted only while the dashboard watches). */
  public TopClients topClients() {
    return topClients;
  }

  /** Counts a permit released (and not already released or expired). */
  public void permitReleased() {
    permitsReleased.increment();
  }

  /** Records one upstream outcome: its latency (negative: none measured) and status. */
  public void upstream(long latencyNanos, int status) {
    if (latencyNanos >= 0) {
      upstreamLatency.record(latencyNanos, TimeUnit.NANOSECONDS);
      intervalLatency.record(latencyNanos);
    }
    int c = status / 100;
    if (c >= 1 && c <= 5) {
      responsesByClass[c].increment();
    }
  }

  /** Counts a proxied request the upstream did not answer. */
  public void upstreamError(UpstreamError kind) {
    switch (kind) {
      case CONNECT -> connectErrors.increment();
      case TIMEOUT -> timeouts.increment();
      case OTHER -> otherErrors.increment();
    }
  }

  /** Counts a request retried on a new upstream connection. */
  public void upstreamRetry() {
    retries.increment();
  }

  /** Why the upstream did not answer. */
  public enum UpstreamError { CONNECT, TIMEOUT, OTHER }

  @Override
  public void close() {
    gc.close();
    registry.close();
  }
}
