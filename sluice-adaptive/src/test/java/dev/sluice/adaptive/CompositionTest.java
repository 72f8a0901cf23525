package dev.sluice.adaptive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Composition: minimum, demand gate, caps, per-second ramp limit, warm-up and urgent cuts, as tables. */
class CompositionTest {

  private static final double A = RateController.ABSTAIN;
  private static final double LONG_AGO = 1_000;

  @ParameterizedTest(name = "current {0}, proposals {1}/{2}, since cut {3} s, demand {4}, interval {5} s -> {6}")
  @CsvSource({
      "1000, 1100, 1050, 1000, 5000, 1, 1037",       // the minimum wins, then +3.7 % in one second
      "1000, 1020, 1050, 1000, 5000, 1, 1020",       // within the ramp: as proposed
      "1000, Infinity, Infinity, 1000, 5000, 1, 1000", // all abstain: hold
      "1000, 1500, Infinity, 1000, 5000, 5, 1199.21", // five seconds: 1.037^5, the seed's +20 % per 5 s
      "1000, 1500, Infinity, 5, 5000, 5, 1098.68",    // warming up 5 s after a cut: 1.019^5, the seed's +10 %
      "1000, 1500, Infinity, 15, 5000, 5, 1098.68",   // 15 s after the cut: still warming up (3 seed intervals)
      "1000, 1500, Infinity, 20, 5000, 5, 1199.21",   // 20 s: warm-up over
      "1000, 1500, Infinity, 15, 5000, 1, 1019",      // one-second steps: warm-up for 15 s as well
      "1000, 1500, Infinity, 16, 5000, 1, 1037",
      "1000, 100, Infinity, 1000, 5000, 1, 870",      // ramp-down: -13 % in one second
      "1000, 100, Infinity, 1000, 5000, 5, 498.42",   // 0.87^5, the seed's -50 % per 5 s
      "1000, 1500, Infinity, 1000, 690, 5, 1035",     // demand gate: 1.5 x 690
      "1000, 1500, Infinity, 1000, 100, 5, 1000",     // demand gate never forces a cut
      "1990, 2500, Infinity, 1000, 5000, 1, 2000",    // max cap
      "110, 50, Infinity, 1000, 5000, 1, 100",        // min cap (within the ramp)
  })
  void composes(double current, double p1, double p2, double sinceCut, double demand, double interval,
      double expected) {
    double out = Composition.DEFAULTS.compose(current, new double[] {p1, p2}, sinceCut, demand, interval, false);
    assertThat(out).isCloseTo(expected, within(0.01));
  }

  @Test
  void anUrgentCutIsNotRampLimitedButStillCapped() {
    assertThat(Composition.DEFAULTS.compose(1000, new double[] {300}, LONG_AGO, 5000, 1, true)).isEqualTo(300);
    assertThat(Composition.DEFAULTS.compose(1000, new double[] {50}, LONG_AGO, 5000, 1, true)).isEqualTo(100);
    // Urgency lifts the limit on cuts only.
    assertThat(Composition.DEFAULTS.compose(1000, new double[] {1500}, LONG_AGO, 5000, 1, true))
        .isCloseTo(1037, within(1e-9));
  }

  @ParameterizedTest(name = "p50 {0}, base {1}, timeouts {2} of {3} -> urgent {4}")
  @CsvSource({
      "79, 40, 0, 1000, false",   // queueing delay 39 ms < 1 x base RTT
      "80, 40, 0, 1000, true",    // 40 ms: a spike
      "500, NaN, 0, 1000, false", // no base RTT: no spike
      "45, 40, 9, 1000, false",   // 0.9 % timeouts
      "45, 40, 10, 1000, true",   // 1 %
  })
  void urgency(double p50, double base, long timeouts, long responses, boolean expected) {
    Signals s = Signals.ofCapacity(1, p50, responses, timeouts, 900, 900, 900, base);
    assertThat(Composition.DEFAULTS.urgent(s)).isEqualTo(expected);
  }

  @Test
  void spikeThresholdsOfZeroDisableUrgency() {
    Composition off = new Composition(100, 2000, 0.037, 0.13, Duration.ofSeconds(15), 0.019, 1.5, 0, 0);
    assertThat(off.urgent(Signals.ofCapacity(1, 500, 1000, 500, 100, 900, 900, 40))).isFalse();
  }

  @Test
  void capsComeBeforeTheRamp() {
    // Above the cap, the rate comes down at most by the ramp-down limit per second.
    assertThat(Composition.DEFAULTS.compose(10_000, new double[] {A}, LONG_AGO, 0, 1, false))
        .isCloseTo(8_700, within(1e-6));
  }

  @Test
  void rejectsInvertedCapsAndNegativeWarmup() {
    assertThatThrownBy(() -> Composition.DEFAULTS.withCaps(500, 100))
        .hasMessageStartingWith("adaptive.limits.min-rate/max-rate");
    assertThatThrownBy(() -> new Composition(1, 2, 0.1, 0.1, Duration.ofSeconds(-1), 0.1, 1, 1, 0.01))
        .hasMessageStartingWith("adaptive.limits.warmup: PT-1S");
    assertThatThrownBy(() -> new Composition(1, 2, 0.1, 1.5, Duration.ZERO, 0.1, 1, 1, 0.01))
        .hasMessageStartingWith("adaptive.limits.ramp-down-per-second: 1.5");
  }

  @ParameterizedTest(name = "current {0}, proposal {1}, since cut {2}, demand {3}, lift {4} -> {5}")
  @CsvSource({
      "1000, 1500, 1000, 500, NaN, 1000",      // no lift: the demand gate holds (1.5 x 500 = 750 < 1000)
      "1000, 1500, 1000, 500, 1300, 1037",     // lift: the gate opens to the forecast, the ramp still holds
      "1000, 1020, 1000, 500, 1300, 1020",     // never above the minimum of the proposals
      "1000, 1500, 1000, 500, 1010, 1010",     // up to the forecast only
      "1000, 1500, 5, 500, 1300, 1000",        // not while warming up after a cut
      "1000, 800, 1000, 5000, 1300, 870",      // a cut is untouched
      "1000, Infinity, 1000, 500, 1300, 1000", // all abstain: hold
      "1990, 2500, 1000, 100, 2400, 2000",     // caps hold
  })
  void liftsTheDemandGateToTheForecast(double current, double proposal, double sinceCut, double demand, double lift,
      double expected) {
    double out = Composition.DEFAULTS.compose(current, new double[] {proposal}, sinceCut, demand, 1, false, lift);
    assertThat(out).isCloseTo(expected, within(0.01));
  }
}
