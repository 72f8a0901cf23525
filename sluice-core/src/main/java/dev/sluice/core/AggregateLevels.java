package dev.sluice.core;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The shared levels of a limiter at one instant: each tier's aggregate bucket and the global one,
 * and the concurrency levels' cost in flight, as the store that enforces them holds them. What the
 * control loop's signals and the bucket gauges read; client buckets are not included (there may be
 * millions).
 *
 * @param tiers the aggregate level of each tier that has one, by tier name, in spec order
 * @param global the global level, or {@code null} when the spec has none
 * @param tiersInFlight the concurrency level of each tier that has one (or still has permits out
 *     after its level was removed), by tier name, in spec order
 * @param globalInFlight the global concurrency level, or {@code null} when there is none
 */
public record AggregateLevels(Map<String, LevelState> tiers, LevelState global,
    Map<String, InFlight> tiersInFlight, InFlight globalInFlight) {

  /** Nothing known: no tier aggregates and no global level (e.g. when the store did not answer). */
  public static final AggregateLevels NONE = new AggregateLevels(Map.of(), null);

  /** Copies the maps, keeping their order. */
  public AggregateLevels {
    tiers = tiers == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(tiers));
    tiersInFlight = tiersInFlight == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(tiersInFlight));
  }

  /** Token levels only, no concurrency level. */
  public AggregateLevels(Map<String, LevelState> tiers, LevelState global) {
    this(tiers, global, Map.of(), null);
  }

  /** Returns the aggregate level of {@code tier}, or {@code null} if it has none (or is unknown). */
  public LevelState tier(String tier) {
    return tiers.get(tier);
  }

  /** Returns the concurrency level of {@code tier}, or {@code null} if it has none (or is unknown). */
  public InFlight tierInFlight(String tier) {
    return tiersInFlight.get(tier);
  }
}
