package dev.sluice.adaptive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.sluice.core.AggregateLevels;
import dev.sluice.core.Level;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Signals per interval: quantiles, counts, the sliding error window, the minimum RTT, demand past
 * the per-client limits, costs and the capacity estimate.
 */
class SignalCollectorTest {

  private static final long S = 1_000_000_000L;
  private static final long MS = 1_000_000L;

  @Test
  void quantilesAndCountsOfOneInterval() {
    SignalCollector c = SignalCollector.create(Duration.ofSeconds(60), Duration.ofSeconds(120), 0);
    for (int i = 1; i <= 100; i++) {
      c.recordDecision("premium", true, 2);
      c.recordResponse(i * MS, i <= 90 ? 200 : 503);
    }
    c.recordDecision("premium", false, 2);
    c.recordDecision(null, false, 1);
    Signals s = c.snapshot(5 * S, AggregateLevels.NONE);
    assertThat(s.intervalNanos()).isEqualTo(5 * S);
    assertThat(s.admitted()).isEqualTo(100);
    assertThat(s.denied()).isEqualTo(2);
    assertThat(s.admittedCost()).isEqualTo(200);
    assertThat(s.demandCost()).isEqualTo(203);
    assertThat(s.demandRate()).isCloseTo(40.6, within(1e-9));
    assertThat(s.tierDemand()).containsEntry("premium", 202L).containsEntry("default", 1L);
    assertThat(s.p50Millis()).isCloseTo(50, within(0.5));
    assertThat(s.p95Millis()).isCloseTo(95, within(1.0));
    assertThat(s.p99Millis()).isCloseTo(99, within(1.0));
    assertThat(s.status2xx()).isEqualTo(90);
    assertThat(s.status5xx()).isEqualTo(10);
    assertThat(s.errorRatio()).isCloseTo(0.1, within(1e-12));
    assertThat(s.previousP95Millis()).isNaN();
    assertThat(s.minRttMillis()).isCloseTo(50, within(0.5));
  }

  @Test
  void errorRatioSlidesAndMinRttExpires() {
    SignalCollector c = SignalCollector.create(Duration.ofSeconds(10), Duration.ofSeconds(10), 0);
    // Interval 1: 10 errors of 20, fast. Interval 2: 0 errors of 20, slow.
    for (int i = 0; i < 20; i++) {
      c.recordResponse(10 * MS, i < 10 ? 500 : 200);
    }
    Signals first = c.snapshot(5 * S, AggregateLevels.NONE);
    assertThat(first.errorRatio()).isEqualTo(0.5);
    for (int i = 0; i < 20; i++) {
      c.recordResponse(100 * MS, 200);
    }
    Signals second = c.snapshot(10 * S, AggregateLevels.NONE);
    assertThat(second.errorRatio()).isEqualTo(0.25);
    assertThat(second.errorWindowResponses()).isEqualTo(40);
    // The first interval was half errors: too unhealthy to set the minimum RTT.
    assertThat(second.minRttMillis()).isCloseTo(100, within(1.0));
    assertThat(second.previousP95Millis()).isCloseTo(10, within(0.1));
    for (int i = 0; i < 20; i++) {
      c.recordResponse(100 * MS, 200);
    }
    Signals third = c.snapshot(15 * S, AggregateLevels.NONE);
    // The first interval (ended at 5 s) has left the 10 s window.
    assertThat(third.errorRatio()).isZero();
    for (int i = 0; i < 20; i++) {
      c.recordResponse(300 * MS, 200);
    }
    Signals fourth = c.snapshot(20 * S, AggregateLevels.NONE);
    assertThat(fourth.minRttMillis()).isCloseTo(100, within(1.0));
    Signals fifth = c.snapshot(29 * S, AggregateLevels.NONE);
    // Only the 300 ms interval (ended at 20 s) is left in the window; the empty one adds nothing.
    assertThat(fifth.minRttMillis()).isCloseTo(300, within(3.0));
  }

  @Test
  void emptyIntervalHasNoLatency() {
    SignalCollector c = SignalCollector.create(Duration.ofSeconds(60), Duration.ofSeconds(60), 0);
    Signals s = c.snapshot(S, AggregateLevels.NONE);
    assertThat(s.responses()).isZero();
    assertThat(s.p95Millis()).isNaN();
    assertThat(s.errorRatio()).isZero();
  }

  @Test
  void denialsByAClientsOwnBucketAreNoDemand() {
    SignalCollector c = SignalCollector.create(Duration.ofSeconds(10), Duration.ofSeconds(10), 0);
    c.recordDecision("free", true, 2, null);
    c.recordDecision("free", false, 3, Level.CLIENT);
    c.recordDecision("free", false, 5, Level.TIER);
    c.recordDecision("free", false, 7, Level.GLOBAL);
    c.recordDecision("free", false, 11); // level unknown: counted
    Signals s = c.snapshot(S, AggregateLevels.NONE);
    assertThat(s.denied()).isEqualTo(4);
    assertThat(s.demandCost()).isEqualTo(2 + 5 + 7 + 11);
    assertThat(s.tierDemand()).containsEntry("free", 25L);
    assertThat(s.admittedCost()).isEqualTo(2);
  }

  @Test
  void latencyIsPerTokenAndServedTokensCountTheCost() {
    SignalCollector c = SignalCollector.create(Duration.ofSeconds(10), Duration.ofSeconds(10), 0);
    for (int i = 0; i < 50; i++) {
      c.recordResponse(40 * MS, 200, 1);
      c.recordResponse(800 * MS, 200, 20); // 40 ms per token
    }
    c.recordResponse(1000 * MS, 504, 1);
    c.recordResponse(5 * MS, 503, 4);
    Signals s = c.snapshot(2 * S, AggregateLevels.NONE);
    assertThat(s.p50Millis()).isCloseTo(40, within(0.5));
    assertThat(s.completedCost()).isEqualTo(50 + 50 * 20);
    assertThat(s.completedRate()).isEqualTo(525);
    assertThat(s.respondedCost()).isEqualTo(50 + 50 * 20 + 1 + 4);
    assertThat(s.timeouts()).isEqualTo(1);
    assertThat(s.status5xx()).isEqualTo(2);
    // The estimator saw one interval: its delivery rate and base RTT are this interval's.
    assertThat(s.deliveryRate()).isEqualTo(525);
    assertThat(s.baseRttMillis()).isCloseTo(40, within(0.5));
    assertThat(s.queueingDelayMillis()).isZero();
  }

  @Test
  void theCapacityEstimateSpansIntervals() {
    SignalCollector c = SignalCollector.create(AdaptiveSettings.DEFAULTS, 0);
    for (int i = 0; i < 1000; i++) {
      c.recordDecision(null, true, 1);
      c.recordResponse(40 * MS, 200, 1);
    }
    c.snapshot(S, AggregateLevels.NONE);
    for (int i = 0; i < 500; i++) {
      c.recordDecision(null, true, 1);
      c.recordResponse(60 * MS, 200, 1);
    }
    Signals s = c.snapshot(2 * S, AggregateLevels.NONE);
    assertThat(s.completedRate()).isEqualTo(500);
    assertThat(s.deliveryRate()).as("the window's largest").isEqualTo(1000);
    assertThat(s.baseRttMillis()).as("the window's smallest median").isCloseTo(40, within(0.5));
    assertThat(s.queueingDelayMillis()).isCloseTo(20, within(1.0));
  }

  @Test
  void costSpreadIsTheCostWeightedMeanCostOfServedRequests() {
    SignalCollector c = SignalCollector.create(AdaptiveSettings.DEFAULTS, 0);
    for (int i = 0; i < 19; i++) {
      c.recordResponse(50 * 1_000_000L, 200, 1);
    }
    c.recordResponse(1_000 * 1_000_000L, 200, 20);
    c.recordResponse(1_000 * 1_000_000L, 503, 20); // not served: not counted
    Signals s = c.snapshot(S, AggregateLevels.NONE);
    assertThat(s.costSpread()).isCloseTo((19 + 400) / 39.0, within(1e-9));
    assertThat(c.snapshot(2 * S, AggregateLevels.NONE).costSpread()).as("no responses").isEqualTo(1.0);
  }
}
