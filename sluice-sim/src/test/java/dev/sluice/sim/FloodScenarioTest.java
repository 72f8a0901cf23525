package dev.sluice.sim;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * S7, the distributed low-rate flood, at full size with one seed: with the anomaly response the
 * new clients' share holds and legitimate clients are served; without it, they are not.
 */
class FloodScenarioTest {

  @Test
  void theNewcomerShareHoldsUnderAFlood() throws Exception {
    Scenario sc = ScenarioReader.read(Path.of("..", "scenarios", "s7-low-rate-flood.yaml"), 1);
    RunResult with = new Simulation(sc, "default", 1).run();
    RunResult without = new Simulation(sc, "default-no-anomaly", 1).run();
    for (RunResult r : new RunResult[] {with, without}) {
      System.out.printf("%s: legit rejected %.4f, admitted/capacity max %.3f, attack share %.3f, of rate %.3f, detected after %.1f s, alarms/h %.1f%n",
          r.policy(), r.metrics().get("attack_compliant_rejection"), r.metrics().get("attack_admitted_vs_capacity"),
          r.metrics().get("attack_source_share"), r.metrics().get("attack_share_of_rate"), r.metrics().get("attack_detection_s"), r.metrics().get("anomaly_alarms_per_hour"));
    }
    assertThat(with.metrics().get("attack_compliant_rejection")).isLessThanOrEqualTo(0.01);
    assertThat(with.metrics().get("attack_admitted_vs_capacity")).isLessThanOrEqualTo(1.1);
    // unproven clients together take at most their 20 % share of the rate (plus the gate's burst)
    assertThat(with.metrics().get("attack_share_of_rate")).isLessThanOrEqualTo(0.21);
    assertThat(with.metrics().get("attack_detection_s")).isBetween(0.0, 2.0);
    assertThat(without.metrics().get("attack_compliant_rejection")).isGreaterThan(0.3);
  }
}
