package dev.sluice.server.edge;

import dev.sluice.core.Decision;
import dev.sluice.core.Limit;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;

/**
 * The rate-limit header fields of a response, after draft-ietf-httpapi-ratelimit-headers and RFC
 * 9110 {@code Retry-After}. Stateless.
 *
 * <ul>
 *   <li>{@code RateLimit-Policy: "TIER";q=BURST;w=WINDOW}: the quota is the burst of the level the
 *       decision describes (the one that denied, or the tightest when admitted) and the window is
 *       the seconds that level takes to refill from empty, {@code ceil(burst / rate)}.
 *   <li>{@code RateLimit: "TIER";r=REMAINING;t=RESET}: whole tokens left in that level and the
 *       seconds until it is full again, rounded up.
 *   <li>{@code Retry-After: SECONDS} (429 only): the decision's retry-after rounded <em>up</em> to
 *       whole seconds, at least 1, so a client that waits exactly this long is not early. A request
 *       whose cost exceeds a burst can never pass; it gets no {@code Retry-After} at all.
 * </ul>
 */
final class RateLimitHeaders {

  static final AsciiString RATELIMIT = AsciiString.cached("ratelimit");
  static final AsciiString RATELIMIT_POLICY = AsciiString.cached("ratelimit-policy");
  static final AsciiString RETRY_AFTER = AsciiString.cached("retry-after");

  private static final long NANOS_PER_SECOND = 1_000_000_000L;

  private RateLimitHeaders() {}

  /** Adds {@code RateLimit-Policy} and {@code RateLimit} for {@code decision} in {@code tier}. */
  static void addRateLimit(HttpHeaders h, String tier, Decision decision) {
    h.set(RATELIMIT_POLICY, policy(tier, decision.limit()));
    h.set(RATELIMIT, rateLimit(tier, decision));
  }

  /** Adds the rate-limit fields and, when the request can ever pass, {@code Retry-After}. */
  static void addThrottled(HttpHeaders h, String tier, Decision decision) {
    addRateLimit(h, tier, decision);
    if (decision.retryAfterNanos() != Long.MAX_VALUE) {
      h.set(RETRY_AFTER, Long.toString(retryAfterSeconds(decision.retryAfterNanos())));
    }
  }

  /** Returns {@code "tier";q=burst;w=window}. */
  static String policy(String tier, Limit limit) {
    return '"' + tier + "\";q=" + limit.burst() + ";w=" + windowSeconds(limit);
  }

  /** Returns {@code "tier";r=remaining;t=reset}. */
  static String rateLimit(String tier, Decision decision) {
    return '"' + tier + "\";r=" + Math.max(0, decision.remaining()) + ";t="
        + ceilSeconds(decision.resetAfterNanos());
  }

  /** Returns the whole seconds a client must wait, rounded up and at least 1. */
  static long retryAfterSeconds(long retryAfterNanos) {
    return Math.max(1, ceilSeconds(retryAfterNanos));
  }

  /** Returns the seconds {@code limit}'s bucket takes to refill from empty, rounded up, at least 1. */
  static long windowSeconds(Limit limit) {
    long interval = limit.rate().intervalNanos();
    long capacity = limit.burst() > Long.MAX_VALUE / interval ? Long.MAX_VALUE : limit.burst() * interval;
    return Math.max(1, ceilSeconds(capacity));
  }

  /** Returns {@code nanos} in whole seconds, rounded up (0 for 0 or less). */
  static long ceilSeconds(long nanos) {
    return nanos <= 0 ? 0 : Math.ceilDiv(nanos, NANOS_PER_SECOND);
  }

  /** Returns {@code nanos} in whole milliseconds, rounded up (0 for 0 or less). */
  static long ceilMillis(long nanos) {
    return nanos <= 0 ? 0 : Math.ceilDiv(nanos, 1_000_000L);
  }
}
