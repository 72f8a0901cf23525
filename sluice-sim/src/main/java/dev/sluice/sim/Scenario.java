package dev.sluice.sim;

import dev.sluice.adaptive.AdaptiveSettings;
import dev.sluice.core.Limit;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A simulation scenario as read from a YAML file in {@code scenarios/}: how long it runs, the
 * backend, the limiter's tiers, the traffic sources and the adaptive parameters. Immutable; see
 * {@link ScenarioReader} for the file format and {@code docs/simulator.md} for a walk-through.
 *
 * @param name the scenario's name (the file name without {@code .yaml} by default)
 * @param description one paragraph for the report
 * @param seconds how long the scenario runs, whole seconds of virtual time
 * @param defaultSeeds how many seeds {@code sluice simulate} runs when not told
 * @param sloMillis a response counts towards goodput when it succeeds within this many ms (times
 *     its cost)
 * @param backend the service behind the limiter
 * @param limiter the limiter's tiers and global burst
 * @param sources the traffic
 * @param staticFraction the static baseline's rate as a fraction of nominal capacity (0.75)
 * @param oracleUtilisation the oracle's rate as a fraction of true capacity (0.95)
 * @param adaptive controller parameters and composition limits
 * @param policies controllers per adaptive policy name
 * @param thresholds latency thresholds reported as pass/fail per policy (as k6's {@code
 *     thresholds}), possibly none
 */
public record Scenario(
    String name, String description, int seconds, int defaultSeeds, double sloMillis, Backend backend,
    LimiterModel limiter, List<Source> sources, double staticFraction, double oracleUtilisation,
    AdaptiveSettings adaptive, Map<String, List<String>> policies, List<Threshold> thresholds) {

  /** Copies the lists. */
  public Scenario {
    sources = List.copyOf(sources);
    policies = Map.copyOf(policies);
    thresholds = List.copyOf(thresholds);
  }

  /** Returns the backend's nominal capacity (before any scheduled change), tokens per second. */
  public double nominalCapacity() {
    return backend.workers() * 1_000.0 / backend.service().meanMillis();
  }

  /** Returns the static baseline's rate, tokens per second. */
  public double staticRate() {
    return staticFraction * nominalCapacity();
  }

  /**
   * Service time of one unit of cost.
   *
   * @param distribution {@code lognormal}, {@code exponential} or {@code bimodal}
   * @param fastMillis mean of the (fast) mode, ms
   * @param cv coefficient of variation of each mode (lognormal and bimodal)
   * @param slowFraction share of requests in the slow mode (bimodal)
   * @param slowMillis mean of the slow mode, ms (bimodal)
   */
  public record Service(String distribution, double fastMillis, double cv, double slowFraction, double slowMillis) {
    /** Returns the mean service time, ms. */
    public double meanMillis() {
      return distribution.equals("bimodal") ? (1 - slowFraction) * fastMillis + slowFraction * slowMillis : fastMillis;
    }
  }

  /**
   * A scheduled change to the backend from second {@code at} on; {@code null} fields keep their
   * value.
   *
   * @param at the second it takes effect
   * @param workers new worker count
   * @param serviceFactor service time multiplier (1 = nominal)
   * @param down whether the backend answers every request with a fast 503
   * @param errorRate the base 5xx probability
   */
  public record Change(int at, Integer workers, Double serviceFactor, Boolean down, Double errorRate) {}

  /**
   * The backend: c workers serving a FIFO queue.
   *
   * @param workers workers at the start
   * @param service service time per unit of cost
   * @param deadlineMillis a client gives up (504) after this long, times the request's cost
   * @param errorRate base probability that a completed request is a 5xx
   * @param overloadErrors added 5xx probability per queued request per worker
   * @param outageMillis how fast a down backend answers 503
   * @param schedule changes over time, in order
   */
  public record Backend(int workers, Service service, double deadlineMillis, double errorRate,
      double overloadErrors, double outageMillis, List<Change> schedule) {
    /** Copies the schedule. */
    public Backend {
      schedule = List.copyOf(schedule);
    }
  }

  /**
   * One tier of the limiter.
   *
   * @param name tier name
   * @param perClient each client's limit
   * @param share the tier aggregate's share of the global rate (1 = no aggregate level)
   */
  public record TierModel(String name, Limit perClient, double share) {}

  /**
   * The limiter's shape; its global rate is what policies set and move.
   *
   * @param globalBurstSeconds the global burst, in seconds of the global rate
   * @param tiers tiers in order, the first the default
   */
  public record LimiterModel(double globalBurstSeconds, List<TierModel> tiers) {
    /** Copies the tiers. */
    public LimiterModel {
      tiers = List.copyOf(tiers);
    }
  }

  /**
   * A class of request cost.
   *
   * @param cost tokens (and units of service work) per request
   * @param weight relative frequency
   */
  public record CostClass(int cost, double weight) {}

  /**
   * How clients retry.
   *
   * @param maxAttempts attempts per request, the first included (1 = never retry)
   * @param baseMillis first backoff; doubles per attempt, with full jitter
   * @param maxDelayMillis largest backoff
   * @param budget retries allowed per first attempt, over the run (negative = unlimited)
   * @param onRejected retry a 429
   * @param onError retry a 5xx or timeout
   * @param respectRetryAfter wait at least a 429's Retry-After
   */
  public record Retry(int maxAttempts, double baseMillis, double maxDelayMillis, double budget,
      boolean onRejected, boolean onError, boolean respectRetryAfter) {
    /** Never retries. */
    public static final Retry NONE = new Retry(1, 100, 1_000, 0, false, false, true);
  }

  /**
   * A latency threshold, as in k6's {@code thresholds: {http_req_duration: ['p(95)<150']}}: passes
   * when the given percentile of admitted requests' latency over the run is below the bound.
   *
   * @param percentile the percentile, e.g. 95
   * @param millis the bound, ms
   */
  public record Threshold(double percentile, double millis) {
    /** Returns the threshold as k6 writes it, e.g. {@code p(95)<150ms}. */
    public String label() {
      return String.format(java.util.Locale.ROOT, "p(%s)<%sms", Fields.format(percentile), Fields.format(millis));
    }
  }

  /**
   * One stage of a closed-loop source, as a k6 {@code ramping-vus} stage: over {@code seconds}
   * the number of virtual users moves linearly from the previous stage's target (0 before the
   * first) to {@code target}.
   *
   * @param seconds the stage's length
   * @param target virtual users at the end of the stage
   */
  public record Stage(double seconds, int target) {}

  /**
   * Closed-loop clients: virtual users that each send one request, wait for its outcome (2xx,
   * failure or 429, after the source's retries), sleep {@code thinkMillis}, and go again, while
   * the stages want them (k6's {@code ramping-vus} executor with a fixed {@code sleep}). A user
   * that is no longer wanted finishes its iteration first (k6's graceful ramp-down); after the
   * last stage no user is wanted.
   *
   * @param thinkMillis the sleep after each response, ms (> 0)
   * @param stages the ramp, in order
   */
  public record ClosedLoop(double thinkMillis, List<Stage> stages) {
    /** Copies the stages. */
    public ClosedLoop {
      stages = List.copyOf(stages);
    }

    /** Returns how many virtual users the stages want at {@code seconds} into the run (fractional). */
    public double target(double seconds) {
      double t0 = 0;
      double from = 0;
      for (Stage s : stages) {
        if (seconds < t0 + s.seconds()) {
          return from + (s.target() - from) * (seconds - t0) / s.seconds();
        }
        t0 += s.seconds();
        from = s.target();
      }
      return 0;
    }

    /** Returns the largest number of virtual users any stage wants. */
    public int maxUsers() {
      int max = 0;
      for (Stage s : stages) {
        max = Math.max(max, s.target());
      }
      return max;
    }

    /** Returns the stages' total length, seconds. */
    public double seconds() {
      double t = 0;
      for (Stage s : stages) {
        t += s.seconds();
      }
      return t;
    }
  }

  /**
   * A population of clients: open loop (Poisson arrivals at a rate per second) or, with {@code
   * closedLoop}, virtual users.
   *
   * @param name source name
   * @param clients how many client keys
   * @param zipf exponent of the Zipf distribution of rates across clients (0 = uniform; open loop)
   * @param tier the clients' tier
   * @param rates requests per second during each second of the run (Poisson within a second);
   *     zeros for a closed-loop source
   * @param costs cost classes
   * @param compliant whether these clients count as well-behaved in the compliant-rejection metrics
   * @param retry retry behaviour
   * @param phaseStarts seconds at which a constant-rate phase begins (where a step may be)
   * @param closedLoop the virtual users of a closed-loop source, or {@code null} for open loop
   * @param replay the access log lines a replay source sends (its {@code rates} are their counts per
   *     second), or {@code null} for drawn arrivals
   */
  public record Source(String name, int clients, double zipf, String tier, double[] rates,
      List<CostClass> costs, boolean compliant, Retry retry, int[] phaseStarts, ClosedLoop closedLoop,
      AccessLogReplay replay) {
    /** Copies the cost classes. */
    public Source {
      costs = List.copyOf(costs);
    }

    /** Returns whether this source's clients are virtual users. */
    public boolean closed() {
      return closedLoop != null;
    }

    /** Returns the mean cost of a request. */
    public double meanCost() {
      double w = 0;
      double c = 0;
      for (CostClass k : costs) {
        w += k.weight();
        c += k.weight() * k.cost();
      }
      return c / w;
    }
  }
}
