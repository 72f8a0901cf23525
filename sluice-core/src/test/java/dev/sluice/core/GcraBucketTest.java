package dev.sluice.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class GcraBucketTest {

  private static final long SECOND = 1_000_000_000L;

  private static long consume(GcraBucket b, long now, long cost) {
    return b.tryConsume(now, cost, b.params());
  }

  @Test
  void admitsTheBurstThenRefillsAtTheRate() {
    GcraBucket b = new GcraBucket(Limit.of(10, 5)); // 10 tokens, 5/s -> 200 ms per token
    long t0 = 123_456_789L;
    for (int i = 0; i < 10; i++) {
      assertThat(consume(b, t0, 1)).isGreaterThanOrEqualTo(0);
    }
    long denied = consume(b, t0, 1);
    assertThat(denied).isNegative();
    assertThat(-1 - denied).isEqualTo(SECOND / 5); // wait one interval
    assertThat(b.waitNanos(t0, 1)).isEqualTo(SECOND / 5);
    assertThat(consume(b, t0 + SECOND / 5 - 1, 1)).isNegative();
    assertThat(consume(b, t0 + SECOND / 5, 1)).isGreaterThanOrEqualTo(0);
    assertThat(b.tokens(t0 + SECOND / 5)).isZero();
    assertThat(b.tokens(t0 + 3 * SECOND)).isEqualTo(10);
  }

  @Test
  void weightedCostsConsumeThatManyTokens() {
    GcraBucket b = new GcraBucket(Limit.of(10, 1));
    assertThat(b.params().tokens(consume(b, 0, 3))).isEqualTo(7);
    assertThat(b.params().tokens(consume(b, 0, 7))).isZero();
    assertThat(consume(b, 0, 1)).isNegative();
  }

  @Test
  void refundGivesBackOnlyWhatIsStillOutstanding() {
    GcraBucket b = new GcraBucket(Limit.of(10, 1));
    long debt = consume(b, 0, 4);
    b.refund(() -> 0, 0, debt, 4, b.params());
    assertThat(b.tokens(0)).isEqualTo(10);

    long d2 = consume(b, 0, 4); // 4 s of debt
    b.refund(() -> 3 * SECOND, 0, d2, 4, b.params()); // 3 s later only 1 s is outstanding
    assertThat(b.resetNanos(3 * SECOND)).isZero();
  }

  @Test
  void refundIsSkippedAfterAReconfiguration() {
    GcraBucket b = new GcraBucket(Limit.of(10, 1));
    GcraBucket.Params before = b.params();
    long debt = consume(b, 0, 5);
    b.reconfigure(() -> 0, new GcraBucket.Params(Limit.of(20, 2)));
    long tokens = b.tokens(0);
    b.refund(() -> 0, 0, debt, 5, before);
    assertThat(b.tokens(0)).isEqualTo(tokens);
  }

  @Test
  void reconfigurationCarriesTheFractionOfTokensOver() {
    GcraBucket b = new GcraBucket(Limit.of(100, 10));
    consume(b, 0, 30); // 70 % left
    b.reconfigure(() -> 0, new GcraBucket.Params(Limit.of(1000, 50)));
    assertThat(b.tokens(0)).isEqualTo(700);
    b.reconfigure(() -> 0, new GcraBucket.Params(Limit.of(10, 1)));
    assertThat(b.tokens(0)).isEqualTo(7);
    assertThat(b.limit()).isEqualTo(Limit.of(10, 1));
  }

  @Test
  void aFullBucketStaysFullAcrossReconfiguration() {
    GcraBucket b = new GcraBucket(Limit.of(100, 10));
    b.reconfigure(() -> 5, new GcraBucket.Params(Limit.of(300, 10)));
    assertThat(b.tokens(5)).isEqualTo(300);
  }

  /** One token refilled every nanosecond: a capacity of 1 ns, so a debt of 1 ns empties it. */
  private static final Limit ONE_NANO = Limit.of(1, Rate.MAX_PER_SECOND);

  @Test
  void aBucketFullAtTheInstantOfAChangeIntoAOneNanosecondCapacityStaysFullBothWays() {
    // Drained at 0 and exactly full again at 1_000_000 (TAT == now): the change must not leave a
    // debt behind, since 1 ns of debt is the whole of the new limit's capacity and, converted back,
    // the whole of the old one's.
    GcraBucket b = new GcraBucket(Limit.of(10, 10_000)); // 100 us per token, capacity 1 ms
    assertThat(consume(b, 0, 10)).isEqualTo(1_000_000);
    b.reconfigure(() -> 1_000_000, new GcraBucket.Params(ONE_NANO));
    assertThat(b.tokens(1_000_000)).isEqualTo(1);
    b.reconfigure(() -> 1_000_000, new GcraBucket.Params(Limit.of(10, 10_000)));
    assertThat(b.tokens(1_000_000)).isEqualTo(10);
    assertThat(consume(b, 1_000_000, 10)).isEqualTo(1_000_000);
  }

  @Test
  void aOneNanosecondBucketFullAtTheInstantOfAChangeStaysFullBothWays() {
    GcraBucket b = new GcraBucket(ONE_NANO);
    assertThat(consume(b, 500, 1)).isEqualTo(1); // TAT 501, full again at 501
    b.reconfigure(() -> 501, new GcraBucket.Params(Limit.of(10, 10_000)));
    assertThat(b.tokens(501)).isEqualTo(10);
    b.reconfigure(() -> 501, new GcraBucket.Params(ONE_NANO));
    assertThat(b.tokens(501)).isEqualTo(1);
    assertThat(consume(b, 501, 1)).isEqualTo(1);
  }

  @Test
  void repeatedChangesOfAFullBucketAtOneInstantKeepItFullAndMakeStaleDecisionsRetry() {
    GcraBucket b = new GcraBucket(Limit.of(10, 10_000));
    assertThat(consume(b, 0, 10)).isEqualTo(1_000_000);
    for (int i = 0; i < 6; i++) {
      GcraBucket.Params before = b.params();
      b.reconfigure(() -> 1_000_000, new GcraBucket.Params(i % 2 == 0 ? ONE_NANO : Limit.of(10, 10_000)));
      assertThat(b.tryConsume(1_000_000, 1, before)).isEqualTo(GcraBucket.STALE);
      assertThat(b.tokens(1_000_000)).isEqualTo(b.limit().burst());
    }
  }

  @Test
  void aFullBucketChangedAtTheBottomOfTheClockRangeStoresNoMarker() {
    // A new bucket's TAT is FULL (Long.MIN_VALUE + 2), and below it are the RETIRED and LOCKED
    // markers, which must never be stored as a TAT. From FULL + 1 on, a full bucket stays full.
    for (long now = GcraBucket.FULL + 1; now <= GcraBucket.FULL + 4; now++) {
      GcraBucket b = new GcraBucket(Limit.of(3, 1));
      long at = now;
      b.reconfigure(() -> at, new GcraBucket.Params(Limit.of(5, 1)));
      b.reconfigure(() -> at, new GcraBucket.Params(Limit.of(3, 1)));
      assertThat(b.tokens(at)).as("now = FULL + %d", at - GcraBucket.FULL).isEqualTo(3);
      assertThat(consume(b, at, 1)).isEqualTo(SECOND);
    }
    // At exactly FULL no full TAT other than the old one is free: the change stores FULL + 1, one
    // nanosecond of debt (the safe side), so one of 3 whole tokens is not yet back.
    GcraBucket b = new GcraBucket(Limit.of(3, 1));
    b.reconfigure(() -> GcraBucket.FULL, new GcraBucket.Params(Limit.of(5, 1)));
    assertThat(b.resetNanos(GcraBucket.FULL)).isEqualTo(1);
    assertThat(consume(b, GcraBucket.FULL, 1)).isEqualTo(1 + SECOND);
  }

  @Test
  void staleParametersAreReported() {
    GcraBucket b = new GcraBucket(Limit.of(100, 10));
    GcraBucket.Params old = b.params();
    b.reconfigure(() -> 0, new GcraBucket.Params(Limit.of(50, 10)));
    assertThat(b.tryConsume(0, 1, old)).isEqualTo(GcraBucket.STALE);
  }

  @Test
  void nearTheEndOfTimeItDeniesInsteadOfWrapping() {
    GcraBucket b = new GcraBucket(Limit.of(5, 10)); // 100 ms per token
    long now = Long.MAX_VALUE - SECOND / 20; // 50 ms left on the clock
    assertThat(consume(b, now, 1)).isEqualTo(GcraBucket.NEVER);
    assertThat(b.tokens(now)).isEqualTo(5);

    GcraBucket c = new GcraBucket(Limit.of(5, 1_000_000_000)); // 1 ns per token
    long end = Long.MAX_VALUE - 3;
    assertThat(consume(c, end, 3)).isEqualTo(3);
    assertThat(consume(c, end, 1)).isEqualTo(GcraBucket.NEVER);
    assertThat(consume(c, Long.MAX_VALUE, 1)).isEqualTo(GcraBucket.NEVER);
  }

  @Test
  void hugeBurstTimesSlowRateSaturates() {
    GcraBucket b = new GcraBucket(Limit.of(Long.MAX_VALUE / 2, Rate.parse("1/d")));
    assertThat(b.params().capacityNanos).isEqualTo(Long.MAX_VALUE);
    assertThat(consume(b, 0, 1_000_000)).isGreaterThanOrEqualTo(0);
  }

  @Test
  void worksFromTheBottomOfTheClockRange() {
    GcraBucket b = new GcraBucket(Limit.of(2, 1));
    long now = Long.MIN_VALUE + 2;
    assertThat(consume(b, now, 2)).isGreaterThanOrEqualTo(0);
    assertThat(consume(b, now, 1)).isNegative();
    assertThat(consume(b, now + SECOND, 1)).isGreaterThanOrEqualTo(0);
  }

  @Test
  void aDecisionWhoseInstantPrecedesARescaleCountsTheGapAtThePreviousPace() {
    // 30 tokens at 500k/s (2 us each, capacity 60 us), drained at instant 0. A decision reads the
    // clock at 1; before it consumes, the rate drops to 50k/s (20 us each, capacity 600 us) at
    // instant 60_000, when the bucket is full again under the old rate, so its TAT is kept. At the
    // decision's instant the bucket had 0.0005 tokens: it must be denied. Counting the gap
    // [1, 60_000] at the new pace (60 us = 3 tokens of debt) used to admit 27 tokens at instant 1,
    // 57 in [0, 1] against a bound of 30.
    GcraBucket b = new GcraBucket(Limit.of(30, 500_000));
    assertThat(consume(b, 0, 30)).isEqualTo(60_000);
    b.reconfigure(() -> 60_000, new GcraBucket.Params(Limit.of(30, 50_000)));
    assertThat(b.tokens(60_000)).isEqualTo(30); // full at the rescale, so full after it
    assertThat(consume(b, 1, 1)).isNegative();
    assertThat(consume(b, 1, 27)).isNegative();
    // Later instants see the carried-over bucket as before.
    assertThat(consume(b, 60_000, 29)).isGreaterThanOrEqualTo(0);
  }

  @Test
  void theStaleGapIsConvertedLikeCarriedOverDebt() {
    // Drained at 0 under 1 token per 1000 ns (burst 10); at 5_000 the debt of 5_000 ns is carried
    // over to 1 token per 2000 ns (burst 10) as 10_000 ns. A decision at instant 3_000 owed
    // 7_000 ns = 7 tokens then: 3 are left for it, not the 4 that counting the gap [3_000, 5_000]
    // at the new pace (1 token per 2000 ns) would leave.
    GcraBucket b = new GcraBucket(Limit.of(10, 1_000_000));
    assertThat(consume(b, 0, 10)).isEqualTo(10_000);
    b.reconfigure(() -> 5_000, new GcraBucket.Params(Limit.of(10, 500_000)));
    assertThat(consume(b, 3_000, 4)).isNegative();
    assertThat(consume(b, 3_000, 3)).isEqualTo(18_000); // TAT 21_000: the debt at 5_000 plus the cost
    assertThat(b.tokens(5_000)).isEqualTo(2);
  }

  @Test
  void aStaleAdmissionUnderAShrunkCapacityAddsItsCostAtTheRescale() {
    // Drained at 0 under 1 token per 2000 ns (burst 10); at 10_000 the debt of 10_000 ns becomes
    // 5_000 ns under 1 token per 1000 ns. At instant 2_000 the bucket owed 9 tokens: a stale
    // decision there gets the 1 left, and the TAT moves by its cost from the debt at 10_000, so 4
    // tokens are left at 10_000 (10 + 10_000 / 2000 - 10 - 1 = 4), not 8 (a TAT of 2_000 plus the
    // converted debt and the cost would have dropped the gap's 8_000 ns).
    GcraBucket b = new GcraBucket(Limit.of(10, 500_000));
    assertThat(consume(b, 0, 10)).isEqualTo(20_000);
    b.reconfigure(() -> 10_000, new GcraBucket.Params(Limit.of(10, 1_000_000)));
    assertThat(consume(b, 2_000, 2)).isNegative();
    assertThat(consume(b, 2_000, 1)).isEqualTo(14_000); // TAT 16_000
    assertThat(consume(b, 10_000, 5)).isNegative();
    assertThat(consume(b, 10_000, 4)).isEqualTo(10_000);
  }

  @Test
  void aDecisionOlderThanTwoRescalesIsDenied() {
    GcraBucket b = new GcraBucket(Limit.of(10, 1_000_000));
    b.reconfigure(() -> 100, new GcraBucket.Params(Limit.of(20, 1_000_000)));
    b.reconfigure(() -> 200, new GcraBucket.Params(Limit.of(40, 1_000_000)));
    assertThat(consume(b, 50, 1)).isEqualTo(-1); // denied, retry at once
    assertThat(consume(b, 150, 1)).isGreaterThanOrEqualTo(0);
    assertThat(consume(b, 200, 1)).isGreaterThanOrEqualTo(0);
  }
}
