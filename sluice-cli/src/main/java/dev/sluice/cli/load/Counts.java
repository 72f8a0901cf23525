package dev.sluice.cli.load;

/**
 * Request counts by outcome.
 *
 * @param sent requests sent
 * @param ok 2xx answers
 * @param limited 429 answers
 * @param serverErrors 5xx answers
 * @param other any other status
 * @param errors no answer: connection failures and timeouts
 */
public record Counts(long sent, long ok, long limited, long serverErrors, long other, long errors) {

  /** Returns the answers and errors counted so far (sent requests that have ended). */
  public long ended() {
    return ok + limited + serverErrors + other + errors;
  }

  /** Returns {@code this - earlier}, counts over the span between two snapshots. */
  public Counts minus(Counts earlier) {
    return new Counts(sent - earlier.sent, ok - earlier.ok, limited - earlier.limited,
        serverErrors - earlier.serverErrors, other - earlier.other, errors - earlier.errors);
  }

  /** No requests. */
  public static final Counts ZERO = new Counts(0, 0, 0, 0, 0, 0);
}
