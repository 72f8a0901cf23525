package dev.sluice.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.ManualClock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The breaker's states on a manual clock, and the one report per move between closed and open. */
class CircuitBreakerTest {

  private final ManualClock clock = new ManualClock(Long.MAX_VALUE - 1_000_000_000L);
  private final List<Boolean> moves = new ArrayList<>();
  private final CircuitBreaker breaker = new CircuitBreaker(clock, 3, 500_000_000L, moves::add);

  @Test
  void opensAfterTheThresholdProbesAfterTheOpenPeriodAndClosesOnSuccess() {
    assertThat(breaker.failure()).isFalse();
    assertThat(breaker.failure()).isFalse();
    assertThat(moves).isEmpty();
    assertThat(breaker.failure()).isTrue();
    assertThat(moves).containsExactly(true);
    assertThat(breaker.closed()).isFalse();
    assertThat(breaker.allow()).isFalse();

    clock.advance(500_000_000L);
    assertThat(breaker.allow()).as("the probe").isTrue();
    assertThat(breaker.allow()).as("only one probe at a time").isFalse();
    assertThat(breaker.failure()).as("a failed probe keeps it open").isFalse();
    assertThat(breaker.allow()).isFalse();
    assertThat(moves).containsExactly(true);

    clock.advance(500_000_000L);
    assertThat(breaker.allow()).isTrue();
    assertThat(breaker.success()).isTrue();
    assertThat(breaker.success()).isFalse();
    assertThat(breaker.closed()).isTrue();
    assertThat(moves).containsExactly(true, false);
  }

  @Test
  void aTripAtStartOpensOnceAndLetsTheFirstCallProbeAtOnce() {
    assertThat(breaker.trip()).isTrue();
    assertThat(breaker.trip()).isFalse();
    assertThat(breaker.closed()).isFalse();
    assertThat(moves).containsExactly(true);

    assertThat(breaker.allow()).as("probe without waiting out an open period").isTrue();
    assertThat(breaker.failure()).isFalse();
    assertThat(breaker.allow()).isFalse();
    assertThat(breaker.success()).isTrue();
    assertThat(moves).containsExactly(true, false);
  }
}
