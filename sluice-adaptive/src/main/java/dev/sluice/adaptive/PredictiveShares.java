package dev.sluice.adaptive;

import dev.sluice.core.Limit;
import dev.sluice.core.LimiterSpec;
import dev.sluice.core.TierSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the {@link ControlLoop} applies from the {@link PredictiveController}'s tier and heavy-client
 * forecasts: the tiers' aggregate rates ({@link TierRates}) and the heavy clients' per-client
 * overrides. Functions of their arguments and the controller's last run; called on the loop's thread.
 */
final class PredictiveShares {

  private PredictiveShares() {}

  /**
   * Returns the aggregate rate of each tier from the predictive controller's tier forecasts ({@link
   * TierRates}), sharing what the tiers with an aggregate get at {@code factor} (their configured
   * rates scaled like the global level); empty without per-tier allocation, forecasts, or with fewer
   * than two such tiers (one tier's rate is the whole pool).
   */
  static Map<String, Double> tierRates(PredictiveController predictive, LimiterSpec base, LimiterSpec current,
      double factor) {
    if (predictive == null || !predictive.settings().allocation().tiers()) {
      return Map.of();
    }
    Map<String, Double> targets = predictive.tierTargets();
    List<String> names = new ArrayList<>();
    for (TierSpec t : current.tiers().values()) {
      TierSpec b = base.tiers().get(t.name());
      if (b != null && b.aggregate() != null) {
        names.add(t.name());
      }
    }
    if (targets.isEmpty() || names.size() < 2) {
      return Map.of();
    }
    double[] weights = new double[names.size()];
    double[] wants = new double[names.size()];
    double total = 0;
    for (int i = 0; i < weights.length; i++) {
      weights[i] = base.tiers().get(names.get(i)).aggregate().rate().perSecond();
      wants[i] = byTier(targets, names.get(i), current, Double.NaN);
      total += weights[i] * factor;
    }
    PredictiveSettings.Allocation a = predictive.settings().allocation();
    double[] rates = TierRates.allocate(total, weights, wants, a.floor(), a.ceiling());
    Map<String, Double> out = new LinkedHashMap<>();
    for (int i = 0; i < rates.length; i++) {
      out.put(names.get(i), rates[i]);
    }
    return out;
  }

  /**
   * Returns tier {@code name}'s value in {@code m}; the default tier's is also found under the name
   * the signal collector gives decisions that name no tier ({@code default}).
   */
  static <V> V byTier(Map<String, V> m, String name, LimiterSpec spec, V none) {
    V v = m.get(name);
    if (v == null && name.equals(spec.defaultTier()) && !spec.tiers().containsKey("default")) {
      v = m.get("default");
    }
    return v == null ? none : v;
  }

  /**
   * Returns the per-client overrides of a tier whose clients' limit is {@code perClient}: each heavy
   * client's target within {@code [perClient, ceiling × perClient]} (rates; the burst scales with
   * the rate, at least the tier's), so an override never refuses what the tier's limit admits and
   * the tier and global levels still bound the total. A client without a target, or whose target is
   * not above the tier's limit, has no override.
   */
  static Map<String, Limit> clientLimits(PredictiveController predictive, Limit perClient,
      Map<String, Double> targets, long floor) {
    double configured = perClient.rate().perSecond();
    double ceiling = predictive.settings().allocation().ceiling();
    Map<String, Limit> out = new LinkedHashMap<>();
    for (Map.Entry<String, Double> e : targets.entrySet()) {
      double rate = Math.min(ceiling * configured, e.getValue());
      if (rate > configured) {
        long burst = Math.max(Math.max(floor, perClient.burst()), Math.round(perClient.burst() * rate / configured));
        out.put(e.getKey(), Limit.of(burst, ControlLoop.toRate(rate)));
      }
    }
    return out;
  }
}
