package dev.sluice.adaptive;

import java.util.Map;

/**
 * What the control loop measured over one control interval, plus the few longer-window values
 * controllers need (the error ratio over a sliding window, the minimum RTT over a long window, the
 * previous interval's p95). Latencies are milliseconds and {@code NaN} when the interval saw no
 * responses.
 *
 * @param nowNanos the instant the interval ended
 * @param intervalNanos the interval's length
 * @param admitted requests admitted in the interval
 * @param denied requests denied in the interval
 * @param admittedCost tokens admitted in the interval
 * @param demandCost tokens asked for in the interval, admitted or not
 * @param responses upstream responses in the interval (the latency sample count)
 * @param status2xx responses with a 1xx-3xx status
 * @param status4xx responses with a 4xx status
 * @param status5xx responses with a 5xx status, timeouts included
 * @param p50Millis median upstream latency
 * @param p95Millis 95th percentile upstream latency
 * @param p99Millis 99th percentile upstream latency
 * @param previousP95Millis the previous interval's p95, {@code NaN} if unknown
 * @param minRttMillis the smallest interval median over the minimum-RTT window
 * @param errorRatio 5xx responses over all responses in the sliding error window, 0 when empty
 * @param errorWindowResponses responses in the sliding error window
 * @param tierTokens tokens in each aggregate bucket now, by tier name, {@code global} for the
 *     global bucket
 * @param tierDemand tokens asked for in the interval, by tier name
 */
public record Signals(
    long nowNanos,
    long intervalNanos,
    long admitted,
    long denied,
    long admittedCost,
    long demandCost,
    long responses,
    long status2xx,
    long status4xx,
    long status5xx,
    double p50Millis,
    double p95Millis,
    double p99Millis,
    double previousP95Millis,
    double minRttMillis,
    double errorRatio,
    long errorWindowResponses,
    Map<String, Long> tierTokens,
    Map<String, Long> tierDemand) {

  /** Copies the maps and requires a positive interval. */
  public Signals {
    if (intervalNanos <= 0) {
      throw new IllegalArgumentException("interval: " + intervalNanos + "ns (expected: > 0)");
    }
    tierTokens = tierTokens == null ? Map.of() : Map.copyOf(tierTokens);
    tierDemand = tierDemand == null ? Map.of() : Map.copyOf(tierDemand);
  }

  /** Returns the tokens asked for per second over the interval. */
  public double demandRate() {
    return demandCost * 1e9 / intervalNanos;
  }

  /** Returns the tokens admitted per second over the interval. */
  public double admittedRate() {
    return admittedCost * 1e9 / intervalNanos;
  }

  /**
   * Returns signals with only latency and error fields set, for tests and examples: the given
   * quantiles, {@code responses} samples and the error ratio over as many window responses.
   */
  public static Signals ofLatency(double p50, double p95, double p99, long responses, double errorRatio) {
    return new Signals(0, 5_000_000_000L, responses, 0, responses, responses, responses,
        responses, 0, 0, p50, p95, p99, Double.NaN, p50, errorRatio, responses, Map.of(), Map.of());
  }

  /** Returns a copy with the previous p95 and minimum RTT replaced. */
  public Signals withHistory(double previousP95, double minRtt) {
    return new Signals(nowNanos, intervalNanos, admitted, denied, admittedCost, demandCost, responses,
        status2xx, status4xx, status5xx, p50Millis, p95Millis, p99Millis, previousP95, minRtt,
        errorRatio, errorWindowResponses, tierTokens, tierDemand);
  }
}
