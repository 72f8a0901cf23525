package dev.sluice.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The ideal, goodput in tokens, static-best and thresholds. */
class YardstickTest {

  @Test
  void theIdealIsOfferedTokensCappedByTrueCapacityEachSecond() {
    Scenario sc = Scenarios.busy();
    RunResult r = Experiment.runOnce(sc, "oracle", 1);
    double[] demand = r.series().get("demand_tokens");
    double[] capacity = r.series().get("capacity");
    double sum = 0;
    for (int s = 0; s < demand.length; s++) {
      assertThat(r.series().get("ideal_tokens")[s]).isEqualTo(Math.min(demand[s], capacity[s]));
      sum += Math.min(demand[s], capacity[s]);
    }
    assertThat(r.metrics().get("ideal_tps")).isCloseTo(sum / sc.seconds(), within(1e-9));
    assertThat(r.metrics().get("goodput_vs_ideal")).isCloseTo(r.metrics().get("goodput_tps") * sc.seconds() / sum,
        within(1e-9));
    // True capacity: 4 workers of 40 ms (bimodal: 0.9 × 40 + 0.1 × 400 = 76 ms mean) = 52.6 tokens/s;
    // down from 10 s to 15 s; 2 workers at twice the service time from 20 s.
    assertThat(capacity[0]).isCloseTo(4 * 1000 / 76.0, within(1e-9));
    assertThat(capacity[12]).isZero();
    assertThat(capacity[25]).isCloseTo(2 * 1000 / 152.0, within(1e-9));
  }

  @Test
  void goodputIsInTokensAndInRequests() throws Exception {
    Scenario sc = ScenarioReader.read(Path.of("..", "scenarios", "s9-cost-skew.yaml"));
    RunResult r = Experiment.runOnce(sc, "oracle", 1);
    double tokens = 0;
    double requests = 0;
    for (int s = 0; s < sc.seconds(); s++) {
      tokens += r.series().get("goodput_tokens")[s];
      requests += r.series().get("goodput")[s];
    }
    assertThat(r.metrics().get("goodput_tps")).isCloseTo(tokens / sc.seconds(), within(1e-9));
    assertThat(r.metrics().get("goodput_rps")).isCloseTo(requests / sc.seconds(), within(1e-9));
    // 5 % of requests cost 20 (1.95 tokens per offered request on average); under load a bucket
    // turns heavy requests away more often than light ones, so a good request is worth less.
    assertThat(tokens / requests).isBetween(1.2, 1.95);
  }

  @Test
  void staticBestIsTheSweepsBestRunInTokens() {
    Scenario sc = Scenarios.busy();
    RunResult best = Experiment.runOnce(sc, "static-best", 2);
    double most = 0;
    for (int k = Experiment.SWEEP_FROM; k <= Experiment.SWEEP_TO; k++) {
      RunResult r = new Simulation(sc, "static", 2, k / 20.0 * sc.nominalCapacity()).run();
      most = Math.max(most, r.metrics().get("goodput_tps"));
      assertThat(best.metrics().get("goodput_tps")).isGreaterThanOrEqualTo(r.metrics().get("goodput_tps"));
    }
    assertThat(best.metrics().get("goodput_tps")).isEqualTo(most);
    assertThat(best.policy()).isEqualTo("static-best");
    double f = best.metrics().get("static_fraction");
    assertThat(f * 20).isCloseTo(Math.rint(f * 20), within(1e-9));
    assertThat(f).isBetween(0.5, 1.2);
    assertThat(Experiment.runCount(java.util.List.of("static-best", "oracle"), 3)).isEqualTo(3 * 16);
  }

  @Test
  void thresholdsPassOrFailPerSeed() throws Exception {
    Scenario sc = ScenarioReader.parse(Scenarios.BUSY + "thresholds: {p95: [1ms, 1h], p50: 2h}\n", "busy", null, 1,
        "busy.yaml");
    assertThat(sc.thresholds()).extracting(Scenario.Threshold::label)
        .containsExactly("p(95)<1ms", "p(95)<3600000ms", "p(50)<7200000ms");
    ExperimentResult r = Experiment.run(sc, java.util.List.of("static"), 2, 1, null);
    assertThat(r.passed("static", "p(95)<1ms")).isZero();
    assertThat(r.passed("static", "p(95)<3600000ms")).isEqualTo(2);
    assertThat(ReportWriter.json(r)).contains("\"p(95)<1ms\" : {", "\"passed\" : 0", "\"seeds\" : 2");
    assertThat(Markdown.report(r)).contains("| static | fail (0/2) | **pass** (2/2) | **pass** (2/2) |");
  }

  @Test
  void theSeedK6ScenarioIsTheSeedsScript() throws Exception {
    Scenario sc = ScenarioReader.read(Path.of("..", "scenarios", "seed-k6.yaml"));
    Scenario.ClosedLoop vus = sc.sources().get(0).closedLoop();
    assertThat(vus.thinkMillis()).isEqualTo(10);
    assertThat(vus.stages()).containsExactly(new Scenario.Stage(30, 1000), new Scenario.Stage(10, 10000),
        new Scenario.Stage(30, 1000));
    assertThat(sc.seconds()).isEqualTo(70);
    assertThat(sc.thresholds()).containsExactly(new Scenario.Threshold(95, 150), new Scenario.Threshold(95, 300));
  }
}
