package dev.sluice.core;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Read-only views of a {@link Limiter}'s levels, for the admin API and metrics: each built from the
 * levels the limiter hands over and one clock reading, without consuming anything or creating a
 * bucket. Off the decision path. Stateless.
 */
final class LevelSnapshots {

  private LevelSnapshots() {}

  /**
   * Returns the client level of {@code key} in tier {@code t} (an unknown client shows a full
   * bucket), the tier's aggregate level if it has one, and the global level {@code glob} unless it
   * is {@code null}, as they stand at {@code now}.
   */
  static List<LevelState> levels(TierState t, String key, GcraBucket glob, long now) {
    List<LevelState> out = new ArrayList<>(3);
    long client = t.clients.hash(key);
    GcraBucket.Params p = t.clients.params(client);
    long debt = GcraBucket.debt(t.clients.tat(client), now);
    out.add(new LevelState(Level.CLIENT, p.limit, p.tokens(debt), debt));
    GcraBucket agg = t.aggregate;
    if (agg != null) {
      out.add(state(Level.TIER, agg, now));
    }
    if (glob != null) {
      out.add(state(Level.GLOBAL, glob, now));
    }
    return out;
  }

  /**
   * Returns the aggregate level of each of {@code tiers} that has one, the global level {@code
   * glob}, and the cost in flight at each concurrency level of {@code tiers} and of {@code p} (a
   * level whose maximum is 0 shows while its permits are out), as they stand at {@code now}.
   */
  static AggregateLevels aggregateLevels(Collection<TierState> tiers, GcraBucket glob, PermitTable p, long now) {
    Map<String, LevelState> out = new LinkedHashMap<>();
    Map<String, InFlight> inFlight = new LinkedHashMap<>();
    for (TierState t : tiers) {
      GcraBucket agg = t.aggregate;
      if (agg != null) {
        out.put(t.name, state(Level.TIER, agg, now));
      }
      if (t.inFlight.max() > 0 || t.inFlight.cost() > 0) {
        inFlight.put(t.name, t.inFlight.snapshot());
      }
    }
    InFlight g = p == null || p.global.max() == 0 && p.global.cost() == 0 ? null : p.global.snapshot();
    return new AggregateLevels(out, glob == null ? null : state(Level.GLOBAL, glob, now), inFlight, g);
  }

  private static LevelState state(Level level, GcraBucket b, long now) {
    return new LevelState(level, b.limit(), b.tokens(now), b.resetNanos(now));
  }
}
