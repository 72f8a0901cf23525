package dev.sluice.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link Conditions}: returns once the condition holds, fails naming it once the deadline passed. */
class ConditionsTest {

  @Test
  void returnsOnceTheConditionHolds() {
    AtomicInteger checks = new AtomicInteger();
    Conditions.await("the third check", Duration.ofSeconds(30), () -> checks.incrementAndGet() >= 3);
    assertThat(checks.get()).isEqualTo(3);
  }

  @Test
  void failsWithWhatItWaitedForAsItReadsAtTheDeadline() {
    AtomicInteger checks = new AtomicInteger();
    assertThatThrownBy(() -> Conditions.await(() -> "never; checks " + checks.get(), Duration.ZERO,
        Duration.ofMillis(1), () -> checks.incrementAndGet() < 0))
        .isInstanceOf(AssertionError.class)
        .hasMessageStartingWith("timed out after PT0S waiting for: never; checks ")
        .hasMessageNotContaining("checks 0");
  }

  @Test
  void aConditionThatThrowsFailsAtOnce() {
    assertThatThrownBy(() -> Conditions.await("a dead process", Duration.ofSeconds(30), () -> {
      throw new AssertionError("the process exited");
    })).hasMessage("the process exited");
  }

  @Test
  void rejectsANonPositivePoll() {
    assertThatThrownBy(() -> Conditions.await("x", Duration.ofSeconds(1), Duration.ZERO, () -> true))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("poll PT0S");
  }
}
