package dev.sluice.adaptive;

import java.time.Duration;

/**
 * Parameters of the {@code predictive} controller ({@link PredictiveController}); the {@code
 * adaptive.predictive} section of a config or scenario file.
 *
 * @param period how often it forecasts (default 1 s: every interval)
 * @param mode {@code lift} (default): the demand gate lets the rate grow to the forecast even when
 *     the last interval asked for less (ramp limit, warm-up and the other controllers' minimum
 *     still apply); {@code cap}: the forecast is a proposal like any other, so the minimum makes it
 *     a ceiling
 * @param forecaster the online forecaster: {@code holt} (default: damped Holt, refit on the
 *     history every interval), {@code ewma}, or {@code model} (the registry's active model)
 * @param headroom the forecast's upper bound is multiplied by this (default 1.2)
 * @param budget the most time one forecast may take (default 2 ms); a slower one is discarded
 * @param history how many windows of demand the forecaster sees (default 300)
 * @param minHistory how many windows it needs before it forecasts at all (default 30)
 * @param minRate the smallest rate it proposes or lifts to, tokens per second (default 0)
 * @param maxRate the largest, tokens per second (default +∞; the loop's caps apply as well)
 * @param models the model registry directory the {@code model} forecaster and the admin API use,
 *     or {@code null} for none
 * @param retrain the periodic retrain, or {@code null} for none
 * @param allocation how the controlled rate is shared among tiers and heavy clients from their own
 *     forecasts (the {@code allocation} subsection)
 */
public record PredictiveSettings(Duration period, String mode, String forecaster, double headroom,
    Duration budget, int history, int minHistory, double minRate, double maxRate, String models, Retrain retrain,
    Allocation allocation) {

  /**
   * Per-tier and per-heavy-client rates from their own forecasts ({@link TierRates}, {@link
   * HeavyClients}).
   *
   * @param tiers whether each tier's aggregate rate follows its own forecast (default true); when
   *     false the tiers are scaled from the controlled rate by their configured shares
   * @param floor a tier's rate is at least this fraction of its configured share of the controlled
   *     rate, whatever its forecast (default 0.5)
   * @param ceiling and at most this multiple of it (default 4; the controlled rate bounds it too)
   * @param heavyClients how many of the heaviest clients by recent demand get a per-client rate
   *     from their own forecast (default 32; 0 disables)
   */
  public record Allocation(boolean tiers, double floor, double ceiling, int heavyClients) {
    /** Validates every parameter. */
    public Allocation {
      String p = "adaptive.predictive.allocation.";
      Check.range(p + "floor", floor, 0, 1, false, false);
      Check.range(p + "ceiling", ceiling, 1, 1_000, false, false);
      if (heavyClients < 0 || heavyClients > HeavyClients.MAX_K) {
        throw new IllegalArgumentException(p + "heavy-clients: " + heavyClients + " (expected: 0 to "
            + HeavyClients.MAX_K + ")");
      }
    }

    /** The defaults above. */
    public static final Allocation DEFAULTS = new Allocation(true, 0.5, 4, 32);
  }

  /**
   * A periodic retrain on the request log: a new version is activated only if its backtest beats the
   * active one.
   *
   * @param every how often (e.g. 24 h)
   * @param logs the request log file or directory to train on
   * @param days how many of the last days of log to use
   */
  public record Retrain(Duration every, String logs, int days) {
    /** Validates every parameter. */
    public Retrain {
      Check.positive("adaptive.predictive.retrain.every", every);
      if (logs == null || logs.isBlank()) {
        throw new IllegalArgumentException("adaptive.predictive.retrain.logs: missing (expected: a request log path)");
      }
      if (days < 1) {
        throw new IllegalArgumentException("adaptive.predictive.retrain.days: " + days + " (expected: >= 1)");
      }
    }
  }

  /** The modes. */
  public static final java.util.List<String> MODES = java.util.List.of("lift", "cap");

  /** The forecaster names. */
  public static final java.util.List<String> FORECASTERS = java.util.List.of("holt", "ewma", "model");

  /** The defaults above. */
  public static final PredictiveSettings DEFAULTS = new PredictiveSettings(Duration.ofSeconds(1), "lift", "holt",
      1.2, Duration.ofMillis(2), 300, 30, 0, Double.POSITIVE_INFINITY, null, null, Allocation.DEFAULTS);

  /** Settings without a registry or a retrain. */
  public PredictiveSettings(Duration period, String mode, String forecaster, double headroom, Duration budget,
      int history, int minHistory, double minRate, double maxRate) {
    this(period, mode, forecaster, headroom, budget, history, minHistory, minRate, maxRate, null, null);
  }

  /** Settings with the default allocation. */
  public PredictiveSettings(Duration period, String mode, String forecaster, double headroom, Duration budget,
      int history, int minHistory, double minRate, double maxRate, String models, Retrain retrain) {
    this(period, mode, forecaster, headroom, budget, history, minHistory, minRate, maxRate, models, retrain,
        Allocation.DEFAULTS);
  }

  /** Validates every parameter. */
  public PredictiveSettings {
    String p = "adaptive.predictive.";
    Check.positive(p + "period", period);
    if (!MODES.contains(mode)) {
      throw new IllegalArgumentException(p + "mode: " + mode + " (expected: one of " + MODES + ")");
    }
    if (!FORECASTERS.contains(forecaster)) {
      throw new IllegalArgumentException(p + "forecaster: " + forecaster + " (expected: one of " + FORECASTERS
          + ")");
    }
    Check.range(p + "headroom", headroom, 1, 10, false, false);
    Check.positive(p + "budget", budget);
    if (minHistory < 2) {
      throw new IllegalArgumentException(p + "min-history: " + minHistory + " (expected: >= 2)");
    }
    if (history < minHistory) {
      throw new IllegalArgumentException(p + "history: " + history + " (expected: >= min-history " + minHistory
          + ")");
    }
    Check.nonNegative(p + "min-rate", minRate);
    if (!(maxRate > minRate)) {
      throw new IllegalArgumentException(p + "max-rate: " + maxRate + " (expected: > min-rate " + minRate + ")");
    }
    if (forecaster.equals("model") && models == null) {
      throw new IllegalArgumentException(p + "forecaster: model (expected: adaptive.predictive.models set to the"
          + " model registry directory)");
    }
    if (allocation == null) {
      allocation = Allocation.DEFAULTS;
    }
    if (retrain != null && models == null) {
      throw new IllegalArgumentException(p + "retrain: set (expected: adaptive.predictive.models set, where new"
          + " versions go)");
    }
  }

  /** Returns whether the forecast lifts the gate and ramp rather than capping the rate. */
  public boolean lifts() {
    return mode.equals("lift");
  }

  /** Returns a copy in another mode. */
  public PredictiveSettings withMode(String next) {
    return new PredictiveSettings(period, next, forecaster, headroom, budget, history, minHistory, minRate, maxRate,
        models, retrain, allocation);
  }

  /** Returns a copy with another allocation. */
  public PredictiveSettings withAllocation(Allocation next) {
    return new PredictiveSettings(period, mode, forecaster, headroom, budget, history, minHistory, minRate, maxRate,
        models, retrain, next);
  }
}
