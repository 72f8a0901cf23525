package dev.sluice.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class RateTest {

  @Test
  void parsesUnitsExactly() {
    assertThat(Rate.parse("100/s")).isEqualTo(new Rate(100, 1_000_000_000L));
    assertThat(Rate.parse("6000/min").perSecond()).isEqualTo(100.0);
    assertThat(Rate.parse("1/h")).isEqualTo(new Rate(1, 3_600_000_000_000L));
    assertThat(Rate.parse("2/d").perSecond()).isEqualTo(2.0 / 86_400);
    assertThat(Rate.parse("10/ms").perSecond()).isEqualTo(10_000.0);
    assertThat(Rate.parse(" 250 ")).isEqualTo(Rate.perSecond(250));
    assertThat(Rate.parse("0.5")).isEqualTo(new Rate(1, 2_000_000_000L));
    assertThat(Rate.parse("4000/S")).isEqualTo(Rate.perSecond(4000));
    assertThat(Rate.parse("1e3")).isEqualTo(Rate.perSecond(1000));
  }

  @Test
  void rejectsBadRatesWithTheExpectedForm() {
    assertThatThrownBy(() -> Rate.parse("-3")).hasMessage("rate: -3 (expected: > 0)");
    assertThatThrownBy(() -> Rate.parse("0/s")).hasMessage("rate: 0/s (expected: > 0)");
    assertThatThrownBy(() -> Rate.parse("abc")).hasMessageContaining("expected: a number");
    assertThatThrownBy(() -> Rate.parse("5/week")).hasMessageContaining("unknown unit 'week'");
    assertThatThrownBy(() -> Rate.parse("")).hasMessageContaining("rate: empty");
    assertThatThrownBy(() -> Rate.parse("2000000000/s")).hasMessageContaining("<= 1000000000/s");
  }

  @Test
  void intervalRoundsUpSoBucketsNeverRefillFaster() {
    assertThat(Rate.perSecond(4000).intervalNanos()).isEqualTo(250_000);
    assertThat(Rate.perSecond(3).intervalNanos()).isEqualTo(333_333_334);
    assertThat(Rate.parse("1/h").intervalNanos()).isEqualTo(3_600_000_000_000L);
    assertThat(Rate.perSecond(1_000_000_000).intervalNanos()).isEqualTo(1);
  }

  @Test
  void acceptsEveryRateUpToAMillionPerSecondAndFastRatesThatRoundByAtMostATenthOfAPercent() {
    assertThat(Rate.perSecond(999_999).intervalNanos()).isEqualTo(1001); // 0.0999 % slower
    assertThat(Rate.parse("999999.9").intervalNanos()).isEqualTo(1001);
    assertThat(Rate.perSecond(1_000_000).intervalNanos()).isEqualTo(1000);
    assertThat(Rate.perSecond(250_000_000).intervalNanos()).isEqualTo(4);
    assertThat(Rate.perSecond(1_500_000).intervalNanos()).isEqualTo(667); // 666.67 ns: 0.05 %
    assertThat(new Rate(1, 3).perSecond()).isEqualTo(1e9 / 3);
    for (long n = 1; n <= 1000; n++) {
      assertThat(new Rate(1, n).intervalNanos()).isEqualTo(n);
    }
  }

  @Test
  void rejectsFastRatesThatAWholeNanosecondIntervalWouldSlowByMoreThanATenthOfAPercent() {
    // 3e8/s is 3.33 ns per token; enforced as 4 ns, it ran 16.7 % slow.
    assertThatThrownBy(() -> Rate.perSecond(300_000_000)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("rate: 300000000/s would be enforced as one token per 4 ns, 16.67 % slower"
            + " (expected: at most 1000000/s, or a rate within 0.1 % of a whole number of nanoseconds"
            + " per token, such as 250000000/s (4 ns) or 333333334/s (3 ns))");
    // The two rates the message suggests are accepted.
    assertThat(Rate.perSecond(250_000_000).intervalNanos()).isEqualTo(4);
    assertThat(Rate.perSecond(333_333_334).intervalNanos()).isEqualTo(3);
    // 3e6/s is 333.33 ns per token: 0.2 % slower as 334 ns, rejected; the suggestions are accepted.
    assertThatThrownBy(() -> Rate.perSecond(3_000_000))
        .hasMessageContaining("such as 2994012/s (334 ns) or 3003004/s (333 ns)");
    assertThat(Rate.perSecond(2_994_012).intervalNanos()).isEqualTo(334);
    assertThat(Rate.perSecond(3_003_004).intervalNanos()).isEqualTo(333);
    assertThatThrownBy(() -> Rate.parse("666666667/s")).hasMessageContaining("one token per 2 ns");
    assertThatThrownBy(() -> Rate.parse("400000000/s")).hasMessageContaining("one token per 3 ns");
    // 1_001_000/s: 999.000999 ns per token, enforced as 1000 ns: 0.0999 % slower, accepted.
    assertThat(Rate.perSecond(1_001_000).intervalNanos()).isEqualTo(1000);
    // 1000 tokens per 998_001 ns: 998.001 ns, enforced as 999 ns, exactly 0.1 % slower: accepted.
    assertThat(new Rate(1000, 998_001).intervalNanos()).isEqualTo(999);
    // 2000 tokens per 1_996_001 ns: 998.0005 ns, enforced as 999 ns, 0.10005 % slower: rejected.
    assertThatThrownBy(() -> new Rate(2000, 1_996_001)).hasMessageContaining("one token per 999 ns")
        .hasMessageContaining("0.10 % slower");
  }

  @Test
  void computedRatesRoundDownToWhatABucketEnforces() {
    assertThat(Rate.atMost(3, 10)).isEqualTo(new Rate(1, 4));
    assertThat(Rate.atMost(1_000_000, 1_000_000_000)).isEqualTo(Rate.perSecond(1_000_000));
    assertThat(Rate.perSecond(1_000_000_000).times(0.3)).isEqualTo(new Rate(1, 4));
    assertThat(Rate.perSecond(1_000_000_000).times(0.25)).isEqualTo(Rate.perSecond(250_000_000));
    assertThatThrownBy(() -> Rate.atMost(0, 10)).hasMessageContaining("expected: > 0");
    assertThatThrownBy(() -> Rate.atMost(11, 10)).hasMessageContaining("<= 1000000000/s");
  }

  @Test
  void scalesBySharesWithoutRoundingUp() {
    assertThat(Rate.perSecond(10_000).times(0.6)).isEqualTo(Rate.perSecond(6000));
    assertThat(Rate.perSecond(1).times(1.0 / 3)).satisfies(r -> assertThat(r.perSecond()).isLessThanOrEqualTo(1.0 / 3));
    assertThat(Rate.parse("1/h").times(0.25).toString()).isEqualTo("6/d");
  }

  @Test
  void formatsInTheLargestExactUnit() {
    assertThat(Rate.parse("100/s")).hasToString("100/s");
    assertThat(Rate.parse("6000/min")).hasToString("100/s");
    assertThat(Rate.parse("1/min")).hasToString("1/min");
    assertThat(Rate.parse("0.5")).hasToString("30/min");
  }

  @Test
  void comparesExactly() {
    assertThat(Rate.parse("60/min")).isEqualByComparingTo(Rate.perSecond(1));
    assertThat(Rate.parse("61/min")).isGreaterThan(Rate.perSecond(1));
  }
}
