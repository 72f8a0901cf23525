package dev.sluice.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Jain's index over satisfied shares of max-min fair allocations, as number tables. */
class FairnessTest {

  @Test
  void everyClientServedItsMaxMinShareIsPerfectlyFair() {
    // Capacity 60 among demands 10, 40, 50: max-min gives 10, 25, 25.
    Fairness f = new Fairness(3);
    f.demand(0, 10);
    f.demand(1, 40);
    f.demand(2, 50);
    f.endSecond(60);
    f.served(0, 10);
    f.served(1, 25);
    f.served(2, 25);
    assertThat(f.jain()).isCloseTo(1.0, within(1e-12));
  }

  @Test
  void aNoisyClientTakingMoreThanItsShareLowersTheIndex() {
    // Same demands; the big client takes 40, the others get what is left.
    Fairness f = new Fairness(3);
    f.demand(0, 10);
    f.demand(1, 40);
    f.demand(2, 50);
    f.endSecond(60);
    f.served(0, 5);
    f.served(1, 15);
    f.served(2, 40);
    // x = 5/10, 15/25, 40/25 = 0.5, 0.6, 1.6: (2.7)^2 / (3 * (0.25 + 0.36 + 2.56)).
    assertThat(f.jain()).isCloseTo(2.7 * 2.7 / (3 * 3.17), within(1e-12));
  }

  @Test
  void proportionalRejectionIsNotMaxMinFair() {
    // A global bucket at half the demand rejects at random: everyone gets half. Max-min would
    // have served the small client fully.
    Fairness f = new Fairness(2);
    f.demand(0, 10);
    f.demand(1, 90);
    f.endSecond(50);
    f.served(0, 5);
    f.served(1, 45);
    // Fair: 10 and 40; x = 0.5 and 1.125.
    assertThat(f.jain()).isCloseTo(1.625 * 1.625 / (2 * (0.25 + 1.265625)), within(1e-12));
  }

  @Test
  void belowCapacityTheFairShareIsTheDemandAndSecondsAddUp() {
    Fairness f = new Fairness(2);
    f.demand(0, 3);
    f.demand(1, 3);
    f.endSecond(100);
    f.demand(1, 6);
    f.endSecond(0); // an outage: nothing is fair to ask
    f.served(0, 3);
    f.served(1, 3);
    assertThat(f.jain()).isCloseTo(1.0, within(1e-12));
  }

  @Test
  void noDemandOrNoServiceReadsAsEqualTreatment() {
    assertThat(new Fairness(4).jain()).isEqualTo(1.0);
    Fairness f = new Fairness(2);
    f.demand(0, 1);
    f.demand(1, 1);
    f.endSecond(10);
    assertThat(f.jain()).isEqualTo(1.0);
  }
}
