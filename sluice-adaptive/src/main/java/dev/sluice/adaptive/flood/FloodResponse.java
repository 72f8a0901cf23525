package dev.sluice.adaptive.flood;

import dev.sluice.adaptive.anomaly.Baseline;
import dev.sluice.adaptive.flood.FloodSettings.TierResponse;
import dev.sluice.core.Clock;
import dev.sluice.core.Limit;
import dev.sluice.core.Limiter;
import dev.sluice.core.LimiterSpec;
import dev.sluice.core.Rate;
import dev.sluice.core.TierSpec;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The flood response: one {@link FloodDetector} per tier, the {@link SeenClients} table, and a
 * small <em>gate</em> {@link Limiter} the admission path consults before the main limiter.
 *
 * <p>Enforcement. {@link #admit} is called once per request, before the main limiter, with the
 * request's cost; it returns the cost the main limiter must charge (the request's own cost) or
 * {@link #DENIED}. During a flood in a tier, a request from a client that is not
 * established ({@link SeenClients#established}) must also take its cost from the gate's bucket for
 * that tier, refilled at the newcomer share of the tier's rate (its aggregate rate, or the global
 * rate when the tier has no aggregate): all unproven clients together get at most that share,
 * established clients are untouched. With {@code by-prefix}, the gate's client level is per
 * network prefix with the tier's per-client limit, and the share is the gate's tier level. An
 * offender (a heavy hitter while its tier's demand is anomalous, or a client flagged by another
 * detector) takes its cost times the multiplier from a gate bucket of its own, with its per-client
 * rate and the offender fraction of its per-client burst, so it gets a third of its limit (at ×3);
 * the main limiter charges the plain cost, so the penalty falls on the offender alone, not on the
 * tier and global levels everyone shares. Recovery: once the score stays below {@code
 * clear}, the share, the burst fraction and the multiplier ramp linearly back to normal over
 * {@code recovery}; the gate is then bypassed.
 *
 * <p>Hot path. Outside an anomaly, {@link #admit} is a tier map read, a volatile read, the key's
 * fingerprint (a loop over its chars), one table probe and the detector's short synchronized
 * update; nothing is allocated by Sluice's code (the frequent-items sketch may allocate when a key
 * enters it). During a flood an unproven client adds one gate decision (a CAS; with {@code
 * by-prefix} also the prefix string). Gate tokens spent on a request the main limiter then denies
 * are not refunded, so newcomers' share errs low. With the Redis store, the gate is per node.
 *
 * <p>{@link #step} runs every window on the control loop's thread (never on the hot path): it
 * closes the detectors' windows, moves each tier's state (idle, active, recovering), rebuilds the
 * gate's spec from the main limiter's current one (the control loop moves the tier rates) and
 * records {@link FloodEvent}s.
 *
 * <p>Spike and drift ({@link UsageWatch}): the same step scores each tier's demand and each heavy
 * client's share of all demand; a client whose score passes the threshold is an offender like a
 * flagged one (event kind {@code spike} or {@code drift}), a tier's alarm is an event with action
 * {@code alert}.
 */
public final class FloodResponse {

  /** {@link #admit} result: throttled by an anomaly action. */
  public static final int DENIED = -1;
  private static final String OFFENDERS = "#offenders";
  private static final int HISTORY = 256;
  private static final int MAX_OFFENDERS = 256;

  private enum State { IDLE, ACTIVE, RECOVERING }

  /** One tier's detector and state. Fields read on the hot path are volatile. */
  private static final class TierFlood {
    final String name;
    final String offenderTier;
    final TierResponse response;
    final FloodDetector detector;
    volatile boolean gating;
    volatile int freeze = Integer.MAX_VALUE;
    volatile Map<String, Integer> offenders = Map.of();
    State state = State.IDLE;
    double ramp;
    double score;
    FloodDetector.Reading last;
    FloodEvent event;
    double offenderRamp = 1;
    final Map<String, FloodEvent> offenderEvents = new LinkedHashMap<>();

    TierFlood(String name, TierResponse response, FloodDetector detector) {
      this.name = name;
      this.offenderTier = name + OFFENDERS;
      this.response = response;
      this.detector = detector;
    }
  }

  private final FloodSettings settings;
  private final Clock clock;
  private final long origin;
  private final long windowNanos;
  private final SeenClients seen;
  private final Limiter gate;
  private final Map<String, TierFlood> tiers;
  private final TierFlood defaultTier;
  private final EventHistory history;
  private final ConcurrentLinkedQueue<String[]> flags = new ConcurrentLinkedQueue<>();
  private final UsageWatch watch;
  private volatile int nowSec;
  /** The number of the window now open (steps so far). */
  private volatile int window;
  private long nextDue;

  private FloodResponse(FloodSettings settings, WatchSettings watch, Function<String, Baseline> tierBaseline,
      LimiterSpec spec, Clock clock, Consumer<FloodEvent> listener) {
    this.settings = settings;
    this.watch = new UsageWatch(watch, settings.threshold(), settings.clear(), tierBaseline);
    this.clock = clock;
    this.history = new EventHistory(HISTORY, listener);
    this.origin = clock.nanoTime();
    this.windowNanos = settings.window().toNanos();
    this.seen = new SeenClients(settings.maxTracked(), (int) settings.probation().toSeconds());
    double baselineWindows = (double) settings.baseline().toNanos() / windowNanos;
    long warmupWindows = settings.warmup().toNanos() / windowNanos;
    Map<String, TierFlood> m = new HashMap<>();
    for (String name : spec.tiers().keySet()) {
      m.put(name, new TierFlood(name, settings.response(name),
          new FloodDetector(baselineWindows, warmupWindows, settings.heavyHitterShare())));
    }
    this.tiers = Map.copyOf(m);
    this.defaultTier = tiers.get(spec.defaultTier());
    this.gate = Limiter.create(gateSpec(spec), clock);
    this.nextDue = origin + windowNanos;
  }

  /**
   * Returns a response for the tiers of {@code spec} on {@code clock}, telling {@code listener}
   * (may be {@code null}) of every event as it opens and as it ends.
   */
  public static FloodResponse create(FloodSettings settings, LimiterSpec spec, Clock clock,
      Consumer<FloodEvent> listener) {
    if (settings == null || spec == null || clock == null) {
      throw new IllegalArgumentException("settings, spec and clock: required");
    }
    if (settings == null) {
      throw new IllegalArgumentException("settings, spec and clock: required");
    }
    return create(settings, settings.watch(), tier -> Baseline.ewma(0.1), spec, clock, listener);
  }

  /**
   * Returns a response as {@link #create(FloodSettings, LimiterSpec, Clock, Consumer)} does, whose
   * spike and drift watch runs with {@code watch} and measures each tier's demand (tokens per
   * window) against the baseline {@code tierBaseline} returns for the tier's name (called once per
   * tier; e.g. a trained forecaster's adapter, else {@code Baseline.ewma(0.1)}).
   */
  public static FloodResponse create(FloodSettings settings, WatchSettings watch,
      Function<String, Baseline> tierBaseline, LimiterSpec spec, Clock clock, Consumer<FloodEvent> listener) {
    if (settings == null || watch == null || tierBaseline == null || spec == null || clock == null) {
      throw new IllegalArgumentException("settings, watch, tierBaseline, spec and clock: required");
    }
    return new FloodResponse(settings, watch, tierBaseline, spec, clock, listener == null ? e -> { } : listener);
  }

  /** Returns the settings. */
  public FloodSettings settings() {
    return settings;
  }

  /**
   * Decides what the anomaly response does to one request of {@code cost} from client {@code key}
   * in {@code tier} ({@code null}: the default tier): returns the cost the main limiter must charge
   * ({@code cost}) or {@link #DENIED}. Call it once per request, before the main limiter.
   */
  public int admit(String key, String tier, int cost) {
    TierFlood t = tier == null ? defaultTier : tiers.get(tier);
    if (t == null) {
      return cost;
    }
    int now = nowSec;
    long fp = SeenClients.fingerprint(key);
    long touched = seen.touch(fp, now, window);
    int firstSeen = SeenClients.first(touched);
    boolean unproven = !seen.established(firstSeen, now, t.freeze);
    t.detector.record(key, fp, cost, firstSeen == SeenClients.NEW, unproven, SeenClients.firstInWindow(touched));
    watch.count(key, cost);
    Map<String, Integer> off = t.offenders;
    if (!off.isEmpty()) {
      Integer m = off.get(key);
      if (m != null && !gate.tryConsume(key, t.offenderTier, (int) Math.min(Integer.MAX_VALUE, (long) cost * m))) {
        return DENIED;
      }
    }
    if (t.gating && unproven) {
      String k = settings.byPrefix() ? NetworkPrefix.of(key) : t.name;
      if (!gate.tryConsume(k, t.name, cost)) {
        return DENIED;
      }
    }
    return cost;
  }

  /**
   * Flags client {@code key} of {@code tier} as an offender with {@code score} (for detectors
   * outside this package); takes effect at the next {@link #step}. Thread-safe.
   */
  public void flag(String key, String tier, double score) {
    flags.add(new String[] {key, tier == null ? defaultTier.name : tier, Double.toString(score)});
  }

  /** Returns when the next {@link #step} is due, on the clock. */
  public long nextDueNanos() {
    return nextDue;
  }

  /**
   * Closes the window: scores every tier, moves its state, updates offenders and the gate's limits
   * from the main limiter's {@code spec} as it stands now. Call it every window from one thread.
   */
  public synchronized void step(LimiterSpec spec) {
    long now = clock.nanoTime();
    nextDue = Math.max(nextDue + windowNanos, now + 1);
    nowSec = (int) Math.min(Integer.MAX_VALUE - 1, (now - origin) / 1_000_000_000L);
    window++;
    double w = (double) windowNanos / settings.recovery().toNanos();
    Map<String, Map<String, UsageWatch.Flag>> flagged = drainFlags();
    double windowSeconds = windowNanos / 1e9;
    Map<String, FloodDetector.Reading> readings = new HashMap<>();
    for (TierFlood t : tiers.values()) {
      Limit pool = pool(spec, t.name);
      double floor = pool == null ? 0 : 0.5 * pool.rate().perSecond() * windowSeconds;
      FloodDetector.Reading r = t.detector.close(t.state == State.IDLE, floor);
      t.last = r;
      t.score = r.score();
      readings.put(t.name, r);
    }
    watch.step(readings, now, history).forEach((tier, m) -> m.forEach((k, f) ->
        flagged.computeIfAbsent(tier, x -> new LinkedHashMap<>()).merge(k, f, UsageWatch.Flag::max)));
    for (TierFlood t : tiers.values()) {
      moveTier(t, t.score, w, now);
      moveOffenders(t, t.last, flagged.getOrDefault(t.name, Map.of()), w, now);
    }
    gate.reconfigure(gateSpec(spec));
  }

  private void moveTier(TierFlood t, double score, double w, long now) {
    switch (t.state) {
      case IDLE -> {
        if (score >= settings.threshold()) {
          t.state = State.ACTIVE;
          t.ramp = 0;
          t.freeze = nowSec;
          t.event = history.open(new FloodEvent("flood", "tier:" + t.name, score, now, -1,
              "newcomer-share " + t.response.newcomerShare() + (settings.byPrefix() ? " by prefix" : "")));
          t.gating = true;
        }
      }
      case ACTIVE -> {
        if (score < settings.clear()) {
          t.state = State.RECOVERING;
        }
      }
      default -> {
        if (score >= settings.threshold()) {
          t.state = State.ACTIVE;
          t.ramp = 0;
        } else {
          t.ramp = Math.min(1, t.ramp + w);
          if (t.ramp >= 1 - 1e-9) {
            t.state = State.IDLE;
            t.gating = false;
            t.freeze = Integer.MAX_VALUE;
            history.close(t.event.ended(now));
            t.event = null;
          }
        }
      }
    }
    if (t.event != null && t.event.open()) {
      t.event = history.replace(t.event, t.event.withScore(score));
    }
  }

  private void moveOffenders(TierFlood t, FloodDetector.Reading r, Map<String, UsageWatch.Flag> external, double w,
      long now) {
    Map<String, UsageWatch.Flag> hit = new LinkedHashMap<>();
    if (r.demandScore() >= settings.threshold()) {
      for (FloodDetector.Hitter h : r.heavyHitters()) {
        hit.put(h.key(), new UsageWatch.Flag(r.demandScore(), "heavy-hitter"));
      }
    }
    external.forEach((k, f) -> hit.merge(k, f, UsageWatch.Flag::max));
    TierResponse resp = t.response;
    String action = "burst " + resp.offenderBurst() + ", cost x" + resp.offenderCost();
    for (Map.Entry<String, UsageWatch.Flag> e : hit.entrySet()) {
      FloodEvent ev = t.offenderEvents.get(e.getKey());
      if (ev == null) {
        if (t.offenderEvents.size() >= MAX_OFFENDERS) {
          continue;
        }
        t.offenderEvents.put(e.getKey(), history.open(new FloodEvent(e.getValue().kind(), "client:" + e.getKey(),
            e.getValue().score(), now, -1, action)));
      } else {
        t.offenderEvents.put(e.getKey(), history.replace(ev, ev.withScore(e.getValue().score())));
      }
    }
    if (!hit.isEmpty()) {
      t.offenderRamp = 0;
    } else if (!t.offenderEvents.isEmpty()) {
      t.offenderRamp = Math.min(1, t.offenderRamp + w);
      if (t.offenderRamp >= 1 - 1e-9) {
        for (FloodEvent ev : t.offenderEvents.values()) {
          history.close(ev.ended(now));
        }
        t.offenderEvents.clear();
      }
    }
    int m = (int) Math.round(1 + (resp.offenderCost() - 1) * (1 - t.offenderRamp));
    Map<String, Integer> next = new HashMap<>();
    for (String k : t.offenderEvents.keySet()) {
      next.put(k, m);
    }
    t.offenders = Map.copyOf(next);
  }

  private Map<String, Map<String, UsageWatch.Flag>> drainFlags() {
    Map<String, Map<String, UsageWatch.Flag>> out = new HashMap<>();
    for (String[] f; (f = flags.poll()) != null; ) {
      if (tiers.containsKey(f[1])) {
        out.computeIfAbsent(f[1], x -> new LinkedHashMap<>())
            .merge(f[0], new UsageWatch.Flag(Double.parseDouble(f[2]), "flagged"), UsageWatch.Flag::max);
      }
    }
    return out;
  }

  /** The gate's spec: per tier, the newcomer level and the offender level, at today's ramps. */
  private LimiterSpec gateSpec(LimiterSpec main) {
    LimiterSpec.Builder b = LimiterSpec.builder();
    for (TierFlood t : tiers.values()) {
      TierSpec ts = main.tiers().get(t.name);
      if (ts == null) {
        ts = new TierSpec(t.name, Limit.of(1, 1), null);
      }
      Limit pool = pool(main, t.name);
      double share = t.response.newcomerShare() + (1 - t.response.newcomerShare()) * t.ramp;
      Limit shared = pool == null ? Limit.of(Long.MAX_VALUE / 4, Rate.MAX_PER_SECOND) : scale(pool, share);
      if (settings.byPrefix()) {
        b.tier(t.name, ts.perClient(), shared);
      } else {
        b.tier(t.name, shared);
      }
      double burst = t.response.offenderBurst() + (1 - t.response.offenderBurst()) * t.offenderRamp;
      Limit shrunk = scale(ts.perClient(), burst, ts.perClient().rate());
      b.tier(t.offenderTier, Limit.of(Math.max(t.response.offenderCost(), shrunk.burst()), shrunk.rate()));
    }
    return b.defaultTier(defaultTier.name).maxClientsPerTier(1 << 16).build();
  }

  /** The level whose rate a tier's newcomers share: its aggregate, else the global level, else none. */
  private static Limit pool(LimiterSpec spec, String tier) {
    TierSpec ts = spec.tiers().get(tier);
    return ts != null && ts.aggregate() != null ? ts.aggregate() : spec.global();
  }

  private static Limit scale(Limit l, double share) {
    return scale(l, share, l.rate().times(share));
  }

  private static Limit scale(Limit l, double share, Rate rate) {
    return Limit.of(Math.max(1, (long) Math.ceil(l.burst() * share)), rate);
  }

  /** Returns the recorded events (at most 256, oldest first), those still open included. */
  public List<FloodEvent> events() {
    return history.events();
  }

  /** Returns the last window's flood score of {@code tier} (0 before the first step). */
  public double score(String tier) {
    TierFlood t = tiers.get(tier);
    return t == null ? 0 : t.score;
  }

  /** Returns {@code tier}'s anomaly score: the larger of its flood score and its spike/drift score. */
  public double tierScore(String tier) {
    return Math.max(score(tier), watch.tierScore(tier));
  }

  /**
   * Returns the anomaly score of a request from {@code key} in {@code tier} ({@code null}: the
   * default tier): the client's spike/drift score when it is watched, else its tier's {@link
   * #tierScore}. For the request log; a map read, no allocation.
   */
  public double anomalyScore(String key, String tier) {
    double c = watch.clientScore(key);
    return Double.isNaN(c) ? tierScore(tier == null ? defaultTier.name : tier) : c;
  }

  /**
   * Returns the scores exported per client ({@code client:KEY}): the current offenders' and the
   * watched heavy clients' (each at most 256), the larger when a client is both.
   */
  public Map<String, Double> clientScores() {
    Map<String, Double> out = new java.util.TreeMap<>(watch.clientScores());
    offenderScores().forEach((k, s) -> out.merge(k, s, Math::max));
    return out;
  }

  /** Returns the spike/drift scores of the clients watched on their own (heavy clients, bounded), by key. */
  public Map<String, Double> watchedScores() {
    return watch.clientScores();
  }

  /** Returns the highest tier score of the last window. */
  public double globalScore() {
    double s = 0;
    for (TierFlood t : tiers.values()) {
      s = Math.max(s, tierScore(t.name));
    }
    return s;
  }

  /** Returns the tiers' scores of the last window ({@link #tierScore}), by tier name. */
  public Map<String, Double> tierScores() {
    Map<String, Double> out = new java.util.TreeMap<>();
    for (TierFlood t : tiers.values()) {
      out.put(t.name, tierScore(t.name));
    }
    return out;
  }

  /** Returns each current offender's score, by client key (at most 256 per tier). */
  public Map<String, Double> offenderScores() {
    Map<String, Double> out = new java.util.TreeMap<>();
    for (TierFlood t : tiers.values()) {
      synchronized (this) {
        t.offenderEvents.forEach((k, e) -> out.put(k, e.score()));
      }
    }
    return out;
  }

  /** Returns the last window's reading of {@code tier}, or {@code null} before the first step. */
  public synchronized FloodDetector.Reading reading(String tier) {
    TierFlood t = tiers.get(tier);
    return t == null ? null : t.last;
  }

  /** Returns whether the newcomer cap is on in {@code tier}. */
  public boolean gating(String tier) {
    TierFlood t = tiers.get(tier);
    return t != null && t.gating;
  }

  /** Returns the multiplier charged to {@code key} in {@code tier} now (1 when not an offender). */
  public int multiplier(String key, String tier) {
    TierFlood t = tiers.get(tier);
    Integer m = t == null ? null : t.offenders.get(key);
    return m == null ? 1 : m;
  }

  /** Returns the table of seen clients (its memory is fixed). */
  public SeenClients seen() {
    return seen;
  }
}
