package dev.sluice.server.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Decision;
import dev.sluice.core.Level;
import dev.sluice.core.Limit;
import dev.sluice.core.Rate;
import io.netty.handler.codec.http.HttpHeaders;
import org.junit.jupiter.api.Test;

/** Header arithmetic: rounding is always up, never earlier than the bucket allows. */
class RateLimitHeadersTest {

  static Decision denied(long retry, long reset, Limit limit) {
    return new Decision(false, 0, retry, reset, Level.CLIENT, limit, Decision.Reason.EXHAUSTED);
  }

  @Test
  void retryAfterRoundsUpAndIsAtLeastOneSecond() {
    assertThat(RateLimitHeaders.retryAfterSeconds(1)).isEqualTo(1);
    assertThat(RateLimitHeaders.retryAfterSeconds(999_999_999)).isEqualTo(1);
    assertThat(RateLimitHeaders.retryAfterSeconds(1_000_000_000)).isEqualTo(1);
    assertThat(RateLimitHeaders.retryAfterSeconds(1_000_000_001)).isEqualTo(2);
    assertThat(RateLimitHeaders.retryAfterSeconds(0)).isEqualTo(1);
    assertThat(RateLimitHeaders.ceilMillis(1)).isEqualTo(1);
    assertThat(RateLimitHeaders.ceilMillis(Long.MAX_VALUE - 1)).isPositive();
  }

  @Test
  void theWindowIsTheRefillTimeOfTheBurstRoundedUp() {
    assertThat(RateLimitHeaders.windowSeconds(Limit.of(8000, 4000))).isEqualTo(2);
    assertThat(RateLimitHeaders.windowSeconds(Limit.of(3, 2))).isEqualTo(2);
    assertThat(RateLimitHeaders.windowSeconds(Limit.of(1, 1000))).isEqualTo(1);
    assertThat(RateLimitHeaders.windowSeconds(Limit.of(100, Rate.parse("1/h")))).isEqualTo(360_000);
    assertThat(RateLimitHeaders.windowSeconds(Limit.of(Long.MAX_VALUE, Rate.parse("1/d")))).isPositive();
  }

  @Test
  void throttledHeadersFollowTheDraft() {
    HttpHeaders built = Reply.fields();
    RateLimitHeaders.addThrottled(built, "premium", denied(250_000_000, 1_500_000_000, Limit.of(8000, 4000)));

    assertThat(built.get("retry-after")).isEqualTo("1");
    assertThat(built.get("ratelimit-policy")).isEqualTo("\"premium\";q=8000;w=2");
    assertThat(built.get("ratelimit")).isEqualTo("\"premium\";r=0;t=2");
  }

  @Test
  void aRequestThatCanNeverPassGetsNoRetryAfter() {
    HttpHeaders h = Reply.fields();
    RateLimitHeaders.addThrottled(h, "free", new Decision(false, 5, Long.MAX_VALUE, 0, Level.CLIENT,
        Limit.of(5, 1), Decision.Reason.COST_EXCEEDS_BURST));

    assertThat(h.contains("retry-after")).isFalse();
    assertThat(h.get("ratelimit")).isEqualTo("\"free\";r=5;t=0");
  }
}
