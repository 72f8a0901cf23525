package dev.sluice.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

/** Closed-loop sources: virtual users with think time and k6 stages. */
class ClosedLoopTest {

  /** One worker, a fixed 50 ms service time, no limit in the way. */
  private static String scenario(String stages, String think) {
    return """
        backend: {workers: 20, service: {mean: 50ms, cv: 0}, deadline: 10s}
        static-fraction: 100
        limiter: {global-burst: 10s}
        sources:
          - name: vu
            clients: 3
            vus:
              think: %s
              stages: %s
        """.formatted(think, stages);
  }

  @Test
  void eachUserWaitsForItsAnswerThenThinks() {
    // One user: 50 ms service + 100 ms think = one request every 150 ms, for 30 s.
    Scenario sc = ScenarioReader.parse(scenario("[{duration: 100ms, target: 1}, {duration: 30s, target: 1}]",
        "100ms"), "one", null, 1, "one.yaml");
    RunResult r = Experiment.runOnce(sc, "static", 1);
    // Starts at 0.1 s; iterations begin every 150 ms until 30.1 s: 201 of them, the last unanswered
    // at the end of the run or just answered.
    assertThat(r.requests()).isBetween(200L, 201L);
    assertThat(r.metrics().get("p50_ms")).isCloseTo(50, within(1.0));
    assertThat(r.succeeded() + r.inFlight()).isEqualTo(r.requests());
  }

  @Test
  void usersFollowTheStagesLikeK6RampingVus() {
    // 0 -> 10 users over 10 s, 10 for 10 s, 10 -> 0 over 10 s; each loops every 150 ms.
    Scenario sc = ScenarioReader.parse(scenario(
        "[{duration: 10s, target: 10}, {duration: 10s, target: 10}, {duration: 10s, target: 0}]", "100ms"),
        "ramp", null, 1, "ramp.yaml");
    assertThat(sc.seconds()).isEqualTo(30);
    double[] demand = Experiment.runOnce(sc, "static", 1).series().get("demand_tokens");
    // Holding 10 users: 10 / 0.15 s = 66.7 requests per second.
    for (int s = 11; s < 20; s++) {
      assertThat(demand[s]).as("second %d", s).isBetween(65.0, 68.0);
    }
    // Ramping up, user v starts when the target reaches v + 1 (at v + 1 seconds): ~ 6.7 × s per second.
    assertThat(demand[4]).isBetween(20.0, 35.0);
    // Ramping down, users stop after the iteration in which they were no longer wanted.
    assertThat(demand[25]).isBetween(20.0, 35.0);
    assertThat(demand[29]).isLessThan(10.0);
    double total = 0;
    for (double d : demand) {
      total += d;
    }
    // Whole users wanted (user v while the target >= v + 1) over time: 45 + 100 + 45 user-seconds,
    // at one request per 0.15 s each.
    assertThat(total).isCloseTo(190 / 0.15, within(15.0));
  }

  @Test
  void aRejectedUserComesBackAfterItsThinkTimeOnly() {
    // 5 users against a 1/s bucket: every rejection is instant, so each user loops every 10 ms.
    Scenario sc = ScenarioReader.parse("""
        backend: {workers: 20, service: {mean: 50ms, cv: 0}, deadline: 10s}
        static-fraction: 0.001
        limiter: {global-burst: 1s}
        sources:
          - name: vu
            clients: 5
            vus: {think: 10ms, stages: [{duration: 10s, target: 5}, {duration: 10s, target: 5}]}
        """, "reject", null, 1, "reject.yaml");
    RunResult r = Experiment.runOnce(sc, "static", 1);
    double[] demand = r.series().get("demand_tokens");
    for (int s = 11; s < 20; s++) {
      assertThat(demand[s]).as("second %d: 5 users x 100 per second", s).isBetween(495.0, 500.0);
    }
    assertThat(r.rejected()).isGreaterThan(r.requests() * 9 / 10);
  }

  @Test
  void aClosedLoopSourceIsReadWithItsProblems() {
    assertThatThrownBy(() -> ScenarioReader.parse("""
        sources:
          - name: vu
            zipf: 1
            rate: [{for: 10s, rate: 5}]
            vus: {think: 0ms, stages: [{duration: 0s, target: 5}]}
        """, "bad", null, 1, "bad.yaml"))
        .hasMessageContaining("sources[0].rate: ")
        .hasMessageContaining("(expected: either rate phases or vus, not both)")
        .hasMessageContaining("sources[0].zipf: 1 (expected: no zipf with vus")
        .hasMessageContaining("sources[0].vus.think: 0ms (expected: a positive duration")
        .hasMessageContaining("sources[0].vus.stages[0].duration: 0s (expected: a positive duration");
  }

  @Test
  void usersScaleWithTheScenario() {
    Scenario sc = ScenarioReader.parse(scenario("[{duration: 10s, target: 1000}]", "10ms"), "s", null, 0.05,
        "s.yaml");
    assertThat(sc.sources().get(0).closedLoop().maxUsers()).isEqualTo(50);
  }
}
