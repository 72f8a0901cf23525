package dev.sluice.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Settling and overshoot against the ideal, in seconds: number tables, then every shipped scenario. */
class DynamicsTest {

  @Test
  void settlingCountsSecondsUntilTheRateStaysInTheBand() {
    double[] ideal = new double[20];
    Arrays.fill(ideal, 100);
    double[] admitted = ideal.clone();
    // A step at 10: the admitted rate needs a few seconds to follow.
    admitted[10] = 50;
    admitted[11] = 80;
    admitted[12] = 140;
    double[] d = Dynamics.measure(admitted, ideal, new int[] {10});
    // Trailing 3-second means from the step: s = 10: 50, 11: 65, 12: 90 (in, on the edge),
    // 13: 106.7 (in), 14: 113.3 (out), 15: 100 and on (in): settled 5 s after the step.
    assertThat(d[0]).isEqualTo(5);
    assertThat(d[1]).isEqualTo(5);
    assertThat(d[3]).isCloseTo(340.0 / 3 / 100 - 1, within(1e-9));
  }

  @Test
  void aRateThatNeverSettlesScoresTheStepsLengthNotZero() {
    double[] ideal = new double[30];
    Arrays.fill(ideal, 100);
    double[] admitted = new double[30];
    Arrays.fill(admitted, 50);
    double[] d = Dynamics.measure(admitted, ideal, new int[] {10, 18});
    assertThat(d[0]).isEqualTo((8 + 12) / 2.0);
    assertThat(d[1]).isEqualTo(12);
    assertThat(d[2]).isZero();
    // Out of the band only in the step's last second is still "never settled".
    admitted = ideal.clone();
    admitted[29] = 200;
    admitted[28] = 200;
    assertThat(Dynamics.measure(admitted, ideal, new int[] {10})[0]).isEqualTo(20);
  }

  @Test
  void noStepsMeansTheMetricsDoNotApply() {
    assertThat(Dynamics.measure(new double[5], new double[5], new int[0])).containsOnly(Double.NaN);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.sluice.sim.ScenarioSmokeTest#scenarios")
  void everyScenarioWithAStepCanFailIt(Path file) throws Exception {
    Scenario sc = ScenarioReader.read(file, 0.05);
    Backend backend = new Backend(sc.backend(), sc.seconds(), new SplittableRandom(1));
    double[] capacity = new double[sc.seconds()];
    double[] ideal = new double[sc.seconds()];
    for (int s = 0; s < capacity.length; s++) {
      capacity[s] = backend.capacity(s);
      for (Scenario.Source src : sc.sources()) {
        ideal[s] += src.rates()[s] * src.meanCost();
      }
      ideal[s] = Math.min(ideal[s], capacity[s]);
    }
    int[] steps = Dynamics.steps(sc, capacity);
    if (steps.length == 0) {
      return;
    }
    // A policy that cannot settle: it admits 30 % above the ideal, or 1 token/s more than 0, all along.
    double[] admitted = new double[ideal.length];
    for (int s = 0; s < ideal.length; s++) {
      admitted[s] = Math.max(ideal[s] * 1.3, 2);
    }
    double[] d = Dynamics.measure(admitted, ideal, steps);
    double longest = 0;
    double total = 0;
    for (int i = 0; i < steps.length; i++) {
      int len = (i + 1 < steps.length ? steps[i + 1] : ideal.length) - steps[i];
      longest = Math.max(longest, len);
      total += len;
    }
    assertThat(d[1]).as("worst settling is the longest step").isEqualTo(longest);
    assertThat(d[0]).as("every step scores its length").isEqualTo(total / steps.length);
    // The ideal itself settles at once after every step.
    assertThat(Dynamics.measure(ideal, ideal, steps)[1]).isZero();
  }

  @Test
  void aStaticRateAboveTheLostCapacityNeverSettlesInASimulation() throws Exception {
    Scenario sc = ScenarioReader.read(Path.of("..", "scenarios", "s4-capacity-loss.yaml"));
    RunResult r = new Simulation(sc, "static", 1, 2 * sc.nominalCapacity()).run();
    // Steps at 60 s (half the workers go) and 180 s (they come back); 0.8x demand stays admitted
    // after the loss, above the new capacity, for the whole 120 s.
    assertThat(r.metrics().get("settling_max_s")).isEqualTo(120);
    assertThat(r.metrics().get("overshoot_max")).isGreaterThan(0.3);
    RunResult oracle = new Simulation(sc, "oracle", 1).run();
    assertThat(oracle.metrics().get("settling_max_s")).as("the oracle follows at once").isZero();
  }

  @Test
  void stepsAreWherePhasesOrTheScheduleChangeByMoreThanAFifth() throws Exception {
    Scenario s2 = ScenarioReader.read(Path.of("..", "scenarios", "s2-flash.yaml"));
    assertThat(Dynamics.steps(s2, flat(s2.seconds(), 1000))).containsExactly(60, 120, 180, 240);
    Scenario s1 = ScenarioReader.read(Path.of("..", "scenarios", "s1-ramp.yaml"));
    assertThat(Dynamics.steps(s1, flat(s1.seconds(), 1000))).as("a ramp has no step").isEmpty();
  }

  private static double[] flat(int n, double v) {
    double[] a = new double[n];
    Arrays.fill(a, v);
    return a;
  }
}
