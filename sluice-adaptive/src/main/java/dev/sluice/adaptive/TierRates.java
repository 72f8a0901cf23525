package dev.sluice.adaptive;

/**
 * Shares a controlled rate among tiers from their own forecasts: the pure function the {@link
 * ControlLoop} applies when the {@link PredictiveController} forecasts per tier.
 *
 * <p>Each tier {@code t} has a weight {@code w_t} (its configured aggregate rate, normalised), so its
 * configured share of the controlled rate {@code R} is {@code w_t × R}: what the loop gives it
 * without forecasts. Its caps are {@code [floor × w_t × R, min(R, ceiling × w_t × R)]}. With a
 * forecast target (the upper quantile times the headroom) the tier <em>wants</em> that target
 * within its caps; without one (warming up, or the model fell back) it wants its configured share.
 * Then:
 * <ol>
 *   <li>{@code R} is filled by weight up to each tier's want (weighted max-min: a tier that wants
 *       less than its weighted part gets its want, the rest is shared by weight among the others),
 *       so when the wants together exceed {@code R} the tiers that want more than their share split
 *       what is left in proportion to their weights;
 *   <li>what is still left (the wants together are below {@code R}) is filled by weight up to each
 *       tier's upper cap, so the sum stays {@code R} and a tier's surprise surge still finds room.
 * </ol>
 * The rates therefore sum to {@code R} (unless every tier is at its upper cap), which is at most the
 * capacity controller's limit, and with no forecast at all they are exactly the configured shares.
 */
public final class TierRates {

  private TierRates() {}

  /**
   * Returns each tier's rate.
   *
   * @param total the controlled rate {@code R}, tokens per second
   * @param weights each tier's configured aggregate rate (any positive scale)
   * @param targets each tier's forecast target, tokens per second; {@code NaN} for none
   * @param floor the lower cap as a fraction of the configured share, in [0, 1]
   * @param ceiling the upper cap as a multiple of the configured share, at least 1
   */
  public static double[] allocate(double total, double[] weights, double[] targets, double floor, double ceiling) {
    int n = weights.length;
    if (targets.length != n) {
      throw new IllegalArgumentException("tier rates: " + n + " weights and " + targets.length + " targets");
    }
    double sum = 0;
    for (double w : weights) {
      if (!(w > 0)) {
        throw new IllegalArgumentException("tier rates: weight " + w + " (expected: > 0)");
      }
      sum += w;
    }
    double[] w = new double[n];
    double[] want = new double[n];
    double[] room = new double[n];
    for (int i = 0; i < n; i++) {
      w[i] = weights[i] / sum;
      double share = w[i] * total;
      double hi = Math.min(total, ceiling * share);
      room[i] = hi;
      want[i] = Double.isNaN(targets[i]) ? share : Math.max(floor * share, Math.min(hi, targets[i]));
    }
    double[] rates = fill(total, w, want);
    double left = total;
    for (int i = 0; i < n; i++) {
      left -= rates[i];
      room[i] = Math.max(0, room[i] - rates[i]);
    }
    if (left > total * 1e-12) {
      double[] extra = fill(left, w, room);
      for (int i = 0; i < n; i++) {
        rates[i] += extra[i];
      }
    }
    return rates;
  }

  /**
   * Weighted max-min fill: shares {@code total} in proportion to {@code w}, none above its cap, and
   * gives what a capped tier leaves to the others by weight; every cap when they sum to less.
   */
  static double[] fill(double total, double[] w, double[] caps) {
    int n = w.length;
    double[] out = new double[n];
    boolean[] done = new boolean[n];
    double left = total;
    boolean changed = true;
    while (changed) {
      changed = false;
      double weight = 0;
      for (int i = 0; i < n; i++) {
        if (!done[i]) {
          weight += w[i];
        }
      }
      if (weight <= 0) {
        return out;
      }
      double level = left / weight;
      for (int i = 0; i < n; i++) {
        if (!done[i] && caps[i] <= level * w[i]) {
          out[i] = caps[i];
          left -= caps[i];
          done[i] = true;
          changed = true;
        }
      }
      if (!changed) {
        for (int i = 0; i < n; i++) {
          if (!done[i]) {
            out[i] = level * w[i];
          }
        }
      }
    }
    return out;
  }
}
