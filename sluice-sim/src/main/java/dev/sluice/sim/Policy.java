package dev.sluice.sim;

import dev.sluice.adaptive.AdaptiveSettings;
import java.util.List;
import java.util.Map;

/**
 * The policies a simulation compares. {@code static} is a token bucket at a fixed fraction of
 * nominal capacity; {@code static-best} the best fixed rate in hindsight from a sweep (see {@link
 * Experiment}); {@code oracle} sets the rate to the backend's true capacity times the scenario's
 * oracle utilisation at every second (simulation only: no real policy knows true capacity); {@code
 * netflix-gradient2} and {@code netflix-vegas} are Netflix's concurrency-limits algorithms as peers
 * ({@link Peers}); the others run the real control loop with the controllers named in {@link
 * #DEFAULT_CONTROLLERS} (a scenario may override them under {@code policies}). {@code seed} is the
 * seed's own combination (seed 003, section 4.3): the minimum of latency AIMD and error backoff;
 * {@code combined} is the same under its old name, which {@code all} runs and scenario overrides may
 * name. {@code default} is what {@code sluice serve} runs with {@code adaptive.enabled: true} and no
 * controller list ({@link AdaptiveSettings#DEFAULT_CONTROLLERS}); {@code adaptive} is an alias of it.
 * {@code predictive} is {@code default} with the predictive controller beside it ({@link
 * AdaptiveSettings#PREDICTIVE_CONTROLLERS}), run by name, not by {@code all}.
 * When the scenario enables {@code adaptive.anomaly}, every policy but the peers runs the flood
 * response in front of its limiter; {@code default-no-anomaly} is {@code default} without it, the
 * yardstick of the flood scenarios.
 */
public final class Policy {

  /** Every policy, in report order. */
  public static final List<String> ALL = List.of("static", "aimd", "gradient", "pi", "combined", "default", "oracle",
      "static-best", "netflix-gradient2", "netflix-vegas");

  /**
   * Names {@link #parse} accepts besides {@link #ALL}, run under their own name but not by {@code
   * all}: {@code seed} has the same controllers as {@code combined}, which {@code all} already runs;
   * {@code predictive} is the learning work's policy.
   */
  public static final List<String> EXTRA = List.of("seed", "predictive", "default-no-anomaly");

  /** The controllers of each adaptive policy unless a scenario says otherwise. */
  public static final Map<String, List<String>> DEFAULT_CONTROLLERS = defaults();

  /** In a fixed order (not {@code Map.of}'s per-run order), so anything that iterates it is repeatable. */
  private static Map<String, List<String>> defaults() {
    Map<String, List<String>> m = new java.util.LinkedHashMap<>();
    m.put("aimd", List.of("latency-aimd"));
    m.put("gradient", List.of("gradient"));
    m.put("pi", List.of("pi"));
    m.put("combined", AdaptiveSettings.SEED_CONTROLLERS);
    m.put("seed", AdaptiveSettings.SEED_CONTROLLERS);
    m.put("default", AdaptiveSettings.DEFAULT_CONTROLLERS);
    m.put("predictive", AdaptiveSettings.PREDICTIVE_CONTROLLERS);
    m.put("default-no-anomaly", AdaptiveSettings.DEFAULT_CONTROLLERS);
    return java.util.Collections.unmodifiableMap(m);
  }

  private Policy() {}

  /**
   * Parses policy names ({@link #ALL} and {@link #EXTRA}; {@code adaptive} is read as {@code
   * default}), comma-separated, or {@code all}.
   */
  public static List<String> parse(String spec) {
    if (spec == null || spec.isBlank() || spec.strip().equals("all")) {
      return ALL;
    }
    List<String> out = new java.util.ArrayList<>();
    for (String s : spec.split(",")) {
      String p = s.strip();
      if (p.equals("adaptive")) {
        p = "default";
      }
      if (!ALL.contains(p) && !EXTRA.contains(p)) {
        List<String> names = new java.util.ArrayList<>(ALL);
        names.addAll(EXTRA);
        throw new IllegalArgumentException("policy: " + s.strip() + " (expected: one of " + names + ", or all)");
      }
      if (!out.contains(p)) {
        out.add(p);
      }
    }
    return List.copyOf(out);
  }
}
