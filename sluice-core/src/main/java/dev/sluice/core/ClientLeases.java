package dev.sluice.core;

/**
 * The hot clients of one {@link ClientTable}: at most {@link #MAX} slot hashes, each with its
 * {@link TokenLeases}, whose batches are taken from the client's slot with the table's own CAS.
 * A client becomes hot the first time a decision on its slot loses a CAS under params that allow
 * leases; the table holds no array of hot clients until then, so an uncontended decision pays one
 * read of a null field. Copy-on-write under this object's monitor; read lock-free.
 *
 * <p>Invariants:
 * <ol>
 *   <li>The bound of {@link TokenLeases} holds for a hot client: a lease is a span of the slot's
 *       GCRA timeline; a refund of a hot client's slot only comes off the top ({@link
 *       ClientTable#refund}), as {@link GcraBucket#refund} does for a bucket with leases.
 *   <li>A sweep never forgets a hot client's slot while one of its leases may still grant
 *       ({@link #mayGrant}); once it forgets one, the client leaves the hot array, so its leases
 *       never grant again (a lease taken from a fresh slot meanwhile is abandoned: debt, the safe
 *       side).
 *   <li>A reconfiguration that changes a hot client's params makes its cells stale (the params
 *       check of {@link TokenLeases}); unchanged params keep the slot's TAT, so the leases stay
 *       exact.
 *   <li>When the array is full, a new hot client replaces one whose leases all ended before now
 *       (a quiet one): a refund of its slot then only removes debt above now, above every leased
 *       slot.
 * </ol>
 */
final class ClientLeases {

  /** The most hot clients a table leases for at once. */
  static final int MAX = 8;

  private ClientLeases() {
  }

  /** One hot client: its slot hash and leases, and the source its leases take batches from. */
  static final class Hot implements TokenLeases.Source {
    final long hash;
    final ClientTable table;
    final TokenLeases leases = new TokenLeases();

    Hot(long hash, ClientTable table) {
      this.hash = hash;
      this.table = table;
    }

    /** Takes a lease's batch from the client's slot in the current generation, if {@code p} is still its params. */
    @Override
    public long tryConsume(long now, long cost, GcraBucket.Params p) {
      ClientGeneration g = table.generation();
      if (g.params(hash) != p) {
        return GcraBucket.STALE;
      }
      return table.tryConsume(hash, now, cost, g);
    }
  }

  /** Returns the entry of {@code h} in {@code hot}, or null. */
  static Hot find(Hot[] hot, long h) {
    if (hot != null) {
      for (Hot e : hot) {
        if (e.hash == h) {
          return e;
        }
      }
    }
    return null;
  }

  /**
   * Returns whether a lease of {@code e} may still grant a slot at or after {@code now}: a cell
   * being refilled, or one whose lease ends after {@code now}.
   */
  static boolean mayGrant(Hot e, long now) {
    return e.leases.mayGrantAfter(now);
  }

  /**
   * Returns {@code hot} with {@code h} added (replacing a quiet entry when full), or {@code hot}
   * itself when {@code h} is already there or no entry can make room.
   */
  static Hot[] with(Hot[] hot, long h, ClientTable table, long now) {
    if (find(hot, h) != null) {
      return hot;
    }
    if (hot == null) {
      return new Hot[] {new Hot(h, table)};
    }
    if (hot.length < MAX) {
      Hot[] b = java.util.Arrays.copyOf(hot, hot.length + 1);
      b[hot.length] = new Hot(h, table);
      return b;
    }
    for (int i = 0; i < hot.length; i++) {
      if (!mayGrant(hot[i], now)) {
        Hot[] b = hot.clone();
        b[i] = new Hot(h, table);
        return b;
      }
    }
    return hot;
  }

  /** Returns {@code hot} without entry {@code e} (by identity); null when it becomes empty. */
  static Hot[] without(Hot[] hot, Hot e) {
    if (find(hot, e.hash) != e) {
      return hot;
    }
    if (hot.length == 1) {
      return null;
    }
    Hot[] b = new Hot[hot.length - 1];
    int j = 0;
    for (Hot x : hot) {
      if (x != e) {
        b[j++] = x;
      }
    }
    return b;
  }
}
