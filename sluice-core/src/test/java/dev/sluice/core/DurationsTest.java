package dev.sluice.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The one duration syntax of config files, scenario files and command-line options. */
class DurationsTest {

  @Test
  void parsesEveryUnitAndIso8601() {
    assertThat(Durations.parse("250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(Durations.parse("1.5s")).isEqualTo(Duration.ofMillis(1500));
    assertThat(Durations.parse(" 10 s ")).isEqualTo(Duration.ofSeconds(10));
    assertThat(Durations.parse("2m")).isEqualTo(Duration.ofMinutes(2));
    assertThat(Durations.parse("2min")).isEqualTo(Duration.ofMinutes(2));
    assertThat(Durations.parse("1h")).isEqualTo(Duration.ofHours(1));
    assertThat(Durations.parse("1d")).isEqualTo(Duration.ofDays(1));
    assertThat(Durations.parse("7us")).isEqualTo(Duration.ofNanos(7_000));
    assertThat(Durations.parse("3ns")).isEqualTo(Duration.ofNanos(3));
    assertThat(Durations.parse("0s")).isZero();
    assertThat(Durations.parse("PT10S")).isEqualTo(Duration.ofSeconds(10));
    assertThat(Durations.parse("p1d")).isEqualTo(Duration.ofDays(1));
  }

  @Test
  void rejectsWithWhatWasExpected() {
    assertThatThrownBy(() -> Durations.parse("10 parsecs"))
        .hasMessage("duration: 10 parsecs (expected: a duration such as 250ms, 10s, 2m, 1h or PT10S)");
    assertThatThrownBy(() -> Durations.parse("10"))
        .hasMessage("duration: 10 (expected: a duration such as 250ms, 10s, 2m, 1h or PT10S)");
    assertThatThrownBy(() -> Durations.parse("PT"))
        .hasMessage("duration: PT (expected: an ISO-8601 duration such as PT10S or P1D)");
    assertThatThrownBy(() -> Durations.parse("0.5ns"))
        .hasMessage("duration: 0.5ns (expected: a whole number of nanoseconds)");
    assertThatThrownBy(() -> Durations.parse("999999999d")).hasMessageContaining("(expected: at most 106751d)");
  }
}
