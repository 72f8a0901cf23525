package dev.sluice.adaptive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The share of the controlled rate among tiers, as numbers. */
class TierRatesTest {

  private static final double N = Double.NaN;

  private static double[] allocate(double total, double[] weights, double[] targets) {
    return TierRates.allocate(total, weights, targets, 0.5, 4);
  }

  @Test
  void withoutForecastsEachTierGetsItsConfiguredShare() {
    assertThat(allocate(1000, new double[] {600, 400}, new double[] {N, N})).containsExactly(600, 400);
  }

  @Test
  void aTierAboveItsShareGetsItsForecastWhenAnotherIsQuiet() {
    // interactive wants 800, batch 100 (its floor is 0.5 x 500 = 250): 800 + 250 = 1050 > 1000, so the
    // fill by weight gives batch its 250 and interactive the remaining 750
    assertThat(allocate(1000, new double[] {1, 1}, new double[] {800, 100}))
        .containsExactly(new double[] {750, 250}, within(1e-9));
    // wants that fit (600, and batch's floor 250): each gets its want, the 150 left is shared by weight
    assertThat(allocate(1000, new double[] {1, 1}, new double[] {600, 200}))
        .containsExactly(new double[] {675, 325}, within(1e-9));
  }

  @Test
  void wantsAboveTheTotalAreSharedByWeight() {
    assertThat(allocate(1000, new double[] {3, 1}, new double[] {2000, 2000}))
        .containsExactly(new double[] {750, 250}, within(1e-9));
    // one tier wants less than its weighted part (its floor, 0.5 x 250 = 125 > 100): it gets that, and
    // the other two share the 875 left by weight, 1:2
    assertThat(allocate(1000, new double[] {1, 1, 2}, new double[] {100, 900, 900}))
        .containsExactly(new double[] {125, 875 / 3.0, 1750 / 3.0}, within(1e-9));
  }

  @Test
  void aTierWithoutAForecastWantsItsShare() {
    assertThat(allocate(1000, new double[] {1, 1}, new double[] {900, N}))
        .containsExactly(new double[] {500, 500}, within(1e-9));
    // wants 250 (the floor) and 500 (the share): the 250 left is shared by weight
    assertThat(allocate(1000, new double[] {1, 1}, new double[] {200, N}))
        .containsExactly(new double[] {375, 625}, within(1e-9));
  }

  @Test
  void theCeilingBoundsATierAndTheSumIsTheTotal() {
    double[] r = TierRates.allocate(1000, new double[] {1, 3}, new double[] {900, 0}, 0.1, 2);
    assertThat(r[0]).isCloseTo(500, within(1e-9)); // 2 x its share of 250
    assertThat(r[1]).isCloseTo(500, within(1e-9));
  }

  @Test
  void randomInputsNeverExceedTheTotalOrBreakTheCaps() {
    Random rnd = new Random(42);
    for (int run = 0; run < 10_000; run++) {
      int n = 1 + rnd.nextInt(5);
      double total = 1 + rnd.nextDouble() * 5000;
      double[] w = new double[n];
      double[] t = new double[n];
      for (int i = 0; i < n; i++) {
        w[i] = 0.1 + rnd.nextDouble() * 10;
        t[i] = rnd.nextInt(5) == 0 ? N : rnd.nextDouble() * 3 * total;
      }
      double floor = rnd.nextDouble();
      double ceiling = 1 + rnd.nextDouble() * 5;
      double[] r = TierRates.allocate(total, w, t, floor, ceiling);
      double wsum = Arrays.stream(w).sum();
      double sum = 0;
      double room = 0;
      for (int i = 0; i < n; i++) {
        double share = w[i] / wsum * total;
        assertThat(r[i]).isGreaterThanOrEqualTo(floor * share - 1e-6)
            .isLessThanOrEqualTo(Math.min(total, ceiling * share) + 1e-6);
        sum += r[i];
        room += Math.min(total, ceiling * share);
      }
      assertThat(sum).isCloseTo(Math.min(total, room), within(1e-6 * total));
    }
  }

  @Test
  void badInputIsRefused() {
    assertThatThrownBy(() -> allocate(10, new double[] {1, 0}, new double[] {N, N}))
        .hasMessage("tier rates: weight 0.0 (expected: > 0)");
    assertThatThrownBy(() -> allocate(10, new double[] {1}, new double[] {N, N}))
        .hasMessage("tier rates: 1 weights and 2 targets");
  }
}
