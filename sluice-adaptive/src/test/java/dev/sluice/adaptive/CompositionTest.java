package dev.sluice.adaptive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Composition: minimum, demand gate, caps, ramp limit and warm-up, as a table. */
class CompositionTest {

  private static final double A = RateController.ABSTAIN;
  private static final long LONG_AGO = 1_000;

  @ParameterizedTest(name = "current {0}, proposals {1}/{2}, since cut {3}, demand {4} -> {5}")
  @CsvSource({
      "1000, 1100, 1050, 1000, 5000, 1050",       // the minimum wins
      "1000, Infinity, Infinity, 1000, 5000, 1000", // all abstain: hold
      "1000, 1500, Infinity, 1000, 5000, 1200",   // ramp-up limit 20 %
      "1000, 1500, Infinity, 1, 5000, 1100",      // warming up after a cut: 10 %
      "1000, 100, Infinity, 1000, 5000, 500",     // ramp-down limit 50 %
      "1000, 1500, Infinity, 1000, 700, 1050",    // demand gate: 1.5 x 700
      "1000, 1500, Infinity, 1000, 100, 1000",    // demand gate never forces a cut
      "1900, 2500, Infinity, 1000, 5000, 2000",   // max cap
      "150, 50, Infinity, 1000, 5000, 100",       // min cap (within the ramp)
  })
  void composes(double current, double p1, double p2, long sinceCut, double demand, double expected) {
    double out = Composition.DEFAULTS.compose(current, new double[] {p1, p2}, sinceCut, demand);
    assertThat(out).isCloseTo(expected, within(1e-9));
  }

  @Test
  void capsComeBeforeTheRamp() {
    // Above the cap, the rate comes down at most by the ramp-down limit per interval.
    assertThat(Composition.DEFAULTS.compose(10_000, new double[] {A}, LONG_AGO, 0)).isEqualTo(5_000);
  }

  @Test
  void rejectsInvertedCaps() {
    assertThatThrownBy(() -> Composition.DEFAULTS.withCaps(500, 100))
        .hasMessageStartingWith("adaptive.limits.min-rate/max-rate");
  }
}
