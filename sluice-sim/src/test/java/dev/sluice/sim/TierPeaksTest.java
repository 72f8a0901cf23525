package dev.sluice.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * S12 (two tiers whose peaks alternate, each with half the rate as its aggregate): the predictive
 * controller's per-tier rates refuse fewer compliant requests than {@code default}'s fixed shares,
 * with no timeouts and no goodput lost. One seed, full scale; virtual time, so deterministic.
 */
class TierPeaksTest {

  @Test
  void perTierRatesRefuseFewerCompliantRequestsThanFixedShares() throws Exception {
    Scenario sc = ScenarioReader.read(Path.of("..", "scenarios", "s12-tier-peaks.yaml"));
    ExperimentResult r = Experiment.run(sc, List.of("default", "predictive"), 1, 2, null);
    double fixed = r.stats("default", "compliant_rejection_rate").mean();
    double perTier = r.stats("predictive", "compliant_rejection_rate").mean();
    assertThat(fixed).isPositive();
    assertThat(perTier).isLessThan(0.6 * fixed);
    assertThat(r.stats("predictive", "timeouts_total").mean()).isZero();
    assertThat(r.stats("predictive", "goodput_tps").mean())
        .isGreaterThanOrEqualTo(r.stats("default", "goodput_tps").mean());
  }
}
