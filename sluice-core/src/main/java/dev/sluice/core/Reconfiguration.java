package dev.sluice.core;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * How a {@link Limiter} carries its state over to a new {@link LimiterSpec} while traffic runs:
 * buckets whose limit changes keep their fraction of tokens, new tiers and levels start full, and
 * concurrency levels keep counting the permits out. Static helpers the limiter calls under its
 * monitor, off the decision path; they build or update state but publish nothing (the limiter
 * then writes its volatile fields). Stateless.
 */
final class Reconfiguration {

  private Reconfiguration() {}

  /** Returns the tier {@code tier} of {@code s}, or throws {@link UnknownTierException}. */
  static TierSpec requireTier(LimiterSpec s, String tier) {
    TierSpec t = s.tiers().get(tier);
    if (t == null) {
      throw new UnknownTierException(tier, s.tiers().keySet());
    }
    return t;
  }

  /**
   * Returns the permit table for {@code next}: {@code null} while no spec has had a concurrency
   * level, else {@code current} (or a new table) grown to hold every permit {@code next}'s levels
   * can hold plus those still out under {@code tiers} and the global level, with {@code next}'s
   * permit timeout and global maximum. The tiers' maxima are set later, by {@link #tiers}.
   */
  static PermitTable permits(PermitTable current, Collection<TierState> tiers, LimiterSpec next) {
    PermitTable p = current;
    if (p != null || next.hasConcurrency()) {
      p = p == null ? new PermitTable() : p;
      // Room for every permit the new levels can hold, plus those still out, before any maximum rises.
      long slots = p.global.cost();
      for (TierState t : tiers) {
        slots = Saturating.add(slots, t.inFlight.cost());
      }
      long bound = next.concurrency(); // each permit costs at least 1
      for (TierSpec ts : bound > 0 ? List.<TierSpec>of() : next.tiers().values()) {
        bound = Saturating.add(bound, ts.concurrency());
      }
      p.ensureCapacity(Saturating.add(slots, bound));
      p.timeout(next.permitTimeout());
      p.global.max(next.concurrency());
    }
    return p;
  }

  /**
   * Returns {@code next}'s tiers in its order, unmodifiable: a tier {@code current} has is updated
   * in place ({@link TierState#update}), a new one starts full at {@code now}; tiers {@code next}
   * lacks are left out, so they stop accepting requests.
   */
  static Map<String, TierState> tiers(Map<String, TierState> current, LimiterSpec next, Clock clock, long now) {
    Map<String, TierState> updated = new LinkedHashMap<>();
    for (TierSpec ts : next.tiers().values()) {
      TierState t = current.get(ts.name());
      if (t == null) {
        t = new TierState(ts, next, clock, now);
      } else {
        t.update(ts, next, now);
      }
      updated.put(ts.name(), t);
    }
    return Collections.unmodifiableMap(updated);
  }
}
