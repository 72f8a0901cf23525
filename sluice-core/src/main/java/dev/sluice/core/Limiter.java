package dev.sluice.core;

import java.util.List;
import java.util.Map;

/**
 * An in-process, hierarchical rate limiter: each request is checked against its client's bucket,
 * its tier's aggregate bucket and the global bucket, and, where the spec has them, the tier's and
 * the global concurrency levels; it consumes from all of them or none. Thread-safe; decisions are
 * lock-free and do not allocate once a client's bucket exists.
 *
 * <p>Invariants:
 * <ol>
 *   <li>Over any window of length t, the cost a bucket admits is at most
 *       {@code burst + rate * t}, plus any burst increase made by a reconfiguration inside the
 *       window (a change applies from its instant on). This holds with token leases too: a bucket
 *       that threads contend for serves each thread from a lease of its own timeline
 *       ({@link TokenLeases}), which holds back at most a quarter of the burst while it lasts.
 *   <li>All or nothing: a request denied at the tier or global level, or by a concurrency level,
 *       gives back what it took from the levels before (see {@link GcraBucket#refund}).
 *   <li>A concurrency level never holds more cost in flight than its maximum. An admitted request
 *       holds its cost there until {@link #release} of its {@link Decision#permit()} or, failing
 *       that, until its permit expires {@link LimiterSpec#permitTimeout()} after admission (see
 *       {@link PermitTable}).
 *   <li>Memory is bounded: each tier keeps at most {@code maxClientsPerTier} client buckets, and
 *       a bucket unused for its idle expiry (never shorter than its refill time, so it is full and
 *       forgetting it is exact) is dropped. A new client is always given a bucket: at the bound,
 *       the least indebted clients are forgotten for it, debt and all ({@link #evictedClients}),
 *       except clients served from token leases that may still grant (at most 8 per tier), which
 *       may keep the tier above the bound by that many while they last.
 *   <li>Reconfiguration never stops traffic; each bucket keeps its fraction of tokens, and each
 *       concurrency level its permits out.
 * </ol>
 */
public final class Limiter {

  /*
   * Client buckets live in ClientTable (one slot of key hash and TAT each): full buckets (TAT in
   * the past) are forgotten exactly, and a size bound per tier caps memory under a flood of keys.
   * A decision on an existing client is one key hash, one probe, one clock read and one CAS per
   * level; once two threads contend for a tier or global bucket, most of its decisions are a CAS
   * on the thread's own lease cell instead (GcraBucket#take). Concurrency levels come after the
   * token levels, behind one null check: the permit table exists only once a spec has had a concurrency level.
   * Carrying state over to a new spec lives in Reconfiguration, called under this monitor; the
   * read-only views of the levels are built in LevelSnapshots.
   */

  private final Clock clock;
  private volatile Map<String, TierState> tiers;
  private volatile TierState defaultTier;
  private volatile GcraBucket global;
  private volatile LimiterSpec spec;
  private volatile PermitTable permits;

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
   * ({@code null} for the default tier). When a concurrency level applies and the request is
   * admitted, the decision carries a permit the caller must {@link #release} when the request
   * completes.
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
   * need only yes or no. A permit a concurrency level grants is released at once (the request
   * counts as complete on admission); callers that hold permits use {@link #tryConsumePermit}.
   *
   * @throws UnknownTierException if the tier does not exist
   * @throws IllegalArgumentException if {@code cost < 1} or {@code key} is null
   */
  public boolean tryConsume(String key, String tier, int cost) {
    long outcome = tryConsumePermit(key, tier, cost);
    if (outcome > 0) {
      permits.release(outcome);
    }
    return outcome >= 0;
  }

  /**
   * The decision of {@link #tryAcquire(String, String, int)} as one primitive, allocating nothing:
   * a permit ({@code > 0}) to {@link #release} when the request completes, 0 when admitted with no
   * concurrency level applying, or -1 when denied.
   *
   * @throws UnknownTierException if the tier does not exist
   * @throws IllegalArgumentException if {@code cost < 1} or {@code key} is null
   */
  public long tryConsumePermit(String key, String tier, int cost) {
    TierState t = tier(tier);
    checkArguments(key, cost);
    long now = clock.nanoTime();
    long outcome = consume(t, t.clients.hash(key, now), t.aggregate, global, now, cost);
    return outcome >= 0 ? outcome : -1;
  }

  /**
   * Releases the permit of a completed request, freeing its cost at every concurrency level it
   * holds; returns whether it did. Exactly once per permit: a permit already released or expired,
   * 0, or one this limiter did not issue returns {@code false} and changes nothing. Lock-free.
   */
  public boolean release(long permit) {
    PermitTable p = permits;
    return p != null && p.release(permit);
  }

  /**
   * Expires every permit whose deadline has passed and returns how many; decisions do this
   * themselves at most once per {@code min(permit timeout, 1 s)}, as does {@link #cleanUp}.
   */
  public int expirePermits() {
    PermitTable p = permits;
    return p == null ? 0 : p.expire(clock.nanoTime());
  }

  /** Returns how many permits have expired unreleased since this limiter was created. */
  public long expiredPermits() {
    PermitTable p = permits;
    return p == null ? 0 : p.expired();
  }

  private TierState tier(String name) {
    TierState t = name == null ? defaultTier : tiers.get(name);
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

  private Decision decide(TierState tier, String key, int cost) {
    checkArguments(key, cost);
    long now = clock.nanoTime();
    GcraBucket agg = tier.aggregate;
    GcraBucket glob = global;
    ClientTable clients = tier.clients;
    long client = clients.hash(key, now);
    long outcome = consume(tier, client, agg, glob, now, cost);
    if (outcome >= 0) {
      return Decisions.admitted(now, clients, client, agg, glob, outcome);
    }
    int code = (int) -outcome;
    if ((code & Decisions.IN_FLIGHT) == 0) {
      return Decisions.denied(code, now, cost, clients, client, agg, glob);
    }
    boolean atTier = Decisions.level(code) == Level.TIER;
    GcraBucket bucket = atTier ? agg : glob;
    return Decisions.inFlight(code, atTier ? tier.inFlight : permits.global,
        bucket != null ? bucket.limit() : clients.params(client).limit);
  }

  /** {@link #consume} outcome: every level admitted, no permit taken (a permit is {@code > 0}). */
  private static final long ADMITTED = 0;
  /**
   * Consumes from the client, tier and global levels in that order, then takes a permit from the
   * concurrency levels, refunding the token levels when a concurrency level denies. Returns a
   * permit, {@link #ADMITTED}, or minus a denial code: the denying level's
   * ordinal + 1, with {@link Decisions#NEVER} and {@link Decisions#IN_FLIGHT} as flags.
   */
  private long consume(TierState tier, long client, GcraBucket agg, GcraBucket glob, long now, int cost) {
    // Kept small so that the JIT inlines it into the decision (hand-written hot path): a limiter
    // with only client buckets, the common case, ends here; the other levels are consumeLevels.
    ClientTable clients = tier.clients;
    ClientGeneration cp;
    long cd;
    do {
      cp = clients.generation();
      cd = clients.take(client, now, cost, cp);
    } while (cd == GcraBucket.STALE);
    if (cd < 0) {
      return denial(Level.CLIENT, cd);
    }
    if (agg == null && glob == null && permits == null) {
      return ADMITTED;
    }
    return consumeLevels(tier, client, agg, glob, now, cost, cp, cd);
  }

  /** {@link #consume} after the client level admitted (debt {@code cd} in generation {@code cp}). */
  private long consumeLevels(TierState tier, long client, GcraBucket agg, GcraBucket glob, long now,
      int cost, ClientGeneration cp, long cd) {
    ClientTable clients = tier.clients;
    GcraBucket.Params ap = null;
    long ad = 0;
    if (agg != null) {
      do {
        ap = agg.params();
        ad = agg.take(now, cost, ap);
      } while (ad == GcraBucket.STALE);
      if (ad < 0) {
        clients.giveBack(client, clock, now, cd, cost, cp);
        return denial(Level.TIER, ad);
      }
    }
    GcraBucket.Params gp = null;
    long gd = 0;
    if (glob != null) {
      do {
        gp = glob.params();
        gd = glob.take(now, cost, gp);
      } while (gd == GcraBucket.STALE);
      if (gd < 0) {
        if (agg != null) {
          agg.giveBack(clock, now, ad, cost, ap);
        }
        clients.giveBack(client, clock, now, cd, cost, cp);
        return denial(Level.GLOBAL, gd);
      }
    }
    PermitTable p = permits;
    if (p == null) {
      return ADMITTED;
    }
    long permit = p.acquire(tier.inFlight, now, cost);
    if (permit >= 0) {
      return permit;
    }
    if (glob != null) {
      glob.giveBack(clock, now, gd, cost, gp);
    }
    if (agg != null) {
      agg.giveBack(clock, now, ad, cost, ap);
    }
    clients.giveBack(client, clock, now, cd, cost, cp);
    boolean atTier = permit == PermitTable.FULL_TIER || permit == PermitTable.NEVER_TIER;
    boolean never = permit == PermitTable.NEVER_TIER || permit == PermitTable.NEVER_GLOBAL;
    return -((atTier ? Level.TIER : Level.GLOBAL).ordinal() + 1 | Decisions.IN_FLIGHT | (never ? Decisions.NEVER : 0));
  }

  private static long denial(Level level, long code) {
    return -((level.ordinal() + 1) | (code == GcraBucket.NEVER ? Decisions.NEVER : 0));
  }

  /**
   * Returns the levels of client {@code key} in {@code tier} ({@code null} for the default)
   * without consuming anything or creating a bucket (an unknown client shows a full bucket).
   */
  public List<LevelState> levels(String key, String tier) {
    TierState t = tier(tier);
    long now = clock.nanoTime();
    return LevelSnapshots.levels(t, key, global, now);
  }

  /**
   * Returns every tier's aggregate level and the global level, and the cost in flight at each
   * concurrency level (a level that was removed shows while its permits are out), as they stand now.
   */
  public AggregateLevels aggregateLevels() {
    long now = clock.nanoTime();
    return LevelSnapshots.aggregateLevels(tiers.values(), global, permits, now);
  }

  /** Returns how many client buckets {@code tier} holds now (approximate under concurrency). */
  public long clientCount(String tier) {
    TierState t = tiers.get(tier);
    if (t == null) {
      throw new UnknownTierException(tier, tiers.keySet());
    }
    return t.clients.size();
  }

  /**
   * Returns how many clients of {@code tier} are served from token leases now: contended keys
   * (two threads deciding on one key at once), at most a few per tier.
   */
  public int leasedClientCount(String tier) {
    TierState t = tiers.get(tier);
    if (t == null) {
      throw new UnknownTierException(tier, tiers.keySet());
    }
    return t.clients.hotCount();
  }

  /**
   * Returns how many client buckets of {@code tier} the {@code maxClientsPerTier} bound has
   * forgotten while they still held debt, since the limiter was created. Each such client comes
   * back with a full bucket, so it may get up to that debt more than its limit; a count that keeps
   * rising means the bound is too small for the clients active within one refill time.
   */
  public long evictedClients(String tier) {
    TierState t = tiers.get(tier);
    if (t == null) {
      throw new UnknownTierException(tier, tiers.keySet());
    }
    return t.clients.evictedWithDebt();
  }

  /**
   * Forgets every client bucket that is full now (exact: a new bucket is full too) and enforces
   * the size bound; this otherwise happens as new clients arrive, at most once per idle expiry.
   * Also expires overdue permits ({@link #expirePermits}).
   */
  public void cleanUp() {
    long now = clock.nanoTime();
    for (TierState t : tiers.values()) {
      t.clients.sweep(now);
    }
    expirePermits();
  }

  /** Changes every client bucket of {@code tier} to {@code limit}, carrying tokens over proportionally. */
  public synchronized void setClientLimit(String tier, Limit limit) {
    apply(spec.withTier(Reconfiguration.requireTier(spec, tier).withPerClient(limit)));
  }

  /** Changes the aggregate limit of {@code tier} ({@code null} removes the level). */
  public synchronized void setTierLimit(String tier, Limit limit) {
    apply(spec.withTier(Reconfiguration.requireTier(spec, tier).withAggregate(limit)));
  }

  /** Changes the global limit ({@code null} removes the level). */
  public synchronized void setGlobalLimit(Limit limit) {
    apply(spec.withGlobal(limit));
  }

  /**
   * Switches to {@code next} while traffic runs. Buckets whose limit changes keep their fraction
   * of tokens; new tiers and levels start full; removed tiers stop accepting requests. Concurrency
   * levels keep counting the permits out: a lowered maximum admits nothing until the cost in flight
   * falls below it, and permits taken under a removed level still free their cost when released.
   */
  public synchronized void reconfigure(LimiterSpec next) {
    if (next == null) {
      throw new IllegalArgumentException("spec: null");
    }
    apply(next);
  }

  private synchronized void apply(LimiterSpec next) {
    long now = clock.nanoTime();
    Map<String, TierState> current = tiers;
    PermitTable p = Reconfiguration.permits(permits, current.values(), next);
    Map<String, TierState> updated = Reconfiguration.tiers(current, next, clock, now);
    global = TierState.reshape(global, next.global(), clock);
    spec = next;
    tiers = updated;
    defaultTier = updated.get(next.defaultTier());
    permits = p;
  }
}
