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
