package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.ManualClock;
import org.junit.jupiter.api.Test;

/** Interval snapshots of upstream latency and status classes. */
class UpstreamSignalsTest {

  @Test
  void anIntervalHasPercentilesAndStatusClassesAndThenResets() {
    ManualClock clock = new ManualClock(Long.MAX_VALUE - 10_000_000_000L);
    UpstreamSignals s = new UpstreamSignals(clock);
    for (int i = 1; i <= 100; i++) {
      s.record(i * 1_000_000L, i <= 90 ? 200 : i <= 95 ? 404 : 503);
    }
    s.record(-1, 502);
    clock.advance(5_000_000_000L);

    UpstreamSignals.Interval i = s.takeInterval();

    assertThat(i.endNanos() - i.startNanos()).isEqualTo(5_000_000_000L);
    assertThat(i.latencySamples()).isEqualTo(100);
    assertThat(i.p50Millis()).isBetween(49.9, 50.1);
    assertThat(i.p95Millis()).isBetween(94.9, 95.1);
    assertThat(i.p99Millis()).isBetween(98.9, 99.1);
    assertThat(i.maxMillis()).isBetween(99.9, 100.1);
    assertThat(i.status2xx()).isEqualTo(90);
    assertThat(i.status4xx()).isEqualTo(5);
    assertThat(i.status5xx()).isEqualTo(6);
    assertThat(i.errorRate()).isEqualTo(6 / 101.0);

    UpstreamSignals.Interval next = s.takeInterval();
    assertThat(next.responses()).isZero();
    assertThat(next.latencySamples()).isZero();
    assertThat(next.p99Millis()).isZero();
    assertThat(next.startNanos()).isEqualTo(i.endNanos());
  }
}
