package dev.sluice.core;

/** Steps the client-table tests share: limits, a decision retried until not stale, tokens left. */
final class TableOps {

  private TableOps() {}

  /** Client params of {@code burst} tokens refilled at {@code perSecond}. */
  static GcraBucket.Params params(long burst, long perSecond) {
    return new GcraBucket.Params(Limit.of(burst, perSecond));
  }

  /** Decides {@code cost} tokens for {@code key} at {@code now} through the general path. */
  static long consume(ClientTable t, String key, long now, long cost) {
    long h = t.hash(key);
    long r;
    do {
      r = t.tryConsume(h, now, cost, t.generation());
    } while (r == GcraBucket.STALE);
    return r;
  }

  /** Returns the whole tokens {@code key}'s bucket holds at {@code now}. */
  static long tokens(ClientTable t, String key, long now) {
    long h = t.hash(key);
    return t.params(h).tokens(GcraBucket.debt(t.tat(h), now));
  }
}
