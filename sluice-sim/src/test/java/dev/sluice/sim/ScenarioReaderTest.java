package dev.sluice.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.adaptive.AdaptiveSettings;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Scenario files through the config's YAML reader: the format's leniencies, the shared adaptive section. */
class ScenarioReaderTest {

  @Test
  void keepsTheScenarioFormatsLeniencies() {
    Scenario sc = ScenarioReader.parse("""
        slo: 250                        # a plain number is milliseconds
        backend:
          workers: "10"                 # a quoted number is a number
          service: {mean: 0.1s, cv: "0.25"}
        limiter:
          tiers:
            t: {per-client: {burst: 2s, rate: 30000/min}}
        sources:
          - rate:
              - {for: 10s, rate: 2x}
              - {for: PT5S, rate: 50}
        """, "lenient", null, 1, "lenient.yaml");
    assertThat(sc.sloMillis()).isEqualTo(250);
    assertThat(sc.backend().workers()).isEqualTo(10);
    assertThat(sc.backend().service().fastMillis()).isEqualTo(100);
    assertThat(sc.backend().service().cv()).isEqualTo(0.25);
    assertThat(sc.limiter().tiers().get(0).perClient().burst()).isEqualTo(1000);
    assertThat(sc.limiter().tiers().get(0).perClient().rate().perSecond()).isEqualTo(500);
    assertThat(sc.seconds()).isEqualTo(15);
    assertThat(sc.sources().get(0).rates()[0]).isEqualTo(2 * sc.nominalCapacity());
    assertThat(sc.sources().get(0).rates()[14]).isEqualTo(50);
  }

  @Test
  void theAdaptiveSectionIsReadAsInAConfigFileThenScaled() {
    Scenario sc = ScenarioReader.parse("""
        sources: [{rate: [{for: 10s, rate: 5}]}]
        adaptive:
          interval: 2s
          limits: {min-rate: 100/s, max-rate: 2000/s}
        """, "adaptive", null, 0.5, "adaptive.yaml");
    assertThat(sc.adaptive().interval()).isEqualTo(Duration.ofSeconds(2));
    assertThat(sc.adaptive().limits().minRate()).isEqualTo(50);
    assertThat(sc.adaptive().limits().maxRate()).isEqualTo(1000);
    assertThat(sc.adaptive().latencyAimd().lowMillis()).isEqualTo(AdaptiveSettings.DEFAULTS.latencyAimd().lowMillis());
    // As in a config file, durations carry a unit there.
    assertThatThrownBy(() -> ScenarioReader.parse("""
        sources: [{rate: [{for: 10s, rate: 5}]}]
        adaptive:
          pi: {target: 200}
        """, "strict", null, 1, "strict.yaml"))
        .hasMessage("strict.yaml:3: adaptive.pi.target: 200"
            + " (expected: a duration with a unit, such as 250ms, 10s, 2m, 1h or PT10S)");
  }

  @Test
  void aMissingValueIsReportedOnItsMapping() {
    assertThatThrownBy(() -> ScenarioReader.parse("""
        name: empty
        backend: {workers: 2}
        """, "empty", null, 1, "empty.yaml"))
        .hasMessage(String.join("\n",
            "empty.yaml:1: duration: missing (expected: a positive duration, or sources with rate phases)",
            "empty.yaml:1: sources: missing (expected: at least one traffic source)"));
  }

  @Test
  void scalingRatesKeepsTheCapacityControllersSettings() {
    dev.sluice.adaptive.CapacityController c = dev.sluice.adaptive.CapacityController.DEFAULTS;
    dev.sluice.adaptive.CapacityController tuned = new dev.sluice.adaptive.CapacityController(c.period(), 1.5,
        c.target(), c.drainTime(), c.maxCut(), c.floor(), c.minResponses(), c.deliveryWindow(), c.rttWindow(),
        c.probe(), c.probeGain());
    dev.sluice.adaptive.AdaptiveSettings s = dev.sluice.adaptive.AdaptiveSettings.DEFAULTS.withCapacity(tuned);
    assertThat(ScenarioReader.scaleRates(s, 2).capacity()).isEqualTo(tuned);
  }
}
