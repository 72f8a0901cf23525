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
 */
public record PredictiveSettings(Duration period, String mode, String forecaster, double headroom,
    Duration budget, int history, int minHistory, double minRate, double maxRate, String models, Retrain retrain) {

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
      1.2, Duration.ofMillis(2), 300, 30, 0, Double.POSITIVE_INFINITY, null, null);

  /** Settings without a registry or a retrain. */
  public PredictiveSettings(Duration period, String mode, String forecaster, double headroom, Duration budget,
      int history, int minHistory, double minRate, double maxRate) {
    this(period, mode, forecaster, headroom, budget, history, minHistory, minRate, maxRate, null, null);
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
        models, retrain);
  }
}
