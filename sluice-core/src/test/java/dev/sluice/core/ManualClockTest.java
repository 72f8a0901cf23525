package dev.sluice.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ManualClockTest {

  @Test
  void movesOnlyWhenToldAndNeverBackwards() {
    ManualClock clock = new ManualClock(-5);
    assertThat(clock.nanoTime()).isEqualTo(-5);
    assertThat(clock.advance(7)).isEqualTo(2);
    assertThat(clock.advance(Duration.ofNanos(3))).isEqualTo(5);
    clock.set(5);
    assertThat(clock.nanoTime()).isEqualTo(5);
    clock.set(1_000);
    assertThat(clock.nanoTime()).isEqualTo(1_000);
    assertThatThrownBy(() -> clock.set(999)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("nanos: 999 (expected: >= 1000, time is monotonic)");
    assertThatThrownBy(() -> clock.advance(-1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("nanos: -1 (expected: >= 0, time is monotonic)");
    assertThat(clock.nanoTime()).isEqualTo(1_000);
    assertThat(new ManualClock().nanoTime()).isZero();
  }
}
