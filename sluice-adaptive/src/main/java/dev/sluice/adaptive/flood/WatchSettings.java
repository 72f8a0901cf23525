package dev.sluice.adaptive.flood;

/**
 * How the spike and drift watch of a {@link FloodResponse} runs ({@code adaptive.anomaly.watch}:
 * {@code enabled}, {@code interval}, {@code max-clients}, {@code spike-sigma}, {@code latch}).
 * Immutable; validated on construction.
 *
 * @param enabled whether spike and drift are watched at all (default on with the response)
 * @param interval windows per drift interval, and per client interval (default 10: 10 s with 1 s
 *     windows); a tier's spike detector scores every window
 * @param maxClients clients watched on their own at most, over all tiers (default 256)
 * @param spikeSigma the residual, in spreads, at which a spike scores 0.5 (default 4)
 * @param latch intervals a drift alarm keeps its score while the drift detectors re-learn the new
 *     level (default 30, their warm-up)
 */
public record WatchSettings(boolean enabled, int interval, int maxClients, double spikeSigma, int latch) {

  /** The defaults: on, 10 windows, 256 clients, 4σ, 30 intervals. */
  public static final WatchSettings DEFAULTS = new WatchSettings(true, 10, 256, 4, 30);

  /** Validates every field. */
  public WatchSettings {
    range("interval", interval, 1, 3600);
    range("max-clients", maxClients, 0, 4096);
    range("latch", latch, 1, 100_000);
    if (!(spikeSigma >= 1 && spikeSigma <= 20)) {
      throw new IllegalArgumentException("adaptive.anomaly.watch.spike-sigma: " + spikeSigma
          + " (expected: >= 1 and <= 20)");
    }
  }

  private static void range(String name, int v, int lo, int hi) {
    if (v < lo || v > hi) {
      throw new IllegalArgumentException("adaptive.anomaly.watch." + name + ": " + v + " (expected: >= " + lo
          + " and <= " + hi + ")");
    }
  }
}
