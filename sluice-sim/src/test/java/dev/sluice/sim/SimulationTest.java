package dev.sluice.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Determinism, conservation, and the backend against M/M/c queueing theory. */
class SimulationTest {

  @Test
  void sameSeedGivesByteIdenticalOutputs(@TempDir Path dir) throws Exception {
    Scenario sc = Scenarios.busy();
    ExperimentResult one = Experiment.run(sc, Policy.ALL, 2, 2, null);
    ExperimentResult two = Experiment.run(sc, Policy.ALL, 2, 1, null);
    ReportWriter.write(one, dir.resolve("one"));
    ReportWriter.write(two, dir.resolve("two"));
    for (String f : List.of("results.json", "report.md", "runs/combined-seed2.csv", "runs/static-seed1.csv")) {
      assertThat(Files.readString(dir.resolve("one").resolve(f))).as(f)
          .isEqualTo(Files.readString(dir.resolve("two").resolve(f)));
    }
    assertThat(ReportWriter.json(one)).isNotEqualTo(ReportWriter.json(Experiment.run(sc, Policy.ALL, 3, 2, null)));
  }

  @Test
  void everyRequestIsAccountedForExactlyOnce() {
    Scenario sc = Scenarios.busy();
    for (String policy : Policy.ALL) {
      for (long seed = 1; seed <= 3; seed++) {
        RunResult r = Experiment.runOnce(sc, policy, seed);
        assertThat(r.requests()).as(policy).isGreaterThan(1_000);
        assertThat(r.succeeded() + r.failed() + r.rejected() + r.inFlight()).as(policy + " seed " + seed)
            .isEqualTo(r.requests());
        assertThat(r.failed()).as("the outage fails some requests").isPositive();
        assertThat(r.rejected()).as("overload rejects some").isPositive();
        assertThat(r.inFlight()).isLessThan(r.requests() / 5);
      }
    }
  }

  @Test
  void backendMatchesErlangC() {
    // M/M/5 with rho = 0.8: lambda = 80/s, mu = 20/s; no deadline or limiter in the way.
    String yaml = """
        duration: 3000s
        backend: {workers: 5, service: {distribution: exponential, mean: 50ms}, deadline: 1h}
        limiter: {global-burst: 10s}
        static-fraction: 100
        sources: [{name: p, clients: 1, rate: [{for: 3000s, rate: 80}]}]
        """;
    Scenario sc = ScenarioReader.parse(yaml, "mmc", null, 1, "mmc.yaml");
    RunResult r = Experiment.runOnce(sc, "static", 7);
    int c = 5;
    double lambda = 80;
    double mu = 20;
    double a = lambda / mu;
    double rho = a / c;
    double sum = 0;
    double term = 1;
    for (int k = 0; k < c; k++) {
      sum += term;
      term *= a / (k + 1);
    }
    double last = term / (1 - rho);
    double erlangC = last / (sum + last);
    double meanResponseMs = (erlangC / (c * mu - lambda) + 1 / mu) * 1000;
    assertThat(r.metrics().get("utilisation")).isCloseTo(rho, within(0.02));
    assertThat(r.metrics().get("mean_ms")).isCloseTo(meanResponseMs, within(meanResponseMs * 0.05));
    assertThat(r.metrics().get("rejected_total")).isZero();
    // Median of an exponential service time alone is 34.7 ms; queueing only adds to it.
    assertThat(r.metrics().get("p50_ms")).isGreaterThan(34);
  }

  @Test
  void badScenariosAreRejectedWithPaths() {
    assertThatThrownBy(() -> ScenarioReader.parse("""
        duration: 10s
        backend: {workers: 0, service: {distribution: weird}}
        sources: [{name: p, tier: nope, rate: [{for: 10s, rate: fast}]}]
        adaptive: {latency-aimd: {increase: 0.5}}
        policies: {aimd: [magic]}
        """, "bad", null, 1, "bad.yaml"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bad.yaml: backend.workers: 0 (expected: a number in [1, 1000000])")
        .hasMessageContaining("bad.yaml: backend.service.distribution: weird")
        .hasMessageContaining("bad.yaml: sources[0].tier: nope")
        .hasMessageContaining("bad.yaml: sources[0].rate[0].rate: fast")
        .hasMessageContaining("bad.yaml: adaptive.latency-aimd.increase: 0.5")
        .hasMessageContaining("bad.yaml: policies.aimd: magic");
  }

  @Test
  void eventQueueOrdersByTimeThenInsertion() {
    EventQueue q = new EventQueue();
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(3);
    for (int i = 0; i < 5_000; i++) {
      q.push(rnd.nextLong(100), 0, i);
    }
    long lastTime = -1;
    long lastPayload = -1;
    while (!q.isEmpty()) {
      q.pop();
      assertThat(q.poppedTime).isGreaterThanOrEqualTo(lastTime);
      if (q.poppedTime == lastTime) {
        assertThat(q.poppedPayload).isGreaterThan(lastPayload);
      }
      lastTime = q.poppedTime;
      lastPayload = q.poppedPayload;
    }
  }
}
