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
    for (String f : List.of("results.json", "report.md", "runs/combined-seed2.csv", "runs/static-seed1.csv",
        "runs/default-seed2.csv")) {
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
  void everyPermitTakenIsReleasedExactlyOnce() {
    Scenario sc = Scenarios.busy();
    for (long seed = 1; seed <= 3; seed++) {
      Simulation sim = new Simulation(sc, "default", seed);
      RunResult r = sim.run();
      Permits p = sim.permits();
      assertThat(p.taken()).as("seed " + seed).isGreaterThan(1_000);
      assertThat(p.released()).as("seed " + seed).isEqualTo(p.taken());
      assertThat(p.refused()).as("no permit released twice or after it expired").isZero();
      assertThat(p.expired()).isZero();
      assertThat(p.inFlight()).as("nothing in flight at the global concurrency level").isZero();
      // Released at the end: only attempts still out then (queued, in service or failing fast).
      assertThat(p.releasedAtEnd()).isLessThanOrEqualTo(r.inFlight());
      // The loop moved the level away from its Little's-law start.
      double[] level = r.series().get("inflight_limit");
      assertThat(java.util.Arrays.stream(level).distinct().count()).as("levels seen").isGreaterThan(1);
    }
    for (String policy : List.of("combined", "static", "oracle")) {
      Simulation sim = new Simulation(sc, policy, 1);
      sim.run();
      assertThat(sim.permits().taken()).as(policy + " has no concurrency level").isZero();
    }
  }

  @Test
  void permitsAreDeterministicForASeed() {
    Scenario sc = Scenarios.busy();
    Simulation one = new Simulation(sc, "default", 4);
    Simulation two = new Simulation(sc, "default", 4);
    RunResult a = one.run();
    RunResult b = two.run();
    assertThat(two.permits().taken()).isEqualTo(one.permits().taken());
    assertThat(two.permits().releasedAtEnd()).isEqualTo(one.permits().releasedAtEnd());
    assertThat(b.series().get("inflight_limit")).containsExactly(a.series().get("inflight_limit"));
    assertThat(b.metrics()).isEqualTo(a.metrics());
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
  void badScenariosAreRejectedWithLinesAndPaths() {
    assertThatThrownBy(() -> ScenarioReader.parse("""
        duration: 10s
        backend: {workers: 0, service: {distribution: weird}}
        sources: [{name: p, tier: nope, rate: [{for: 10s, rate: fast}]}]
        adaptive: {latency-aimd: {increase: 0.5}}
        policies: {aimd: [magic]}
        """, "bad", null, 1, "bad.yaml"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("bad.yaml:2: backend.workers: 0 (expected: a number in [1, 1000000])")
        .hasMessageContaining("bad.yaml:2: backend.service.distribution: weird")
        .hasMessageContaining("bad.yaml:3: sources[0].tier: nope")
        .hasMessageContaining("bad.yaml:3: sources[0].rate[0].rate: fast")
        .hasMessageContaining("bad.yaml:4: adaptive.latency-aimd.increase: 0.5")
        .hasMessageContaining("bad.yaml:5: policies.aimd: magic");
  }

  @Test
  void scenarioProblemsCarryTheLineOfTheirValue() {
    assertThatThrownBy(() -> ScenarioReader.parse("""
        name: lines
        backend:
          workers: 4
          service:
            mean: soon
        sources:
          - name: a
            rate:
              - {for: 10s, rate: 2x}
              - for: 0s
                rate: 5
            retry: {max-attempts: many}
        adaptive:
          interval: 5
          latency-aimd:
            low: 400ms
            high: 300ms
        speed: 3
        """, "lines", null, 1, "lines.yaml"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(String.join("\n",
            "lines.yaml:5: backend.service.mean: soon (expected: a duration such as 250ms, 5s or 2m)",
            "lines.yaml:10: sources[0].rate[1].for: 0s (expected: a positive duration such as 30s)",
            "lines.yaml:12: sources[0].retry.max-attempts: many (expected: a number)",
            "lines.yaml:14: adaptive.interval: 5 (expected: a duration with a unit, such as 250ms, 10s, 2m, 1h"
                + " or PT10S)",
            "lines.yaml:18: speed: unknown field (expected: one of name, description, duration, seeds, slo,"
                + " backend, limiter, sources, static-fraction, oracle-utilisation, adaptive, policies, thresholds)"));
    // Once the types are right, a controller's own range check is reported on the line of the value it names.
    assertThatThrownBy(() -> ScenarioReader.parse("""
        sources: [{rate: [{for: 10s, rate: 5}]}]
        adaptive:
          latency-aimd:
            low: 400ms
            high: 300ms
        """, "pair", null, 1, "pair.yaml"))
        .hasMessage("pair.yaml:5: adaptive.latency-aimd.low/high: low 400.0 and high 300.0 (expected: low < high)");
    assertThatThrownBy(() -> ScenarioReader.parse("sources: [\n", "syntax", null, 1, "syntax.yaml"))
        .hasMessageStartingWith("syntax.yaml:2: invalid YAML: ");
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

  @Test
  void thePredictivePolicyRunsByNameDeterministicallyAndAccountsForEveryRequest() {
    assertThat(Policy.parse("default,predictive")).containsExactly("default", "predictive");
    assertThat(Policy.parse("all")).doesNotContain("predictive");
    Scenario sc = Scenarios.busy();
    RunResult a = Experiment.runOnce(sc, "predictive", 2);
    RunResult b = Experiment.runOnce(sc, "predictive", 2);
    assertThat(a.succeeded()).isEqualTo(b.succeeded());
    assertThat(a.rejected()).isEqualTo(b.rejected());
    assertThat(a.succeeded() + a.failed() + a.rejected() + a.inFlight()).isEqualTo(a.requests());
  }
}
