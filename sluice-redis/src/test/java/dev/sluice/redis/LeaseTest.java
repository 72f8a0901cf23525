package dev.sluice.redis;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Limit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The lease's bookkeeping, with explicit instants (no clock, no Redis): top-ups never hold more than
 * the target, tokens taken before a top-up are never given back on top of it, and a saturated lease
 * denies locally only while a top-up is in flight or paced.
 */
class LeaseTest {

  private static final Limit LIMIT = Limit.of(1_000, 10_000);
  private static final long WINDOW = 500_000_000L;
  private static final long PERIOD = 1_000_000_000L;

  private static Lease granted(long tokens) {
    Lease l = new Lease(0);
    Lease.TopUp t = l.beginTopUp(0, tokens, LIMIT);
    assertThat(t.request()).isEqualTo(tokens);
    l.endTopUp(tokens, tokens, true, LIMIT, PERIOD, 0, 0);
    return l;
  }

  /** Takes {@code cost} for a request that is then admitted. */
  private static long spend(Lease l, long now, int cost) {
    long r = l.take(now, cost, WINDOW, LIMIT);
    assertThat(r).isNotNegative();
    l.settle(cost);
    return r;
  }

  @Test
  void anEmptyLeaseMissesAndItsFirstTopUpAsksForTheWholeTarget() {
    Lease l = new Lease(0);
    assertThat(l.take(1, 1, WINDOW, LIMIT)).isEqualTo(Lease.MISS);
    Lease.TopUp t = l.beginTopUp(1, 100, LIMIT);
    assertThat(t.request()).isEqualTo(100);
    assertThat(t.giveBack()).isZero();
    assertThat(l.beginTopUp(2, 100, LIMIT)).as("one top-up in flight").isNull();
    assertThat(l.take(2, 1, WINDOW, LIMIT)).as("nothing granted yet").isEqualTo(Lease.MISS);
  }

  @Test
  void aTopUpAsksOnlyForWhatIsMissingSoTheLeaseNeverHoldsMoreThanItsTarget() {
    Lease l = granted(100);
    long r = 0;
    for (int i = 0; i < 60; i++) {
      r = spend(l, 10 + i, 1);
    }
    assertThat(Lease.leftOf(r)).isEqualTo(40);
    assertThat(Lease.wantsTopUp(r)).as("below half the target").isTrue();
    Lease.TopUp t = l.beginTopUp(100, 100, LIMIT);
    assertThat(t.request()).isEqualTo(60);
    // Spent while the top-up is in flight: still served from the leftover.
    for (int i = 0; i < 10; i++) {
      spend(l, 101 + i, 1);
    }
    l.endTopUp(60, 60, true, LIMIT, 200 + PERIOD, 200, 0);
    long left = Lease.leftOf(spend(l, 300, 1)) + 1;
    assertThat(left).isEqualTo(90).isLessThanOrEqualTo(100);
  }

  @Test
  void tokensTakenForRequestsStillInRedisCountAgainstTheTarget() {
    Lease l = granted(100);
    // 60 taken by requests whose other level is being decided in Redis: outstanding until settled.
    l.take(1, 60, WINDOW, LIMIT);
    assertThat(l.beginTopUp(2, 100, LIMIT)).as("40 left + 60 pending = the target").isNull();
    l.settle(30);
    assertThat(l.beginTopUp(3, 100, LIMIT).request()).isEqualTo(30);
  }

  @Test
  void tokensTakenBeforeATopUpAreNotGivenBackOnTopOfIt() {
    Lease l = granted(100);
    spend(l, 1, 60);
    long before = l.take(1, 10, WINDOW, LIMIT);
    assertThat(Lease.leftOf(before)).isEqualTo(30);
    Lease.TopUp t = l.beginTopUp(2, 100, LIMIT);
    assertThat(t.request()).as("100 - 30 left - 10 pending").isEqualTo(60);
    l.endTopUp(60, 60, true, LIMIT, 3 + PERIOD, 3, 0);
    // The request those 10 were taken for was denied elsewhere: they are dropped, not added (100 > 90).
    l.giveBack(Lease.epochOf(before), 10);
    assertThat(Lease.leftOf(spend(l, 4, 1)) + 1).isEqualTo(90);
    assertThat(l.beginTopUp(5, 100, LIMIT).request()).as("nothing pending any more").isEqualTo(11);
  }

  @Test
  void tokensTakenInTheSameEpochAreGivenBack() {
    Lease l = granted(100);
    long taken = l.take(1, 30, WINDOW, LIMIT);
    l.giveBack(Lease.epochOf(taken), 30);
    assertThat(Lease.leftOf(l.take(2, 1, WINDOW, LIMIT)) + 1).isEqualTo(100);
  }

  @Test
  void aSaturatedEmptyLeaseDeniesLocallyOnlyWhileATopUpIsInFlightOrPaced() {
    Lease l = new Lease(0);
    l.beginTopUp(0, 100, LIMIT);
    // Redis had 5 of the 100 asked for: saturated; paced until t = 1000.
    l.endTopUp(5, 100, true, LIMIT, 10 + PERIOD, 1_000, 7_000);
    for (int i = 0; i < 5; i++) {
      spend(l, 10, 1);
    }
    assertThat(l.take(20, 1, WINDOW, LIMIT)).as("empty, paced").isEqualTo(Lease.DENY);
    assertThat(l.resetNanos()).isEqualTo(7_000);
    assertThat(l.take(1_000, 1, WINDOW, LIMIT)).as("pace over, no top-up yet").isEqualTo(Lease.DRY);
    assertThat(l.beginTopUp(1_000, 100, LIMIT).request()).isEqualTo(100);
    assertThat(l.take(1_001, 1, WINDOW, LIMIT)).as("top-up in flight").isEqualTo(Lease.DENY);
    // Redis answered with everything asked for: no longer saturated.
    l.endTopUp(100, 100, true, LIMIT, 1_002 + PERIOD, 1_002, 0);
    assertThat(l.take(1_003, 1, WINDOW, LIMIT)).isNotNegative();
  }

  @Test
  void aFailedTopUpClearsSaturationSoTheNextRequestGoesToRedis() {
    Lease l = new Lease(0);
    l.beginTopUp(0, 100, LIMIT);
    l.endTopUp(0, 100, true, LIMIT, PERIOD, 1_000, 0);
    assertThat(l.take(1, 1, WINDOW, LIMIT)).isEqualTo(Lease.DENY);
    l.beginTopUp(1_000, 100, LIMIT);
    l.endTopUp(0, 100, false, LIMIT, 0, 0, 0);
    assertThat(l.take(1_001, 1, WINDOW, LIMIT)).isEqualTo(Lease.MISS);
  }

  /** A lease whose top-up got 5 of 100 (saturated, paced until t = 1,000), then spent to empty at t = 10. */
  private static Lease saturatedAndEmpty() {
    Lease l = new Lease(0);
    l.beginTopUp(0, 100, LIMIT);
    l.endTopUp(5, 100, true, LIMIT, 10 + PERIOD, 1_000, 7_000);
    for (int i = 0; i < 5; i++) {
      spend(l, 10, 1);
    }
    return l;
  }

  @Test
  @Timeout(10) // with the denials on the monitor, the first take waits for the holder forever
  void theDenialsOfASaturatedEmptyLeaseNeedNotItsMonitorYetEndWhereTheLockedPathWouldServe() throws Exception {
    Lease l = saturatedAndEmpty();
    // Another thread holds the monitor (as the thread ending a top-up may): denials still go on.
    java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    Thread holder = Thread.ofPlatform().start(() -> {
      synchronized (l) {
        held.countDown();
        try {
          release.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    });
    held.await();
    for (int i = 0; i < 1_000; i++) {
      assertThat(l.take(20 + i % 900, 1, WINDOW, LIMIT)).isEqualTo(Lease.DENY);
    }
    assertThat(l.paceUntil()).isEqualTo(1_000);
    assertThat(l.resetNanos()).isEqualTo(7_000);
    release.countDown();
    holder.join();
    // Every other state goes to the locked path: a different limit, the pace over, expiry.
    assertThat(l.take(30, 1, WINDOW, Limit.of(2_000, 10_000))).as("another limit").isEqualTo(Lease.MISS);
    Lease paced = saturatedAndEmpty();
    assertThat(paced.take(1_000, 1, WINDOW, LIMIT)).as("pace over").isEqualTo(Lease.DRY);
    assertThat(paced.beginTopUp(1_000, 100, LIMIT).request()).isEqualTo(100);
    assertThat(paced.take(1_001, 1, WINDOW, LIMIT)).as("top-up in flight").isEqualTo(Lease.DENY);
    paced.endTopUp(40, 100, true, LIMIT, 1_002 + PERIOD, 5_000, 0);
    assertThat(Lease.leftOf(paced.take(1_003, 1, WINDOW, LIMIT))).as("tokens again: served").isEqualTo(39);
    assertThat(saturatedAndEmpty().take(10 + PERIOD, 1, WINDOW, LIMIT)).as("expired").isEqualTo(Lease.MISS);
  }

  @Test
  void theDemandOfDenialsWithoutTheMonitorStillSizesTheLease() {
    Lease l = saturatedAndEmpty();
    for (int i = 0; i < 995; i++) {
      assertThat(l.take(20, 1, WINDOW, LIMIT)).isEqualTo(Lease.DENY);
    }
    // 5 spent + 995 denied = 1,000 tokens of demand over the first tenth of a window (50 ms).
    assertThat(l.ratePerSecond(WINDOW / 10, WINDOW)).isEqualTo(1_000 * 1e9 / (WINDOW / 10));
  }

  @Test
  void anExpiredLeaseIsNotSpentAndItsLeftoverGoesBack() {
    Lease l = granted(100);
    assertThat(l.take(PERIOD, 1, WINDOW, LIMIT)).isEqualTo(Lease.MISS);
    Lease.TopUp t = l.beginTopUp(PERIOD, 150, LIMIT);
    assertThat(t.giveBack()).as("the leftover goes back").isEqualTo(100);
    assertThat(t.request()).as("150 - 100 on their way back").isEqualTo(50);
    Lease swept = granted(100);
    assertThat(swept.expire(PERIOD - 1)).isZero();
    assertThat(swept.expire(PERIOD)).isEqualTo(100);
    assertThat(swept.take(PERIOD, 1, WINDOW, LIMIT)).isEqualTo(Lease.MISS);
  }

  @Test
  void tokensOnTheirWayBackCountAgainstTheTargetUntilTheReturnFinishes() {
    Lease swept = granted(100);
    assertThat(swept.settled()).isTrue();
    assertThat(swept.expire(PERIOD)).as("the sweep takes the leftover out for return").isEqualTo(100);
    // A top-up sent now may reach Redis before that return does: until it has finished, the 100
    // are still outstanding (leased and spendable again once Redis has them back).
    assertThat(swept.beginTopUp(PERIOD, 100, LIMIT)).as("100 on their way back = the target").isNull();
    assertThat(swept.settled()).isFalse();
    swept.returned(100);
    assertThat(swept.settled()).isTrue();
    assertThat(swept.beginTopUp(PERIOD + 1, 100, LIMIT).request()).isEqualTo(100);
    assertThat(swept.settled()).as("a top-up in flight").isFalse();
  }

  @Test
  void aLeaseUnderAnOlderLimitIsEmptiedAndReturnedUnderThatLimit() {
    Lease l = granted(100);
    Limit next = Limit.of(2_000, 10_000);
    assertThat(l.take(1, 1, WINDOW, next)).isEqualTo(Lease.MISS);
    Lease.TopUp t = l.beginTopUp(1, 150, next);
    assertThat(t.giveBack()).isEqualTo(100);
    assertThat(t.giveBackUnder()).isEqualTo(LIMIT);
    assertThat(t.request()).as("150 - 100 on their way back").isEqualTo(50);
    l.returned(100);
    l.endTopUp(50, 50, true, next, 2 + PERIOD, 2, 0);
    assertThat(l.take(3, 1, WINDOW, LIMIT)).as("old limit").isEqualTo(Lease.MISS);
    assertThat(Lease.leftOf(l.take(3, 1, WINDOW, next))).isEqualTo(49);
  }

  @Test
  void drainingEmptiesTheLeaseAndForgetsSaturation() {
    Lease l = new Lease(0);
    l.beginTopUp(0, 100, LIMIT);
    l.endTopUp(3, 100, true, LIMIT, PERIOD, 500, 0);
    assertThat(l.drain()).isEqualTo(3);
    assertThat(l.take(1, 1, WINDOW, LIMIT)).isEqualTo(Lease.MISS);
  }

  @Test
  void aLeaseThatRunsDryDuringARoundTripIsToppedUpWhenEmptyForTheWholeTargetThenAtHalfAgain() {
    Lease l = granted(100);
    long r = 0;
    for (int i = 0; i < 51; i++) {
      r = spend(l, 10 + i, 1);
    }
    assertThat(Lease.wantsTopUp(r)).as("49 left: below half").isTrue();
    assertThat(l.beginTopUp(100, 100, LIMIT).request()).isEqualTo(51);
    // During the round trip the demand is 60: more than the 49 left (the last 11 went to Redis).
    for (int i = 0; i < 49; i++) {
      spend(l, 101 + i, 1);
    }
    for (int i = 0; i < 11; i++) {
      assertThat(l.take(150 + i, 1, WINDOW, LIMIT)).isEqualTo(Lease.MISS);
    }
    l.endTopUp(51, 51, true, LIMIT, 200 + PERIOD, 200, 0);
    assertThat(l.starved()).as("half the target did not last the round trip").isTrue();
    // Now the next top-up waits until the lease is empty, and then asks for the whole target.
    for (int i = 0; i < 50; i++) {
      assertThat(Lease.wantsTopUp(spend(l, 300 + i, 1))).as("not before empty").isFalse();
    }
    assertThat(Lease.wantsTopUp(spend(l, 350, 1))).as("empty").isTrue();
    assertThat(l.beginTopUp(351, 100, LIMIT).request()).isEqualTo(100);
    // A quiet round trip (demand 10 < half the target): back to topping up at half.
    for (int i = 0; i < 10; i++) {
      l.take(352 + i, 1, WINDOW, LIMIT);
    }
    l.endTopUp(100, 100, true, LIMIT, 400 + PERIOD, 400, 0);
    assertThat(l.starved()).isFalse();
    long left = 0;
    for (int i = 0; i < 51 && left != 49; i++) {
      r = spend(l, 500 + i, 1);
      left = Lease.leftOf(r);
    }
    assertThat(Lease.wantsTopUp(r)).as("49 of 100 left: below half").isTrue();
  }

  @Test
  void aSaturatedLeaseIsPacedByHalfItsTargetsAccrualLessTheRoundTrip() {
    // 220 tokens at 20,000/s (50 µs each): half the target accrues in 5.5 ms.
    Limit limit = Limit.of(2_000, 20_000);
    assertThat(SharedBuckets.paceNanos(220, limit, 0, PERIOD)).isEqualTo(5_500_000);
    assertThat(SharedBuckets.paceNanos(220, limit, 2_000_000, PERIOD)).as("2 ms round trip").isEqualTo(3_500_000);
    assertThat(SharedBuckets.paceNanos(220, limit, 9_000_000, PERIOD)).as("a round trip beyond it").isZero();
    assertThat(SharedBuckets.paceNanos(10_000, Limit.of(100, 1), 0, PERIOD)).as("at most a period").isEqualTo(PERIOD);
  }

  @Test
  void demandIsTheLastWindowsRateOrTheCurrentOnesOnceATenthHasPassed() {
    Lease l = new Lease(0);
    for (int i = 0; i < 1_000; i++) {
      l.take(i, 1, WINDOW, LIMIT);
    }
    assertThat(l.ratePerSecond(WINDOW / 10 - 1, WINDOW)).as("too early to tell").isZero();
    assertThat(l.ratePerSecond(WINDOW / 10, WINDOW)).isEqualTo(1_000 * 1e9 / (WINDOW / 10));
    l.take(WINDOW, 1, WINDOW, LIMIT);
    assertThat(l.ratePerSecond(WINDOW, WINDOW)).isEqualTo(1_000 * 1e9 / WINDOW);
  }
}
