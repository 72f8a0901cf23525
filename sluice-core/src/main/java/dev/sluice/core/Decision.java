package dev.sluice.core;

/**
 * The outcome of one {@link Limiter#tryAcquire} call.
 *
 * <p>For an admitted request, {@code level} and {@code limit} name the tightest token level (the
 * one with the fewest tokens left) and {@code remaining} counts its tokens; for a denied one they
 * name the level that denied it. Times are nanoseconds from the decision's instant.
 *
 * <p>A request denied by a concurrency level ({@link Reason#IN_FLIGHT}) reports that level
 * ({@link Level#TIER} or {@link Level#GLOBAL}), {@code remaining} = the in-flight cost still free
 * there, {@code retryAfterNanos} = {@link #IN_FLIGHT_RETRY_NANOS} (when a permit comes back is not
 * known; {@code Long.MAX_VALUE} if the cost exceeds the level's maximum), {@code resetAfterNanos}
 * = 0, and as {@code limit} that level's token limit, or the client's when the level has none.
 *
 * @param allowed whether the request was admitted (and its cost consumed from every level)
 * @param remaining whole tokens left in {@code level}'s bucket after this decision
 * @param retryAfterNanos when denied, the earliest time after which the same request can be
 *     admitted by every level, assuming no other traffic; {@code Long.MAX_VALUE} if never; 0 when
 *     allowed
 * @param resetAfterNanos time until {@code level}'s bucket is full again with no further traffic
 * @param level the level the other fields describe
 * @param limit the limit of that level at the decision's instant
 * @param reason why, in one word
 * @param permit when admitted under a concurrency level, the permit to hand back with {@link
 *     Limiter#release} once the request completes ({@code > 0}); otherwise 0
 */
public record Decision(
    boolean allowed,
    long remaining,
    long retryAfterNanos,
    long resetAfterNanos,
    Level level,
    Limit limit,
    Reason reason,
    long permit) {

  /** The retry-after of a request a full concurrency level denied: one millisecond. */
  public static final long IN_FLIGHT_RETRY_NANOS = 1_000_000L;

  /** A decision without a permit. */
  public Decision(boolean allowed, long remaining, long retryAfterNanos, long resetAfterNanos, Level level,
      Limit limit, Reason reason) {
    this(allowed, remaining, retryAfterNanos, resetAfterNanos, level, limit, reason, 0);
  }

  /** Why a decision came out the way it did. */
  public enum Reason {
    /** Every level had the tokens (and the in-flight room). */
    ADMITTED,
    /** A level had too few tokens now; retry after {@link #retryAfterNanos()}. */
    EXHAUSTED,
    /** The cost exceeds a level's burst, so no amount of waiting helps. */
    COST_EXCEEDS_BURST,
    /** A concurrency level has too much cost in flight (or the cost exceeds its maximum). */
    IN_FLIGHT
  }

  /** Returns the level that denied the request, or {@code null} if it was admitted. */
  public Level deniedBy() {
    return allowed ? null : level;
  }

  /** Returns a one-line human-readable reason, e.g. for a 429 body. */
  public String describe() {
    return switch (reason) {
      case ADMITTED -> "admitted; " + remaining + " tokens left at the " + level.label() + " level";
      case EXHAUSTED -> "the " + level.label() + " limit (" + limit + ") is exhausted; retry in "
          + Math.ceilDiv(retryAfterNanos, 1_000_000L) + " ms";
      case COST_EXCEEDS_BURST -> "the request's cost exceeds the " + level.label() + " burst of "
          + limit.burst() + " tokens, so it can never be admitted";
      case IN_FLIGHT -> retryAfterNanos == Long.MAX_VALUE
          ? "the request's cost exceeds the " + level.label() + " concurrency limit, so it can never be admitted"
          : "the " + level.label() + " concurrency limit is reached (" + remaining
              + " in-flight cost free); retry in " + Math.ceilDiv(retryAfterNanos, 1_000_000L) + " ms";
    };
  }
}
