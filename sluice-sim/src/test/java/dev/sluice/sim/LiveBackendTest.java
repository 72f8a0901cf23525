package dev.sluice.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/** The simulator's backend model for real time: the schedule by second, the service-time draws. */
class LiveBackendTest {

  private static final Scenario SC = ScenarioReader.parse("""
      name: t
      backend:
        workers: 10
        service: {distribution: lognormal, mean: 40ms, cv: 0.5}
        schedule:
          - {at: 10s, service-factor: 3}
          - {at: 20s, workers: 5, service-factor: 1}
      sources:
        - name: c
          clients: 1
          rate:
            - {for: 30s, rate: 0.5x}
      """, "t", null, 1, "t.yaml");

  @Test
  void followsTheScheduleBySecondAndKeepsTheLastStateAfterTheRun() {
    LiveBackend b = new LiveBackend(SC.backend(), SC.seconds(), 1);
    assertThat(b.workers(0)).isEqualTo(10);
    assertThat(b.capacity(0)).isEqualTo(250.0);
    assertThat(b.serviceFactor(10)).isEqualTo(3.0);
    assertThat(b.capacity(15)).isCloseTo(250.0 / 3, Offset.offset(1e-9));
    assertThat(b.workers(25)).isEqualTo(5);
    assertThat(b.capacity(10_000)).isEqualTo(125.0);
    assertThat(b.workers(-5)).isEqualTo(10);
  }

  @Test
  void drawsServiceTimesWithTheScenariosMeanTimesTheFactor() {
    LiveBackend b = new LiveBackend(SC.backend(), SC.seconds(), 7);
    double sum = 0;
    double slow = 0;
    int n = 100_000;
    for (int i = 0; i < n; i++) {
      sum += b.serviceNanos(0, 1);
      slow += b.serviceNanos(12, 1);
    }
    assertThat(sum / n / 1e6).isCloseTo(40.0, Offset.offset(0.5));
    assertThat(slow / n / 1e6).isCloseTo(120.0, Offset.offset(1.5));
    assertThat(new LiveBackend(SC.backend(), SC.seconds(), 7).serviceNanos(0, 1))
        .as("seeded").isEqualTo(new LiveBackend(SC.backend(), SC.seconds(), 7).serviceNanos(0, 1));
    assertThatThrownBy(() -> new LiveBackend(SC.backend(), 0, 1)).hasMessageContaining("seconds: 0");
  }
}
