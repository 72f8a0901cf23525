package dev.sluice.sim;

import dev.sluice.adaptive.AdaptiveSettings;
import dev.sluice.adaptive.Composition;
import dev.sluice.adaptive.ControlLoop;
import dev.sluice.adaptive.RateController;
import dev.sluice.adaptive.SignalCollector;
import dev.sluice.adaptive.flood.FloodResponse;
import dev.sluice.core.Decision;
import dev.sluice.core.Level;
import dev.sluice.core.BucketStore;
import dev.sluice.core.Limit;
import dev.sluice.core.Limiter;
import dev.sluice.core.LimiterSpec;
import dev.sluice.core.ManualClock;
import dev.sluice.ml.live.Predictors;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;

/**
 * One discrete-event run of a scenario under one policy and seed, in virtual time: Poisson
 * arrivals from every source go through the real {@link Limiter}; admitted attempts queue at the
 * {@link Backend}, whose events (fast failure while down, service, deadlines) {@link
 * BackendEvents} handles; responses, timeouts and 429s feed the real {@link SignalCollector} and
 * {@link ControlLoop}, which move the limiter's global rate through the same {@link BucketStore}
 * target as in the server (the local store wrapping this limiter). Deterministic for a seed: every random
 * stream is a {@link SplittableRandom} derived from it, and the arrival streams do not depend on
 * the policy, so policies see the same first attempts. Closed-loop sources' virtual users
 * ({@link VirtualUsers}) send their next request a think time after the last one ended; a peer
 * policy puts a {@link PeerGate} in front of the buckets; a policy whose loop moves a concurrency
 * level also holds {@link Permits}; with a {@link RequestLogFile}, every attempt becomes a line of
 * the request log; with the anomaly response, an {@link AnomalyLog} records what it flagged and why.
 * Not thread-safe; run each on one thread.
 */
final class Simulation {

  /*
   * Event kinds and their payloads: ARRIVAL (source index), RETRY (request handle: generation << 32
   * | slot), TICK (second index), CONTROL (none), the backend's COMPLETE, TIMEOUT and FAST_FAIL
   * (see BackendEvents), and the virtual users' START and WAKE (see VirtualUsers). A logical request starts at its ARRIVAL (or
   * when a virtual user sends it) and ends exactly once: admitted and answered 2xx, failed (5xx or
   * timeout) with no retry left, or rejected (429) with no retry left; retries take a new slot.
   */
  private static final int ARRIVAL = 0;
  private static final int RETRY = 1;
  private static final int TICK = 5;
  private static final int CONTROL = 6;
  private static final int FLOOD = 9;
  private static final long SECOND = 1_000_000_000L;

  private final Scenario sc;
  private final String policy;
  private final long seed;
  private final ManualClock clock = new ManualClock();
  private final EventQueue events = new EventQueue();
  private final Requests req = new Requests();
  private final RunRecorder rec;
  private final Backend backend;
  private final BackendEvents service;
  private final Traffic traffic;
  private final SplittableRandom retryRng;
  private final Limiter limiter;
  private final SignalCollector collector;
  private final ControlLoop loop;
  private final PeerGate gate;
  /** The global concurrency level's permits (none taken without a level). */
  private final Permits permits;
  private final VirtualUsers users;
  private final long end;
  /** A static policy's rate, tokens/s; NaN for every other policy. */
  private final double staticRate;
  private final int[] tierOfSource;
  private final long[] retriesUsed;
  private final long[] firstAttempts;
  /** The run's request log, or {@code null} for none. */
  private final RequestLogFile log;
  /** The flood response in front of the limiter, or {@code null} when the scenario has none. */
  private final FloodResponse flood;
  /** What the flood response flagged and why, or {@code null} without it. */
  private final AnomalyLog anomalies;

  Simulation(Scenario sc, String policy, long seed) {
    this(sc, policy, seed, sc.staticRate(), null);
  }

  Simulation(Scenario sc, String policy, long seed, double staticRate) {
    this(sc, policy, seed, staticRate, null);
  }

  /**
   * A run in which a static policy ({@code static}, or a candidate of {@code static-best}) holds
   * the global rate at {@code staticRate} tokens per second, writing one line per attempt to
   * {@code log} unless it is {@code null} (the caller closes it).
   */
  Simulation(Scenario sc, String policy, long seed, double staticRate, RequestLogFile log) {
    this.sc = sc;
    this.log = log;
    this.policy = policy;
    this.seed = seed;
    this.end = sc.seconds() * SECOND;
    this.staticRate = policy.equals("static") || policy.equals("static-best") ? staticRate : Double.NaN;
    this.users = new VirtualUsers(sc, events, end, (s, client, vu, now) -> {
      clock.set(now);
      newRequest(s, client, vu, now);
    });
    SplittableRandom root = new SplittableRandom(seed);
    this.traffic = new Traffic(sc, root.split());
    this.backend = new Backend(sc.backend(), sc.seconds(), root.split());
    this.service = new BackendEvents(sc, req, events, backend, this::outcome);
    this.retryRng = root.split();
    this.gate = Peers.is(policy) ? Peers.gate(policy, sc, root.split()) : null;
    this.rec = new RunRecorder(sc);
    int maxCost = 1;
    for (Scenario.Source s : sc.sources()) {
      for (Scenario.CostClass c : s.costs()) {
        maxCost = Math.max(maxCost, c.cost());
      }
    }
    boolean fixed = !Double.isNaN(this.staticRate);
    double initial = policy.equals("oracle") ? Math.max(1e-3, backend.capacity(0) * sc.oracleUtilisation())
        : fixed ? staticRate : sc.staticRate();
    boolean moved = !fixed && gate == null;
    this.limiter = Limiter.create(Permits.withLevel(spec(initial, maxCost), sc, moved ? policy : "", maxCost), clock);
    this.permits = new Permits(limiter, req);
    this.tierOfSource = new int[sc.sources().size()];
    for (int i = 0; i < tierOfSource.length; i++) {
      String t = sc.sources().get(i).tier();
      for (int k = 0; k < sc.limiter().tiers().size(); k++) {
        if (sc.limiter().tiers().get(k).name().equals(t)) {
          tierOfSource[i] = k;
        }
      }
    }
    boolean anomaly = sc.adaptive().anomaly().enabled() && gate == null && !policy.equals("default-no-anomaly");
    this.anomalies = anomaly
        ? new AnomalyLog(sc, traffic, tierOfSource, sc.adaptive().anomaly().window().toNanos()) : null;
    this.flood = anomaly
        ? FloodResponse.create(sc.adaptive().anomaly(), limiter.spec(), clock, e -> {
          anomalies.event(e);
          rec.anomalyEvent(sc, e);
        }) : null;
    this.retriesUsed = new long[sc.sources().size()];
    this.firstAttempts = new long[sc.sources().size()];
    AdaptiveSettings settings = sc.adaptive().withMinBurst(maxCost);
    if (fixed || gate != null) {
      collector = null;
      loop = null;
    } else if (policy.equals("oracle")) {
      AdaptiveSettings oracle = new AdaptiveSettings(true, false, Duration.ofSeconds(1), List.of(),
          settings.latencyAimd(), settings.errorBackoff(), settings.gradient(), settings.pi(), null,
          new Composition(1e-3, 1e9, 1e9, 1, 0, 1e9, 0), true, maxCost);
      collector = SignalCollector.create(oracle, 0);
      loop = ControlLoop.create(BucketStore.local(limiter), clock, collector, oracle, List.<RateController>of(new OracleController(
          now -> backend.capacity((int) Math.min(sc.seconds(), now / SECOND)) * sc.oracleUtilisation())));
    } else {
      List<String> names = sc.policies().get(policy);
      if (names == null) {
        throw new IllegalArgumentException("policy: " + policy + " (expected: one of " + Policy.ALL + ")");
      }
      AdaptiveSettings s = settings.withControllers(names);
      collector = SignalCollector.create(s, 0);
      loop = ControlLoop.create(BucketStore.local(limiter), clock, collector, s,
          s.enabledControllers(Predictors.factory(clock::nanoTime, () -> null)));
    }
  }

  /** The scenario's limiter at global rate {@code rate}; behind a peer gate, per-client limits only. */
  private LimiterSpec spec(double rate, int maxCost) {
    LimiterSpec.Builder b = LimiterSpec.builder();
    Limit global = gate != null ? null
        : Limit.of(Math.max(maxCost, Math.round(rate * sc.limiter().globalBurstSeconds())), ScenarioReader.toRate(rate));
    for (Scenario.TierModel t : sc.limiter().tiers()) {
      b.tier(t.name(), t.perClient(), t.share() >= 1 || global == null ? null : global.share(t.share()));
    }
    return b.global(global).maxClientsPerTier(10_000_000).build();
  }

  /** Runs the scenario to its end and returns what it measured. */
  RunResult run() {
    for (int s = 0; s < sc.sources().size(); s++) {
      long t = traffic.nextArrival(s, 0);
      if (t < end) {
        events.push(t, ARRIVAL, s);
      }
    }
    users.schedule();
    events.push(SECOND, TICK, 0);
    if (loop != null) {
      events.push(loop.nextDueNanos(), CONTROL, 0);
    }
    if (flood != null) {
      events.push(flood.nextDueNanos(), FLOOD, 0);
    }
    while (!events.isEmpty()) {
      events.pop();
      long now = events.poppedTime;
      if (now > end) {
        break;
      }
      clock.set(now);
      long p = events.poppedPayload;
      switch (events.poppedKind) {
        case ARRIVAL -> arrival((int) p, now);
        case RETRY -> {
          int id = req.resolve(p);
          if (id >= 0) {
            decide(id, now);
          }
        }
        case BackendEvents.COMPLETE -> service.onComplete(p, now);
        case BackendEvents.TIMEOUT -> service.onTimeout(p, now);
        case BackendEvents.FAST_FAIL -> service.onFastFail(p, now);
        case TICK -> tick((int) p, now);
        case VirtualUsers.START -> users.onStart(p, now);
        case VirtualUsers.WAKE -> users.onWake(p, now);
        case FLOOD -> {
          flood.step(limiter.spec());
          events.push(flood.nextDueNanos(), FLOOD, 0);
        }
        default -> {
          loop.step();
          events.push(loop.nextDueNanos(), CONTROL, 0);
        }
      }
    }
    clock.set(Math.max(clock.nanoTime(), end));
    if (log != null) {
      log.endOfRun(end);
    }
    permits.releaseAll();
    backend.integrate(end, sc.seconds());
    return RunResult.of(sc, policy, seed, rec, backend, req.countActive(), staticRate,
        anomalies == null ? AnomalyReport.NONE : anomalies.report(flood.events()));
  }

  /** The run's recorder (for tests: attempt counts). */
  RunRecorder recorder() {
    return rec;
  }

  /** The run's anomaly response, or {@code null} (for tests). */
  FloodResponse flood() {
    return flood;
  }

  /** The run's permits. */
  Permits permits() {
    return permits;
  }

  private int sec(long now) {
    return (int) Math.min(sc.seconds() - 1, now / SECOND);
  }

  private void arrival(int s, long now) {
    long next = traffic.nextArrival(s, now);
    if (next < end) {
      events.push(next, ARRIVAL, s);
    }
    newRequest(s, traffic.client(s), 0, now);
  }

  /** A new logical request from {@code client} of source {@code s} (sent by virtual user {@code vu}). */
  private void newRequest(int s, int client, int vu, long now) {
    int id = req.allocate();
    req.source[id] = s;
    req.client[id] = client;
    req.cost[id] = traffic.cost(s);
    req.vu[id] = vu;
    req.attempt[id] = 1;
    req.start[id] = now;
    firstAttempts[s]++;
    rec.newRequest(sec(now), s, client, req.cost[id]);
    if (anomalies != null) {
      anomalies.request(s, client, now);
    }
    decide(id, now);
  }

  private void decide(int id, long now) {
    int s = req.source[id];
    int cost = req.cost[id];
    String tier = sc.sources().get(s).tier();
    if (gate != null && !gate.tryEnter()) {
      gateDenied(id, now);
      return;
    }
    String key = traffic.key(s, req.client[id]);
    int charged = flood == null ? cost : flood.admit(key, tier, cost);
    if (charged == FloodResponse.DENIED) {
      anomalyDenied(id, key, tier, now);
      return;
    }
    Decision d = limiter.tryAcquire(key, tier, charged);
    if (collector != null) {
      collector.recordDecision(tier, d.allowed(), cost, d.deniedBy());
      collector.recordClient(tier, key, cost);
    }
    int sec = sec(now);
    rec.attempt(sec, s, cost, d.allowed());
    if (log != null) {
      if (d.allowed()) {
        log.admitted(id, key, tier, cost, d, anomalyScore(key, tier));
      } else {
        log.denied(now, key, tier, cost, d, anomalyScore(key, tier));
      }
    }
    if (!d.allowed()) {
      if (gate != null) {
        gate.cancel();
      }
      if (!retry(id, now, false, d.retryAfterNanos())) {
        finish(id, now, 2, false);
      }
      req.release(id);
      return;
    }
    req.gateInflight[id] = gate != null ? gate.inflight() : 0;
    permits.take(id, d);
    service.admit(id, now, sec);
  }

  /**
   * The flood response throttled the attempt: a 429 like the limiter's, counted as a client-level
   * denial by the control loop (its demand did not pass the per-client limits), retried after 1 s.
   */
  private void anomalyDenied(int id, String key, String tier, long now) {
    if (collector != null) {
      collector.recordDecision(tier, false, req.cost[id], Level.CLIENT);
    }
    rec.attempt(sec(now), req.source[id], req.cost[id], false);
    if (log != null) {
      log.gateDenied(now, key, tier, req.cost[id], anomalyScore(key, tier));
    }
    if (!retry(id, now, false, SECOND)) {
      finish(id, now, 2, false);
    }
    req.release(id);
  }

  /** The request's anomaly score for the request log: NaN without an anomaly response. */
  private double anomalyScore(String key, String tier) {
    return flood == null ? Double.NaN : flood.anomalyScore(key, tier);
  }

  /** The peer gate is full: a 429 like the limiter's, with no Retry-After. */
  private void gateDenied(int id, long now) {
    rec.attempt(sec(now), req.source[id], req.cost[id], false);
    if (log != null) {
      int s = req.source[id];
      log.gateDenied(now, traffic.key(s, req.client[id]), sc.sources().get(s).tier(), req.cost[id], Double.NaN);
    }
    if (!retry(id, now, false, Long.MAX_VALUE)) {
      finish(id, now, 2, false);
    }
    req.release(id);
  }

  /** The client sees a response (or gives up); the slot's owner frees it. */
  private void outcome(int id, long now, int status, long latency) {
    int s = req.source[id];
    int cost = req.cost[id];
    boolean withinSlo = status < 500 && latency <= sc.sloMillis() * cost * 1e6;
    if (collector != null) {
      collector.recordResponse(latency, status, cost);
    }
    if (log != null) {
      log.answered(id, now, status, status == 504 ? -1 : latency);
    }
    rec.response(sec(now), tierOfSource[s], latency, status, withinSlo, cost);
    if (gate != null) {
      gate.exit(req.admitted[id], now, req.gateInflight[id], status == 504);
    }
    permits.release(id);
    if (status < 500) {
      finish(id, now, 0, withinSlo);
    } else if (!retry(id, now, true, 0)) {
      finish(id, now, 1, false);
    }
  }

  /** A logical request ended; a virtual user goes on after its think time. */
  private void finish(int id, long now, int outcome, boolean withinSlo) {
    int s = req.source[id];
    rec.finish(s, req.client[id], outcome, withinSlo, req.cost[id]);
    users.ended(s, req.vu[id], now);
  }

  /** Schedules a retry of attempt {@code id} in a new slot if the source's policy allows one. */
  private boolean retry(int id, long now, boolean error, long retryAfter) {
    int s = req.source[id];
    Scenario.Retry r = sc.sources().get(s).retry();
    if (req.attempt[id] >= r.maxAttempts() || !(error ? r.onError() : r.onRejected())) {
      return false;
    }
    if (r.budget() >= 0 && retriesUsed[s] >= r.budget() * firstAttempts[s] + 10) {
      return false;
    }
    retriesUsed[s]++;
    double backoff = Math.min(r.maxDelayMillis(), r.baseMillis() * Math.pow(2, req.attempt[id] - 1)) * 1e6;
    long delay = Math.round(backoff / 2 + retryRng.nextDouble() * backoff / 2);
    if (!error && r.respectRetryAfter() && retryAfter != Long.MAX_VALUE) {
      delay = Math.max(delay, retryAfter);
    }
    int n = req.allocate();
    req.source[n] = s;
    req.client[n] = req.client[id];
    req.cost[n] = req.cost[id];
    req.attempt[n] = req.attempt[id] + 1;
    req.vu[n] = req.vu[id];
    req.start[n] = req.start[id];
    req.state[n] = Requests.WAITING_RETRY;
    if (now + delay < end) {
      events.push(now + delay, RETRY, req.handle(n));
    }
    return true;
  }

  private void tick(int s, long now) {
    Limit global = limiter.spec().global();
    double rate = global == null ? Double.NaN : global.rate().perSecond();
    rec.tick(s, rate, backend.capacity(Math.min(s, sc.seconds() - 1)));
    if (gate != null && s < sc.seconds()) {
      rec.inflightLimit[s] = gate.limit();
    } else if (limiter.spec().concurrency() > 0 && s < sc.seconds()) {
      rec.inflightLimit[s] = limiter.spec().concurrency();
    }
    int next = Math.min(s + 1, sc.seconds());
    backend.integrate(now, s);
    if (next < sc.seconds()) {
      events.push((next + 1) * SECOND, TICK, next);
      service.dispatch(now, next);
    }
  }
}
