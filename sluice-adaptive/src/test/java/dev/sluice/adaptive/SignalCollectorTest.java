package dev.sluice.adaptive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.sluice.core.AggregateLevels;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Signals per interval: quantiles, counts, the sliding error window, the minimum RTT. */
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
}
