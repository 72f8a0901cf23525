package dev.sluice.core;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An in-process, hierarchical rate limiter: each request is checked against its client's bucket,
 * its tier's aggregate bucket and the global bucket, and consumes from all of them or none.
 * Thread-safe; decisions are lock-free and do not allocate once a client's bucket exists.
 *
 * <p>Invariants:
 * <ol>
 *   <li>Over any window of length t, the cost a bucket admits is at most
 *       {@code burst + rate * t}, plus any burst increase made by a reconfiguration inside the
 *       window (a change applies from its instant on).
 *   <li>All or nothing: a request denied at the tier or global level gives back what it took
 *       from the levels before (see {@link GcraBucket#refund}).
 *   <li>Memory is bounded: each tier keeps at most {@code maxClientsPerTier} client buckets, and
 *       a bucket unused for its idle expiry (never shorter than its refill time, so it is full and
 *       forgetting it is exact) is dropped.
 *   <li>Reconfiguration never stops traffic; each bucket keeps its fraction of tokens.
 * </ol>
 */
public final class Limiter {

  /*
   * Eviction lives in ClientMap: full buckets (TAT in the past) are forgotten exactly, and a size
   * bound per tier caps memory under a flood of keys. A decision on an existing bucket is one map
   * read, one clock read and one CAS per level.
   */

  private static final Level[] LEVELS = Level.values();

  private final Clock clock;
  private volatile Map<String, Tier> tiers;
  private volatile Tier defaultTier;
  private volatile GcraBucket global;
  private volatile LimiterSpec spec;

  private Limiter(LimiterSpec spec, Clock clock) {
    this.clock = clock;
    this.tiers = Map.of();
    apply(spec);
  }

  /** Returns a limiter enforcing {@code spec} on {@code clock}. */
  public static Limiter create(LimiterSpec spec, Clock clock) {
    if (spec == null || clock == null) {
      throw new IllegalArgumentException("spec and clock: required");
    }
    return new Limiter(spec, clock);
  }

  /** Returns the clock this limiter reads. */
  public Clock clock() {
    return clock;
  }

  /** Returns the spec currently enforced. */
  public LimiterSpec spec() {
    return spec;
  }

  /** Returns the cost of a request by the cost rules (first match, default 1). */
  public int costOf(String method, String path) {
    return spec.costs().costOf(method, path);
  }

  /** Decides a request of {@code cost} from client {@code key} in the default tier. */
  public Decision tryAcquire(String key, int cost) {
    return decide(defaultTier, key, cost);
  }

  /**
   * Decides a request of {@code cost} tokens from client {@code key} in {@code tier}
   * ({@code null} for the default tier).
   *
   * @throws UnknownTierException if the tier does not exist
   * @throws IllegalArgumentException if {@code cost < 1} or {@code key} is null
   */
  public Decision tryAcquire(String key, String tier, int cost) {
    return decide(tier(tier), key, cost);
  }

  /**
   * Consumes {@code cost} tokens from every level for client {@code key} in {@code tier}
   * ({@code null} for the default), or from none; returns whether it did. The same decision as
   * {@link #tryAcquire(String, String, int)} without building a {@link Decision}, for callers that
   * need only yes or no.
   *
   * @throws UnknownTierException if the tier does not exist
   * @throws IllegalArgumentException if {@code cost < 1} or {@code key} is null
   */
  public boolean tryConsume(String key, String tier, int cost) {
    Tier t = tier(tier);
    checkArguments(key, cost);
    long now = clock.nanoTime();
    int outcome;
    do {
      outcome = consume(clientBucket(t, key, now), t.aggregate, global, now, cost);
    } while (outcome == RETIRED);
    return outcome == ADMITTED;
  }

  private Tier tier(String name) {
    Tier t = name == null ? defaultTier : tiers.get(name);
    if (t == null) {
      throw new UnknownTierException(name, tiers.keySet());
    }
    return t;
  }

  private static void checkArguments(String key, int cost) {
    if (cost < 1) {
      throw new IllegalArgumentException("cost: " + cost + " (expected: >= 1)");
    }
    if (key == null) {
      throw new IllegalArgumentException("key: null (expected: a client key)");
    }
  }

  private static GcraBucket clientBucket(Tier tier, String key, long now) {
    GcraBucket client = tier.clients.get(key);
    if (client == null) {
      return tier.newClient(key, now);
    }
    if (client.params() != tier.perClient) {
      tier.catchUp(client);
    }
    return client;
  }

  private Decision decide(Tier tier, String key, int cost) {
    checkArguments(key, cost);
    long now = clock.nanoTime();
    GcraBucket agg = tier.aggregate;
    GcraBucket glob = global;
    GcraBucket client;
    int outcome;
    do {
      client = clientBucket(tier, key, now);
      outcome = consume(client, agg, glob, now, cost);
    } while (outcome == RETIRED);
    return outcome == ADMITTED ? admitted(now, client, agg, glob) : denied(outcome, now, cost, client, agg, glob);
  }

  /** {@link #consume} outcome: every level admitted. */
  private static final int ADMITTED = 0;
  /** {@link #consume} outcome flag: the denying level can never admit (end of the clock's range). */
  private static final int NEVER = 8;
  /** {@link #consume} outcome: the client bucket was evicted meanwhile; look it up again. */
  private static final int RETIRED = 16;

  /**
   * Consumes from the client, tier and global levels in that order, refunding the earlier ones
   * when a later one denies. Returns {@link #ADMITTED}, or the denying level's ordinal + 1, with
   * {@link #NEVER} set when that level can never admit.
   */
  private int consume(GcraBucket client, GcraBucket agg, GcraBucket glob, long now, int cost) {
    GcraBucket.Params cp;
    long cd;
    do {
      cp = client.params();
      cd = client.tryConsume(now, cost, cp);
    } while (cd == GcraBucket.STALE);
    if (cd == GcraBucket.GONE) {
      return RETIRED;
    }
    if (cd < 0) {
      return outcome(Level.CLIENT, cd);
    }
    GcraBucket.Params ap = null;
    long ad = 0;
    if (agg != null) {
      do {
        ap = agg.params();
        ad = agg.tryConsume(now, cost, ap);
      } while (ad == GcraBucket.STALE);
      if (ad < 0) {
        client.refund(clock, now, cd, cost, cp);
        return outcome(Level.TIER, ad);
      }
    }
    if (glob != null) {
      GcraBucket.Params gp;
      long gd;
      do {
        gp = glob.params();
        gd = glob.tryConsume(now, cost, gp);
      } while (gd == GcraBucket.STALE);
      if (gd < 0) {
        if (agg != null) {
          agg.refund(clock, now, ad, cost, ap);
        }
        client.refund(clock, now, cd, cost, cp);
        return outcome(Level.GLOBAL, gd);
      }
    }
    return ADMITTED;
  }

  private static int outcome(Level level, long code) {
    return (level.ordinal() + 1) | (code == GcraBucket.NEVER ? NEVER : 0);
  }

  /**
   * Builds the decision of an admitted request from the levels as they stand at {@code now}:
   * the tightest level's view (under concurrency, other requests may already have taken more).
   */
  private static Decision admitted(long now, GcraBucket client, GcraBucket agg, GcraBucket glob) {
    GcraBucket tightest = client;
    Level level = Level.CLIENT;
    long remaining = client.tokens(now);
    if (agg != null) {
      long r = agg.tokens(now);
      if (r < remaining) {
        remaining = r;
        tightest = agg;
        level = Level.TIER;
      }
    }
    if (glob != null) {
      long r = glob.tokens(now);
      if (r < remaining) {
        remaining = r;
        tightest = glob;
        level = Level.GLOBAL;
      }
    }
    return new Decision(true, remaining, 0, tightest.resetNanos(now), level, tightest.limit(),
        Decision.Reason.ADMITTED);
  }

  /**
   * Builds the decision of a denied request. Retry-after is the longest wait any level needs for
   * this cost, so that retrying then will not be denied by another level.
   */
  private static Decision denied(int outcome, long now, int cost,
      GcraBucket client, GcraBucket agg, GcraBucket glob) {
    // A cost above any level's burst can never pass: say so, whichever level ran out first.
    GcraBucket never = client.params().burst < cost ? client
        : agg != null && agg.params().burst < cost ? agg
        : glob != null && glob.params().burst < cost ? glob : null;
    if (never != null) {
      Level at = never == client ? Level.CLIENT : never == agg ? Level.TIER : Level.GLOBAL;
      return new Decision(false, never.tokens(now), Long.MAX_VALUE, never.resetNanos(now), at, never.limit(),
          Decision.Reason.COST_EXCEEDS_BURST);
    }
    Level level = LEVELS[(outcome & ~NEVER) - 1];
    GcraBucket denier = level == Level.CLIENT ? client : level == Level.TIER ? agg : glob;
    long wait = (outcome & NEVER) != 0 ? Long.MAX_VALUE : 0;
    wait = Math.max(wait, client.waitNanos(now, cost));
    if (agg != null) {
      wait = Math.max(wait, agg.waitNanos(now, cost));
    }
    if (glob != null) {
      wait = Math.max(wait, glob.waitNanos(now, cost));
    }
    // A concurrent refund may make every level look ready again; retrying is then right at once,
    // but "0" would read as "allowed", so say the smallest real wait.
    wait = Math.max(wait, 1);
    return new Decision(false, denier.tokens(now), wait, denier.resetNanos(now), level, denier.limit(),
        Decision.Reason.EXHAUSTED);
  }

  /**
   * Returns the levels of client {@code key} in {@code tier} ({@code null} for the default)
   * without consuming anything or creating a bucket (an unknown client shows a full bucket).
   */
  public List<LevelState> levels(String key, String tier) {
    Tier t = tier(tier);
    long now = clock.nanoTime();
    List<LevelState> out = new ArrayList<>(3);
    GcraBucket client = t.clients.get(key);
    if (client == null) {
      Limit l = t.perClient.limit;
      out.add(new LevelState(Level.CLIENT, l, l.burst(), 0));
    } else {
      out.add(state(Level.CLIENT, client, now));
    }
    GcraBucket agg = t.aggregate;
    if (agg != null) {
      out.add(state(Level.TIER, agg, now));
    }
    GcraBucket glob = global;
    if (glob != null) {
      out.add(state(Level.GLOBAL, glob, now));
    }
    return out;
  }

  /** Returns every tier's aggregate level and the global level, as they stand now. */
  public AggregateLevels aggregateLevels() {
    long now = clock.nanoTime();
    Map<String, LevelState> out = new LinkedHashMap<>();
    for (Tier t : tiers.values()) {
      GcraBucket agg = t.aggregate;
      if (agg != null) {
        out.put(t.name, state(Level.TIER, agg, now));
      }
    }
    GcraBucket glob = global;
    return new AggregateLevels(out, glob == null ? null : state(Level.GLOBAL, glob, now));
  }

  /** Returns how many client buckets {@code tier} holds now (approximate under concurrency). */
  public long clientCount(String tier) {
    Tier t = tiers.get(tier);
    if (t == null) {
      throw new UnknownTierException(tier, tiers.keySet());
    }
    return t.clients.size();
  }

  /**
   * Forgets every client bucket that is full now (exact: a new bucket is full too) and enforces
   * the size bound; this otherwise happens as new clients arrive, at most once per idle expiry.
   */
  public void cleanUp() {
    long now = clock.nanoTime();
    for (Tier t : tiers.values()) {
      t.clients.sweep(now);
    }
  }

  private static LevelState state(Level level, GcraBucket b, long now) {
    return new LevelState(level, b.limit(), b.tokens(now), b.resetNanos(now));
  }

  /** Changes every client bucket of {@code tier} to {@code limit}, carrying tokens over proportionally. */
  public synchronized void setClientLimit(String tier, Limit limit) {
    LimiterSpec s = spec;
    TierSpec old = requireTier(s, tier);
    apply(withTier(s, new TierSpec(tier, limit, old.aggregate())));
  }

  /** Changes the aggregate limit of {@code tier} ({@code null} removes the level). */
  public synchronized void setTierLimit(String tier, Limit limit) {
    LimiterSpec s = spec;
    TierSpec old = requireTier(s, tier);
    apply(withTier(s, new TierSpec(tier, old.perClient(), limit)));
  }

  /** Changes the global limit ({@code null} removes the level). */
  public synchronized void setGlobalLimit(Limit limit) {
    LimiterSpec s = spec;
    apply(new LimiterSpec(s.tiers(), s.defaultTier(), limit, s.costs(), s.maxClientsPerTier(), s.idleExpiry()));
  }

  /**
   * Switches to {@code next} while traffic runs. Buckets whose limit changes keep their fraction
   * of tokens; new tiers and levels start full; removed tiers stop accepting requests.
   */
  public synchronized void reconfigure(LimiterSpec next) {
    if (next == null) {
      throw new IllegalArgumentException("spec: null");
    }
    apply(next);
  }

  private static TierSpec requireTier(LimiterSpec s, String tier) {
    TierSpec t = s.tiers().get(tier);
    if (t == null) {
      throw new UnknownTierException(tier, s.tiers().keySet());
    }
    return t;
  }

  private static LimiterSpec withTier(LimiterSpec s, TierSpec tier) {
    Map<String, TierSpec> m = new LinkedHashMap<>(s.tiers());
    m.put(tier.name(), tier);
    return new LimiterSpec(m, s.defaultTier(), s.global(), s.costs(), s.maxClientsPerTier(), s.idleExpiry());
  }

  private synchronized void apply(LimiterSpec next) {
    long now = clock.nanoTime();
    Map<String, Tier> current = tiers;
    Map<String, Tier> updated = new LinkedHashMap<>();
    for (TierSpec ts : next.tiers().values()) {
      Tier t = current.get(ts.name());
      if (t == null) {
        t = new Tier(ts, next, clock, now);
      } else {
        t.update(ts, next, now);
      }
      updated.put(ts.name(), t);
    }
    global = reshape(global, next.global(), clock);
    spec = next;
    tiers = Collections.unmodifiableMap(updated);
    defaultTier = updated.get(next.defaultTier());
  }

  /** Returns a bucket for {@code limit}: the same one reconfigured, a new full one, or none. */
  static GcraBucket reshape(GcraBucket bucket, Limit limit, Clock clock) {
    if (limit == null) {
      return null;
    }
    if (bucket == null) {
      return new GcraBucket(limit);
    }
    if (!bucket.limit().equals(limit)) {
      bucket.reconfigure(clock, new GcraBucket.Params(limit));
    }
    return bucket;
  }

  /** One tier's state: its client map and aggregate bucket. */
  private static final class Tier {
    final String name;
    final Clock clock;
    final ClientMap clients;
    volatile GcraBucket.Params perClient;
    volatile GcraBucket aggregate;

    Tier(TierSpec spec, LimiterSpec limits, Clock clock, long now) {
      this.name = spec.name();
      this.clock = clock;
      this.perClient = new GcraBucket.Params(spec.perClient());
      this.aggregate = spec.aggregate() == null ? null : new GcraBucket(spec.aggregate());
      this.clients = new ClientMap(limits.maxClientsPerTier(), sweepNanos(limits), now);
    }

    static long sweepNanos(LimiterSpec limits) {
      return Math.min(limits.idleExpiry().toNanos(), Long.MAX_VALUE >> 2);
    }

    GcraBucket newClient(String key, long now) {
      GcraBucket b = clients.getOrCreate(key, perClient, now);
      if (b.params() != perClient) {
        catchUp(b);
      }
      return b;
    }

    /**
     * Brings a bucket that a reconfiguration missed (it was being created while the map was
     * walked) to the tier's current limit before any decision uses it. Reading perClient under the
     * bucket's monitor, which reconfigure() holds too, means this can never apply an older limit
     * over a newer one.
     */
    void catchUp(GcraBucket b) {
      synchronized (b) {
        GcraBucket.Params latest = perClient;
        if (b.params() != latest) {
          b.reconfigure(clock, latest);
        }
      }
    }

    void update(TierSpec spec, LimiterSpec limits, long now) {
      clients.bounds(limits.maxClientsPerTier(), sweepNanos(limits));
      if (!perClient.limit.equals(spec.perClient())) {
        GcraBucket.Params next = new GcraBucket.Params(spec.perClient());
        perClient = next;
        for (GcraBucket b : clients.values()) {
          b.reconfigure(clock, next);
        }
      }
      aggregate = reshape(aggregate, spec.aggregate(), clock);
    }

    @Override
    public String toString() {
      return "Tier[" + name + "]";
    }
  }
}
