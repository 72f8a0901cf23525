package dev.sluice.adaptive;

import java.util.Map;

/**
 * What the control loop measured over one control interval, plus the few longer-window values
 * controllers need (the error ratio over a sliding window, the minimum RTT over a long window, the
 * previous interval's p95, the capacity estimate). Latencies are milliseconds <em>per token</em> of
 * the request's cost (a request of cost 1 contributes its latency; see {@link
 * SignalCollector#recordResponse(long, int, int)}) and {@code NaN} when the interval saw no
 * responses.
 *
 * @param nowNanos the instant the interval ended
 * @param intervalNanos the interval's length
 * @param admitted requests admitted in the interval
 * @param denied requests denied in the interval
 * @param admittedCost tokens admitted in the interval
 * @param demandCost tokens asked for in the interval that passed the per-client limits (admitted,
 *     or denied by an aggregate level): the demand the controlled rate could serve
 * @param responses upstream responses in the interval (the latency sample count)
 * @param status2xx responses with a 1xx-3xx status
 * @param status4xx responses with a 4xx status
 * @param status5xx responses with a 5xx status, timeouts included
 * @param p50Millis median upstream latency per token
 * @param p95Millis 95th percentile upstream latency per token
 * @param p99Millis 99th percentile upstream latency per token
 * @param previousP95Millis the previous interval's p95, {@code NaN} if unknown
 * @param minRttMillis the smallest interval median over the minimum-RTT window
 * @param errorRatio 5xx responses over all responses in the sliding error window, 0 when empty
 * @param errorWindowResponses responses in the sliding error window
 * @param tierTokens tokens in each aggregate bucket now, by tier name, {@code global} for the
 *     global bucket
 * @param tierDemand tokens asked for in the interval that passed the per-client limits, by tier
 * @param timeouts responses in the interval that were timeouts (status 504)
 * @param completedCost tokens of the responses in the interval that the backend served (status
 *     below 500): the work it delivered
 * @param respondedCost tokens of every response in the interval, 5xx and timeouts included
 * @param deliveryRate the {@link CapacityEstimator}'s delivery rate: the largest per-interval
 *     completed tokens per second over its window, {@code NaN} before the first response
 * @param baseRttMillis the {@link CapacityEstimator}'s base RTT per token, {@code NaN} before the
 *     first healthy interval
 * @param costSpread the cost-weighted mean cost of the interval's served requests, {@code Σc² ÷ Σc}
 *     (1 when every request costs 1 or none was served): a request of cost c is in flight c times
 *     as long as one token, so the cost in flight is the per-token figure times this
 * @param clientDemand tokens each of the interval's heaviest clients asked for (admitted or denied
 *     at any level), by tier and client key, from the collector's bounded {@link ClientDemand}
 *     table; empty when the collector does not track clients
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
    Map<String, Long> tierDemand,
    long timeouts,
    long completedCost,
    long respondedCost,
    double deliveryRate,
    double baseRttMillis,
    double costSpread,
    Map<String, Map<String, Long>> clientDemand) {

  /** Signals without per-client demand. */
  public Signals(long nowNanos, long intervalNanos, long admitted, long denied, long admittedCost, long demandCost,
      long responses, long status2xx, long status4xx, long status5xx, double p50Millis, double p95Millis,
      double p99Millis, double previousP95Millis, double minRttMillis, double errorRatio, long errorWindowResponses,
      Map<String, Long> tierTokens, Map<String, Long> tierDemand, long timeouts, long completedCost,
      long respondedCost, double deliveryRate, double baseRttMillis, double costSpread) {
    this(nowNanos, intervalNanos, admitted, denied, admittedCost, demandCost, responses, status2xx, status4xx,
        status5xx, p50Millis, p95Millis, p99Millis, previousP95Millis, minRttMillis, errorRatio,
        errorWindowResponses, tierTokens, tierDemand, timeouts, completedCost, respondedCost, deliveryRate,
        baseRttMillis, costSpread, Map.of());
  }

  /** Copies the maps and requires a positive interval. */
  public Signals {
    if (intervalNanos <= 0) {
      throw new IllegalArgumentException("interval: " + intervalNanos + "ns (expected: > 0)");
    }
    tierTokens = tierTokens == null ? Map.of() : Map.copyOf(tierTokens);
    tierDemand = tierDemand == null ? Map.of() : Map.copyOf(tierDemand);
    clientDemand = clientDemand == null ? Map.of() : Map.copyOf(clientDemand);
  }

  /** Returns the interval's length in seconds. */
  public double intervalSeconds() {
    return intervalNanos / 1e9;
  }

  /** Returns the tokens asked for per second over the interval (past the per-client limits). */
  public double demandRate() {
    return demandCost * 1e9 / intervalNanos;
  }

  /** Returns the tokens admitted per second over the interval. */
  public double admittedRate() {
    return admittedCost * 1e9 / intervalNanos;
  }

  /** Returns the tokens the backend served per second over this interval alone. */
  public double completedRate() {
    return completedCost * 1e9 / intervalNanos;
  }

  /** Returns the fraction of the interval's responses that were timeouts, 0 without responses. */
  public double timeoutRatio() {
    return responses == 0 ? 0 : (double) timeouts / responses;
  }

  /**
   * Returns the queueing delay per token: the interval's median latency above the base RTT, at
   * least 0; {@code NaN} when either is unknown.
   */
  public double queueingDelayMillis() {
    if (responses == 0 || !(p50Millis >= 0) || !(baseRttMillis > 0)) {
      return Double.NaN;
    }
    return Math.max(0, p50Millis - baseRttMillis);
  }

  /**
   * Returns signals with only latency and error fields set, for tests and examples: the given
   * quantiles, {@code responses} samples of cost 1 (all 2xx) and the error ratio over as many
   * window responses; no capacity estimate.
   */
  public static Signals ofLatency(double p50, double p95, double p99, long responses, double errorRatio) {
    return new Signals(0, 5_000_000_000L, responses, 0, responses, responses, responses,
        responses, 0, 0, p50, p95, p99, Double.NaN, p50, errorRatio, responses, Map.of(), Map.of(),
        0, responses, responses, Double.NaN, Double.NaN, 1);
  }

  /** Returns a copy with the previous p95 and minimum RTT replaced. */
  public Signals withHistory(double previousP95, double minRtt) {
    return new Signals(nowNanos, intervalNanos, admitted, denied, admittedCost, demandCost, responses,
        status2xx, status4xx, status5xx, p50Millis, p95Millis, p99Millis, previousP95, minRtt,
        errorRatio, errorWindowResponses, tierTokens, tierDemand, timeouts, completedCost, respondedCost,
        deliveryRate, baseRttMillis, costSpread, clientDemand);
  }

  /**
   * Returns signals of one interval as the {@link CapacityController} reads them, for tests and
   * examples: {@code seconds} long, a latency of {@code p50} ms per token at every quantile (no
   * spread) over {@code responses} responses of cost 1 of which {@code timeouts} timed out, {@code
   * completedRate} tokens per second served, {@code admittedRate} admitted, and the estimator's
   * {@code deliveryRate} and {@code baseRtt}. Every timeout's cost counts as answered.
   */
  public static Signals ofCapacity(double seconds, double p50, long responses, long timeouts, double completedRate,
      double admittedRate, double deliveryRate, double baseRtt) {
    long interval = Math.round(seconds * 1e9);
    long completed = Math.round(completedRate * seconds);
    long admittedCost = Math.round(admittedRate * seconds);
    return new Signals(0, interval, admittedCost, 0, admittedCost, admittedCost, responses,
        responses - timeouts, 0, timeouts, p50, p50, p50, Double.NaN, baseRtt,
        responses == 0 ? 0 : (double) timeouts / responses, responses, Map.of(), Map.of(), timeouts, completed,
        completed + timeouts, deliveryRate, baseRtt, 1);
  }
}
