package dev.sluice.testkit;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.Limit;
import org.junit.jupiter.api.Test;

/** The checker must catch over-admission, or every test that relies on it proves nothing. */
class BucketInvariantCheckerTest {

  private static final long SECOND = 1_000_000_000L;

  @Test
  void acceptsExactlyBurstPlusRateTimesT() {
    BucketInvariantChecker c = new BucketInvariantChecker("b", Limit.of(10, 2), 0);
    c.onAdmit(0, 10);
    c.onAdmit(SECOND, 2);
    c.onAdmit(3 * SECOND, 4);
    assertThatCode(() -> c.onAdmit(3 * SECOND + SECOND / 2, 1)).doesNotThrowAnyException();
  }

  @Test
  void catchesOneTokenTooManyInAnyWindow() {
    BucketInvariantChecker c = new BucketInvariantChecker("b", Limit.of(10, 2), 0);
    c.onAdmit(0, 10);
    assertThatThrownBy(() -> c.onAdmit(SECOND, 3))
        .isInstanceOf(AssertionError.class)
        .hasMessageContaining("b over-admitted by 1.000000 tokens");
  }

  @Test
  void catchesAnOverAdmittingWindowThatStartsLate() {
    // Idle for 100 s, then 10 + 2*1 allowed over [100 s, 101 s]; 13 is one too many even though
    // the whole history's average is far below the rate.
    BucketInvariantChecker c = new BucketInvariantChecker("b", Limit.of(10, 2), 0);
    c.onAdmit(100 * SECOND, 10);
    assertThatThrownBy(() -> c.onAdmit(101 * SECOND, 3)).isInstanceOf(AssertionError.class);
  }

  @Test
  void aBurstIncreaseAddsHeadroomAndARateCutTakesRefillAway() {
    BucketInvariantChecker c = new BucketInvariantChecker("b", Limit.of(10, 10), 0);
    c.onAdmit(0, 10);
    c.onLimitChange(0, Limit.of(15, 10));
    c.onAdmit(0, 5);
    c.onLimitChange(0, Limit.of(15, 1));
    assertThatThrownBy(() -> c.onAdmit(SECOND, 2)).isInstanceOf(AssertionError.class);
  }

  @Test
  void refusesEventsOutOfOrder() {
    BucketInvariantChecker c = new BucketInvariantChecker("b", Limit.of(10, 2), 5);
    assertThatThrownBy(() -> c.onAdmit(4, 1)).isInstanceOf(IllegalStateException.class);
  }
}
