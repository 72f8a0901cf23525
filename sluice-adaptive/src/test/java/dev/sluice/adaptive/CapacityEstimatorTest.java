package dev.sluice.adaptive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The capacity estimator on synthetic one-second series of delivery rate, admitted rate and
 * latency: steps down and up in capacity, a slower and a faster backend, slow drift, and the
 * re-probe that tells a slower backend from a queue.
 */
class CapacityEstimatorTest {

  private static final long S = 1_000_000_000L;

  private final CapacityEstimator e =
      new CapacityEstimator(Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(3));
  private long t;

  /** Feeds {@code seconds} one-second intervals of the same values. */
  private void feed(int seconds, double completed, double admitted, double rtt) {
    for (int i = 0; i < seconds; i++) {
      t += S;
      e.update(t, S, completed, admitted, rtt);
    }
  }

  @Test
  void deliveryStepDownIsForgottenAfterTheWindow() {
    feed(20, 1000, 1000, 40);
    feed(9, 500, 500, 40);
    assertThat(e.deliveryRate()).as("the window still holds the old maximum").isEqualTo(1000);
    feed(1, 500, 500, 40);
    assertThat(e.deliveryRate()).isEqualTo(500);
    assertThat(e.baseRttMillis()).isEqualTo(40);
  }

  @Test
  void deliveryStepUpIsSeenAtOnce() {
    feed(20, 500, 500, 40);
    feed(1, 1000, 1000, 40);
    assertThat(e.deliveryRate()).isEqualTo(1000);
  }

  @Test
  void aFasterBackendLowersTheBaseRttAtOnce() {
    feed(20, 300, 300, 120);
    feed(1, 300, 300, 40);
    assertThat(e.baseRttMillis()).isEqualTo(40);
  }

  @Test
  void aSlowerBackendAloneIsSeenAfterTheRttWindow() {
    feed(20, 800, 800, 40);
    feed(9, 300, 300, 120);
    assertThat(e.baseRttMillis()).isEqualTo(40);
    feed(1, 300, 300, 120);
    assertThat(e.baseRttMillis()).isEqualTo(120);
    assertThat(e.resets()).isZero();
  }

  @Test
  void aThrottleThatLeavesTheLatencyFlatResetsTheBaseRttWithinTheProbeTime() {
    feed(20, 800, 800, 40);
    // The backend slowed down 3x; the loop throttles (admitted falls 4 % a second), latency stays.
    feed(1, 300, 300, 120);
    feed(1, 288, 288, 120);
    assertThat(e.baseRttMillis()).as("two throttled seconds: not yet").isEqualTo(40);
    feed(1, 276, 276, 121);
    assertThat(e.baseRttMillis()).as("after the probe time, well before the 10 s window").isEqualTo(120);
    assertThat(e.resets()).isEqualTo(1);
  }

  @Test
  void aQueueThatDrainsUnderTheThrottleDoesNotResetIt() {
    feed(20, 800, 800, 40);
    // A queue: the loop throttles and the latency falls with it.
    double[] rtt = {400, 250, 150, 90, 60, 45, 41};
    double admitted = 700;
    for (double r : rtt) {
      feed(1, 800, admitted, r);
      admitted *= 0.95;
    }
    assertThat(e.baseRttMillis()).isEqualTo(40);
    assertThat(e.resets()).isZero();
  }

  @Test
  void aSteadyStandingLatencyWithoutAThrottleDoesNotResetItBeforeTheWindow() {
    feed(20, 1000, 1000, 40);
    feed(5, 1000, 1000, 60);
    assertThat(e.baseRttMillis()).isEqualTo(40);
    assertThat(e.resets()).isZero();
  }

  @Test
  void slowDriftIsTrackedWithinTheWindow() {
    double rtt = 40;
    for (int i = 0; i < 120; i++) {
      feed(1, 1000, 1000, rtt);
      if (i >= 10) {
        // The base RTT is the sample from the start of the window: at most 10 s of drift behind.
        assertThat(e.baseRttMillis()).isLessThanOrEqualTo(rtt).isGreaterThanOrEqualTo(rtt / Math.pow(1.01, 10) - 1e-9);
      }
      rtt *= 1.01;
    }
    assertThat(e.baseRttMillis()).isCloseTo(40 * Math.pow(1.01, 110), within(1e-6));
  }

  @Test
  void noSamplesKeepTheLastBaseRtt() {
    feed(5, 1000, 1000, 40);
    feed(30, 0, 0, Double.NaN);
    assertThat(e.baseRttMillis()).isEqualTo(40);
    assertThat(e.deliveryRate()).isZero();
    feed(1, 200, 200, 55);
    assertThat(e.baseRttMillis()).isEqualTo(55);
  }

  @Test
  void nothingBeforeTheFirstInterval() {
    assertThat(e.deliveryRate()).isNaN();
    assertThat(e.baseRttMillis()).isNaN();
  }
}
