package dev.sluice.redis;

/**
 * Receives the modes of a {@link RedisBucketStore}: once for the mode it starts in, then once per
 * change of {@link RedisBucketStore#mode()} ({@code redis} to the {@link FailureMode}'s label when
 * the circuit breaker opens, and back when Redis answers again). Calls come in the order the
 * changes happened, one at a time, on the store's own scheduler thread (never a Lettuce event
 * loop or a caller of {@code acquire}); an implementation should return quickly (log, count) and
 * must not block. A listener that throws loses that call only.
 */
@FunctionalInterface
public interface ModeListener {

  /**
   * Called when the store's mode becomes {@code to}.
   *
   * @param from the mode before, or {@code null} for the mode the store starts in
   * @param to the mode now: {@code redis}, {@code local-share}, {@code fail-open} or {@code fail-closed}
   */
  void modeChanged(String from, String to);
}
