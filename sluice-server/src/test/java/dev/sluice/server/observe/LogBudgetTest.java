package dev.sluice.server.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.ManualClock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** A log budget passes N lines a second and counts the rest, on the clock it is given. */
class LogBudgetTest {

  @Test
  void nPlusKInOneSecondLogsNAndSuppressesKThenTheNextSecondLogsAgain() {
    for (long start : new long[] {0, -5_000_000_000L, Long.MAX_VALUE - 1_500_000_000L}) {
      ManualClock clock = new ManualClock(start);
      Counter suppressed = new SimpleMeterRegistry().counter("s");
      LogBudget budget = new LogBudget("limit", clock, 3, suppressed);

      int logged = 0;
      for (int i = 0; i < 5; i++) {
        logged += budget.tryLog() ? 1 : 0;
        clock.advance(Duration.ofMillis(100));
      }
      assertThat(logged).isEqualTo(3);
      assertThat(suppressed.count()).isEqualTo(2.0);

      clock.advance(Duration.ofMillis(500));
      assertThat(budget.tryLog()).as("a new second").isTrue();
      assertThat(suppressed.count()).isEqualTo(2.0);
    }
  }

  @Test
  void aZeroBudgetSuppressesEverythingAndANegativeOneIsRefused() {
    Counter suppressed = new SimpleMeterRegistry().counter("s");
    LogBudget budget = new LogBudget("limit", new ManualClock(), 0, suppressed);
    assertThat(budget.tryLog()).isFalse();
    assertThat(suppressed.count()).isEqualTo(1.0);
    assertThatThrownBy(() -> new LogBudget("upstream error log limit", new ManualClock(), -1, suppressed))
        .hasMessage("upstream error log limit: -1 (expected: >= 0)");
  }
}
