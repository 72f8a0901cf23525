package dev.sluice.adaptive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The capacity controller as number tables: signals in, proposal and concurrency limit out. */
class CapacityControllerTest {

  private static final CapacityController C = CapacityController.DEFAULTS;
  private static final double ABSTAIN = RateController.ABSTAIN;

  @ParameterizedTest(name = "rate {0}, p50 {1}, timeouts {2}, served {3}, admitted {4}, delivery {5} -> {6}")
  @CsvSource({
      // Base RTT 40 ms, 1000 responses: tolerated queueing delay 0.1 * 40 = 4 ms (no spread, no noise).
      "1000, 40, 0, 900, 900, 950, 1250",     // no queue: max(rate, delivery) * gain 1.25
      "800, 42, 0, 800, 800, 1000, 1250",     // below capacity: back towards the delivery rate, times gain
      "1000, 44, 0, 900, 900, 950, 1250",     // at the tolerated delay: not saturated yet
      "1000, 40, 0, 900, 900, NaN, 1250",     // no delivery rate yet: the served rate stands in
      "1000, 144, 0, 900, 1000, 950, 855",    // q 104 ms, 100 above tolerance: served 900 * (1 - 0.1 s / 2 s)
      "1000, 2040, 0, 900, 1000, 950, 450",   // a huge queue: the cut is floored at max-cut 0.5
      "500, 144, 0, 900, 900, 950, 500",      // saturated: never above the rate in force
      "1000, 144, 0, 900, 600, 950, 1000",    // saturated, but admitting 600 < 0.75 * 900 answered: the queue drains, hold
      "1000, 60, 20, 900, 900, 950, 450",     // 2 % timeouts, queue not draining: min(rate, admitted) * 0.5
      "1000, 60, 20, 600, 400, 950, 1000",    // timeouts while admitting far less than answered: hold
  })
  void proposals(double rate, double p50, long timeouts, double served, double admitted, double delivery,
      double expected) {
    Signals s = Signals.ofCapacity(1, p50, 1000, timeouts, served, admitted, delivery, 40);
    assertThat(C.propose(rate, s, 0)).isCloseTo(expected, within(1e-6));
  }

  @ParameterizedTest(name = "served {0}, delivery {1}, p50 {2} -> limit {3}")
  @CsvSource({
      "1000, 1000, 40, 55",   // 1000 tokens/s * 0.040 s * 1.25 + 5
      "500, 1000, 40, 55",    // not saturated: the window's delivery rate
      "500, 1000, 144, 30",   // saturated: what the backend serves now, 500 * 0.040 * 1.25 + 5
      "200, NaN, 40, 15",     // no delivery rate yet: the served rate
  })
  void concurrencyLimit(double served, double delivery, double p50, double expected) {
    Signals s = Signals.ofCapacity(1, p50, 1000, 0, served, served, delivery, 40);
    assertThat(C.concurrencyLimit(s)).isCloseTo(expected, within(1e-9));
  }

  @Test
  void aDrainingQueueLeavesTheConcurrencyLimitAlone() {
    // q 104 ms, but 300 tokens admitted against 900 answered: a past burst's tail, not a queue to cut.
    Signals draining = Signals.ofCapacity(1, 144, 1000, 0, 900, 300, 1000, 40);
    assertThat(C.saturated(draining)).isTrue();
    assertThat(C.concurrencyLimit(draining)).isNaN();
    assertThat(C.concurrencyLimit(Signals.ofCapacity(1, 144, 1000, 0, 900, 900, 1000, 40)))
        .isCloseTo(900 * 0.040 * 1.25 + 5, within(1e-9));
  }

  @ParameterizedTest(name = "cost spread {0} -> limit {1}")
  @CsvSource({
      "1, 55",     // every request costs 1: 1000 * 0.040 * 1.25 + 5
      "4, 205",    // e.g. costs 1 and 20 mixed: the cost in flight is 4 times the per-token figure
      "15.5, 780", // 1000 * 0.040 * 15.5 * 1.25 + 5
  })
  void concurrencyLimitCountsHowLongCostlyRequestsAreInFlight(double spread, double expected) {
    Signals s = withSpread(Signals.ofCapacity(1, 40, 1000, 0, 1000, 1000, 1000, 40), spread);
    assertThat(C.concurrencyLimit(s)).isCloseTo(expected, within(1e-9));
  }

  private static Signals withSpread(Signals s, double spread) {
    return new Signals(s.nowNanos(), s.intervalNanos(), s.admitted(), s.denied(), s.admittedCost(), s.demandCost(),
        s.responses(), s.status2xx(), s.status4xx(), s.status5xx(), s.p50Millis(), s.p95Millis(), s.p99Millis(),
        s.previousP95Millis(), s.minRttMillis(), s.errorRatio(), s.errorWindowResponses(), s.tierTokens(),
        s.tierDemand(), s.timeouts(), s.completedCost(), s.respondedCost(), s.deliveryRate(), s.baseRttMillis(),
        spread);
  }

  @ParameterizedTest(name = "rate {0}, served {1}, delivery {2}, p50 {3} -> limit {4}")
  @CsvSource({
      "2000, 1000, 1000, 40, 105",  // not saturated: the larger rate in force, 2000 * 0.040 * 1.25 + 5
      "800, 1000, 1000, 40, 55",    // not saturated, rate below delivery: delivery
      "2000, 500, 1000, 144, 30",   // saturated: the served rate whatever the rate in force
  })
  void concurrencyLimitWithTheRateInForce(double rate, double served, double delivery, double p50, double expected) {
    Signals s = Signals.ofCapacity(1, p50, 1000, 0, served, served, delivery, 40);
    assertThat(C.concurrencyLimit(rate, s)).isCloseTo(expected, within(1e-9));
  }

  @Test
  void abstainsWithoutEnoughEvidence() {
    assertThat(C.propose(1000, Signals.ofCapacity(1, 40, 19, 0, 900, 900, 950, 40), 0))
        .as("fewer than 20 responses").isEqualTo(ABSTAIN);
    assertThat(C.propose(1000, Signals.ofCapacity(1, 40, 1000, 0, 900, 900, 950, Double.NaN), 0))
        .as("no base RTT yet").isEqualTo(ABSTAIN);
    assertThat(C.concurrencyLimit(Signals.ofCapacity(1, 40, 0, 0, 0, 0, 950, 40))).isNaN();
    // 200 fast 503s of 1000 responses: an error burst, not a capacity signal.
    Signals burst = signals(1000, 200, 0, 5, 5, 900);
    assertThat(C.propose(1000, burst, 0)).isEqualTo(ABSTAIN);
  }

  @Test
  void samplingNoiseInASmallIntervalIsNoQueue() {
    // p50 50 ms against a 40 ms base: 10 ms of apparent queueing delay, spread sigma 40 ms.
    double p95 = 50 + 1.645 * 40;
    Signals few = signals(100, 0, 0, 50, p95, 90);
    Signals many = signals(10_000, 0, 0, 50, p95, 9000);
    // 100 samples: standard error of the median 1.2533 * 40 / 10 = 5 ms; tolerated 4 + 3 * 5 ms.
    assertThat(C.tolerated(few)).isCloseTo(4 + 3 * 1.2533 * 40 / 10, within(1e-9));
    assertThat(C.saturated(few)).isFalse();
    assertThat(C.propose(100, few, 0)).isGreaterThan(100);
    // 10 000 samples: 0.5 ms; 10 ms is a queue.
    assertThat(C.saturated(many)).isTrue();
    assertThat(C.propose(10_000, many, 0)).isLessThan(9000);
  }

  @Test
  void invalidParametersAreRejectedWithTheirPath() {
    Duration s = Duration.ofSeconds(1);
    Duration w = Duration.ofSeconds(10);
    assertThatThrownBy(() -> new CapacityController(s, 0.9, 0.1, s, 0.5, 5, 20, w, w, s, 2))
        .hasMessageStartingWith("adaptive.capacity.gain: 0.9");
    assertThatThrownBy(() -> new CapacityController(s, 1.25, 0.1, s, 1, 5, 20, w, w, s, 2))
        .hasMessageStartingWith("adaptive.capacity.max-cut: 1.0");
    assertThatThrownBy(() -> new CapacityController(s, 1.25, 0.1, s, 0.5, 5, 20, w, w, Duration.ZERO, 2))
        .hasMessageStartingWith("adaptive.capacity.probe: PT0S");
    assertThatThrownBy(() -> new CapacityController(s, 1.25, 0.1, s, 0.5, 5, 20, w, w, s, 5))
        .hasMessageStartingWith("adaptive.capacity.probe-gain: 5.0");
  }

  /**
   * One-second signals with {@code responses} responses of which {@code errors} fast 5xx and {@code
   * timeouts} timeouts, the given median and p95 per token, {@code served} tokens served, a 40 ms
   * base RTT and a delivery rate equal to the served one.
   */
  private static Signals signals(long responses, long errors, long timeouts, double p50, double p95, double served) {
    long bad = errors + timeouts;
    long ok = responses - bad;
    return new Signals(0, 1_000_000_000L, ok, 0, ok, ok, responses, ok, 0, bad, p50, p95, p95, Double.NaN, 40,
        (double) bad / responses, responses, Map.of(), Map.of(), timeouts, Math.round(served), responses, served, 40, 1);
  }
}
