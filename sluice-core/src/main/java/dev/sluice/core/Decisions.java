package dev.sluice.core;

/**
 * Builds a {@link Limiter}'s decisions from its levels once the outcome is known, and defines the
 * denial codes its decision path passes here: the denying level's ordinal + 1, with the flags
 * {@link #NEVER} and {@link #IN_FLIGHT}. Stateless.
 */
final class Decisions {

  /** Denial flag: the denying level can never admit (end of the clock's range, or cost above max). */
  static final int NEVER = 8;
  /** Denial flag: a concurrency level denied. */
  static final int IN_FLIGHT = 32;

  private static final Level[] LEVELS = Level.values();

  private Decisions() {}

  /** Returns the level a denial code names. */
  static Level level(int code) {
    return LEVELS[(code & 7) - 1];
  }

  /**
   * Builds the decision of an admitted request from the levels as they stand at {@code now}:
   * the tightest level's view (under concurrency, other requests may already have taken more).
   */
  static Decision admitted(long now, ClientTable clients, long client, GcraBucket agg, GcraBucket glob,
      long permit) {
    GcraBucket.Params cp = clients.params(client);
    long clientDebt = GcraBucket.debt(clients.tat(client), now);
    GcraBucket tightest = null;
    Level level = Level.CLIENT;
    long remaining = cp.tokens(clientDebt);
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
    return new Decision(true, remaining, 0, tightest == null ? clientDebt : tightest.resetNanos(now), level,
        tightest == null ? cp.limit : tightest.limit(), Decision.Reason.ADMITTED, permit);
  }

  /**
   * Builds the decision of a denied request. Retry-after is the longest wait any level needs for
   * this cost, so that retrying then will not be denied by another level.
   */
  static Decision denied(int code, long now, int cost, ClientTable clients, long client, GcraBucket agg,
      GcraBucket glob) {
    Level level = level(code);
    GcraBucket.Params cp = clients.params(client);
    long clientDebt = GcraBucket.debt(clients.tat(client), now);
    // A cost above any level's burst can never pass: say so, whichever level ran out first.
    if (cp.burst < cost) {
      return new Decision(false, cp.tokens(clientDebt), Long.MAX_VALUE, clientDebt, Level.CLIENT, cp.limit,
          Decision.Reason.COST_EXCEEDS_BURST);
    }
    GcraBucket never = agg != null && agg.params().burst < cost ? agg
        : glob != null && glob.params().burst < cost ? glob : null;
    if (never != null) {
      Level at = never == agg ? Level.TIER : Level.GLOBAL;
      return new Decision(false, never.tokens(now), Long.MAX_VALUE, never.resetNanos(now), at, never.limit(),
          Decision.Reason.COST_EXCEEDS_BURST);
    }
    long wait = (code & NEVER) != 0 ? Long.MAX_VALUE : 0;
    long costNanos = Saturating.multiply(cost, cp.interval);
    wait = Math.max(wait, Math.max(0, Saturating.add(clientDebt, costNanos) - cp.capacityNanos));
    if (agg != null) {
      wait = Math.max(wait, agg.waitNanos(now, cost));
    }
    if (glob != null) {
      wait = Math.max(wait, glob.waitNanos(now, cost));
    }
    // A concurrent refund may make every level look ready again; retrying is then right at once,
    // but "0" would read as "allowed", so say the smallest real wait.
    wait = Math.max(wait, 1);
    if (level == Level.CLIENT) {
      return new Decision(false, cp.tokens(clientDebt), wait, clientDebt, level, cp.limit, Decision.Reason.EXHAUSTED);
    }
    GcraBucket denier = level == Level.TIER ? agg : glob;
    return new Decision(false, denier.tokens(now), wait, denier.resetNanos(now), level, denier.limit(),
        Decision.Reason.EXHAUSTED);
  }

  /**
   * Builds the decision of a request a concurrency level denied: that level, the cost still free
   * there, retry in {@link Decision#IN_FLIGHT_RETRY_NANOS} (never, with {@link #NEVER}), and as
   * limit {@code limit}: the level's token limit or, when it has none, the client's.
   */
  static Decision inFlight(int code, PermitTable.Counter level, Limit limit) {
    return new Decision(false, Math.max(0, level.max() - level.cost()),
        (code & NEVER) != 0 ? Long.MAX_VALUE : Decision.IN_FLIGHT_RETRY_NANOS, 0, level(code),
        limit, Decision.Reason.IN_FLIGHT);
  }
}
