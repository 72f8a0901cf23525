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
  void aSlowerBackendAloneIsSeenAfterTheStaleWindowsAtTheLatest() {
    feed(20, 800, 800, 40);
    // Just as much in flight (300 x 120 ms = 36 tokens, 800 x 40 ms = 32 before), no throttle:
    // neither the probe nor the slack rule can tell it from a queue, so only the fallback raises it.
    feed(29, 300, 300, 120);
    assertThat(e.baseRttMillis()).isEqualTo(40);
    feed(1, 300, 300, 120);
    assertThat(e.baseRttMillis()).isEqualTo(120);
    assertThat(e.resets()).isEqualTo(1);
  }

  @Test
  void aThrottleThatLeavesTheLatencyFlatResetsTheBaseRttWithinTheProbeTime() {
    feed(20, 800, 800, 40);
    // The backend slowed down 3x; the loop throttles (in flight falls ~13 % a second), latency stays.
    feed(1, 300, 300, 120);
    feed(1, 260, 260, 120);
    assertThat(e.baseRttMillis()).as("two throttled seconds: not yet").isEqualTo(40);
    feed(1, 220, 220, 121);
    assertThat(e.baseRttMillis()).as("after the probe time, well before the fallback").isEqualTo(120);
    assertThat(e.resets()).isEqualTo(1);
  }

  @Test
  void littleInFlightWithHighLatencyIsNoQueue() {
    feed(20, 800, 800, 40);
    // 800 x 40 ms = 32 tokens in flight without a queue. Now 100/s at 130 ms: 13 in flight, under
    // half of that, so the latency cannot be queueing: two such seconds reset the base RTT.
    feed(1, 100, 100, 140);
    assertThat(e.baseRttMillis()).isEqualTo(40);
    feed(1, 100, 100, 130);
    assertThat(e.baseRttMillis()).isEqualTo(130);
    assertThat(e.resets()).isEqualTo(1);
  }

  @Test
  void aStandingQueueAtTheLevelDoesNotRaiseTheBaseRtt() {
    feed(20, 1000, 1000, 40);
    // A queue held at a concurrency level: latency 2.5x, as much in flight as ever, for 25 s
    // (less than the fallback's three windows). BBR's expiring minimum would have taken 100 ms.
    feed(25, 1000, 1000, 100);
    assertThat(e.baseRttMillis()).isEqualTo(40);
    assertThat(e.resets()).isZero();
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

  /**
   * A worker pool that halves under a concurrency level, as {@code CapacityHalvingServeTest} recorded
   * it in a failing run (250 ms intervals; served tokens per second and median latency per interval,
   * as logged): 24 workers at 100 ms, the level about 40 with the loop's headroom, so a standing
   * queue holds the latency near 190 ms; then 12 workers. The queue sized for 24 workers drains at
   * half the rate (latency up to 400 ms), the loop cuts the level with the served rate, and the
   * headroom queue holds the latency at 200 ms again with half as much in flight. First third
   * against last third of the 3 s run, that was a throttle that left the latency flat, and the
   * probe reset the base RTT to 180 ms, a queue's latency: the level then settled at 120/s × 0.18 s
   * × 1.25 + 5 ≈ 32 instead of about 21 and the serve test timed out.
   */
  @Test
  void aCapacityLossUnderTheLevelIsNoThrottleThatLeftTheLatencyFlat() {
    CapacityEstimator q =
        new CapacityEstimator(Duration.ofSeconds(10), Duration.ofSeconds(10), Duration.ofSeconds(3));
    long quarter = S / 4;
    double[][] servedAndLatency = {
        {104, 122.9}, {279, 109.1}, {200, 199.7}, {279, 199.7}, {195, 146.4}, {283, 189.4}, {200, 157.7},
        {279, 190.5}, {200, 150.5}, {279, 190.5}, {209, 147.5}, {267, 191.5}, {208, 145.4}, {271, 185.3},
        {215, 150.5}, {263, 186.4}, {215, 180.2}, {263, 182.3}, {215, 180.2},
        // the pool halves
        {258, 185.3}, {123, 200.7}, {116, 313.3}, {104, 196.6}, {136, 198.7}, {104, 380.9}, {136, 401.4},
        {104, 200.7}, {136, 200.7}, {104, 191.5}, {134, 200.7}, {124, 194.6}, {116, 301.1}, {124, 380.9},
        {115, 401.4}, {124, 292.9}};
    long now = 0;
    for (double[] interval : servedAndLatency) {
      now += quarter;
      q.update(now, quarter, interval[0], interval[0], interval[1]);
      if (now > quarter) {
        assertThat(q.baseRttMillis()).as("base RTT after the interval ending at %d ms", now / 1_000_000)
            .isEqualTo(109.1);
      }
    }
    // The halved pool's own limit follows from it: served × B × gain + floor.
    double limit = 120 * q.baseRttMillis() / 1_000 * CapacityController.DEFAULTS.gain()
        + CapacityController.DEFAULTS.floor();
    assertThat(limit).isBetween(12.0, 0.75 * (240 * 0.1091 * 1.25 + 5));
    assertThat(q.resets()).isZero();
  }

  @Test
  void slowDriftUpwardIsFollowedByTheFallbackAndDownwardAtOnce() {
    double rtt = 40;
    for (int i = 0; i < 120; i++) {
      feed(1, 1000, 1000, rtt);
      // Within the margin samples count as clean; past it, with as much in flight as ever, only the
      // fallback raises it: it lags the drift (1 % a second) by at most the margin, the fallback's
      // 30 s and the window's 10 s.
      assertThat(e.baseRttMillis()).isLessThanOrEqualTo(rtt).isGreaterThan(rtt / (1.1 * Math.pow(1.01, 41)));
      rtt *= 1.01;
    }
    assertThat(e.resets()).isPositive();
    for (int i = 0; i < 60; i++) {
      rtt /= 1.01;
      feed(1, 1000, 1000, rtt);
      assertThat(e.baseRttMillis()).isLessThanOrEqualTo(rtt);
    }
    assertThat(e.baseRttMillis()).as("once below the old base, it follows at once").isEqualTo(rtt);
  }

  @Test
  void noSamplesKeepTheLastBaseRtt() {
    feed(5, 1000, 1000, 40);
    feed(30, 0, 0, Double.NaN);
    assertThat(e.baseRttMillis()).isEqualTo(40);
    assertThat(e.deliveryRate()).isZero();
    feed(1, 200, 200, 35);
    assertThat(e.baseRttMillis()).isEqualTo(35);
  }

  @Test
  void nothingBeforeTheFirstInterval() {
    assertThat(e.deliveryRate()).isNaN();
    assertThat(e.baseRttMillis()).isNaN();
  }
}
