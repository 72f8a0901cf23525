package dev.sluice.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SaturatingTest {

  @Test
  void clampsInsteadOfWrapping() {
    assertThat(Saturating.add(Long.MAX_VALUE, 1)).isEqualTo(Long.MAX_VALUE);
    assertThat(Saturating.add(Long.MIN_VALUE, -1)).isEqualTo(Long.MIN_VALUE);
    assertThat(Saturating.add(5, -7)).isEqualTo(-2);
    assertThat(Saturating.subtract(Long.MAX_VALUE, -1)).isEqualTo(Long.MAX_VALUE);
    assertThat(Saturating.subtract(Long.MIN_VALUE, 1)).isEqualTo(Long.MIN_VALUE);
    assertThat(Saturating.subtract(Long.MAX_VALUE, Long.MIN_VALUE + 1)).isEqualTo(Long.MAX_VALUE);
    assertThat(Saturating.multiply(Long.MAX_VALUE / 2 + 1, 2)).isEqualTo(Long.MAX_VALUE);
    assertThat(Saturating.multiply(3_000_000_000L, 3_600_000_000_000L)).isEqualTo(Long.MAX_VALUE);
    assertThat(Saturating.multiply(1 << 20, 1 << 20)).isEqualTo(1L << 40);
  }

  @Test
  void mulDivCeilIsExactBeyondSixtyFourBits() {
    assertThat(Saturating.mulDivCeil(7, 3, 2)).isEqualTo(11);
    assertThat(Saturating.mulDivCeil(Long.MAX_VALUE, 10, 20)).isEqualTo(Long.MAX_VALUE / 2 + 1);
    assertThat(Saturating.mulDivCeil(Long.MAX_VALUE, 3, 2)).isEqualTo(Long.MAX_VALUE);
  }
}
