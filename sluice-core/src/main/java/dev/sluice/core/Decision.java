package dev.sluice.core;

/**
 * The outcome of one {@link Limiter#tryAcquire} call.
 *
 * <p>For an admitted request, {@code level} and {@code limit} name the tightest level (the one
 * with the fewest tokens left) and {@code remaining} counts its tokens; for a denied one they name
 * the level that denied it. Times are nanoseconds from the decision's instant.
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
 */
public record Decision(
    boolean allowed,
    long remaining,
    long retryAfterNanos,
    long resetAfterNanos,
    Level level,
    Limit limit,
    Reason reason) {

  /** Why a decision came out the way it did. */
  public enum Reason {
    /** Every level had the tokens. */
    ADMITTED,
    /** A level had too few tokens now; retry after {@link #retryAfterNanos()}. */
    EXHAUSTED,
    /** The cost exceeds a level's burst, so no amount of waiting helps. */
    COST_EXCEEDS_BURST
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
    };
  }
}
