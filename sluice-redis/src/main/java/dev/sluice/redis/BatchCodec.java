package dev.sluice.redis;

import dev.sluice.core.Limit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The call format of {@code batch.lua}: a batch's arguments, with each distinct key, limit and
 * shape once and three arguments per decision (four with an injected clock), and its compact reply
 * (per decision the admitted flag and each level's debt), decoded into the reply a single-decision
 * {@code gcra.lua} call gives.
 * Stateless.
 */
final class BatchCodec {

  private BatchCodec() {}

  /** A batch's {@code batch.lua} call: its distinct keys and its arguments. */
  record Encoded(String[] keys, String[] args) {}

  /** Decimal strings of small indexes and costs, made once (a batch's arguments are mostly these). */
  private static final String[] SMALL = new String[4096];

  static {
    for (int i = 0; i < SMALL.length; i++) {
      SMALL[i] = Integer.toString(i);
    }
  }

  private static String decimal(long v) {
    return v >= 0 && v < SMALL.length ? SMALL[(int) v] : Long.toString(v);
  }

  /**
   * Encodes {@code batch} for {@code batch.lua}: its distinct keys and limits once each; its
   * distinct shapes (a decision's levels with the innermost key left out: the limit of the
   * innermost level, key and limit of each outer one) once each, so that each decision is three
   * arguments (cost, shape, innermost key; first its now with an injected clock, four) whatever
   * its levels.
   */
  static Encoded encode(List<Batcher.Pending> batch, StoreTime time) {
    Map<String, Integer> keyIndex = new HashMap<>();
    // A batch's levels share few limits (the spec's instances) and few shapes: each goes in once.
    Map<Limit, Integer> limitIndex = new java.util.IdentityHashMap<>();
    List<String> keys = new ArrayList<>();
    List<String> limits = new ArrayList<>();
    List<Batcher.Pending> shapes = new ArrayList<>(4);
    List<String> shapeArgs = new ArrayList<>();
    // With Redis time for every decision (no injected clock) the call reads TIME once and the
    // decisions carry no now: three arguments each instead of four.
    boolean carried = false;
    for (Batcher.Pending p : batch) {
      carried |= !p.now().isEmpty();
    }
    String[] decisions = new String[(carried ? 4 : 3) * batch.size()];
    int a = 0;
    for (Batcher.Pending p : batch) {
      int s = 0;
      while (s < shapes.size() && !sameShape(shapes.get(s), p)) {
        s++;
      }
      if (s == shapes.size()) {
        shapes.add(p);
        shapeArgs.add(decimal(p.keys().length));
        shapeArgs.add(decimal(index(limitIndex, limits, p.limits()[0], time)));
        for (int i = 1; i < p.keys().length; i++) {
          shapeArgs.add(decimal(index(keyIndex, keys, p.keys()[i])));
          shapeArgs.add(decimal(index(limitIndex, limits, p.limits()[i], time)));
        }
      }
      if (carried) {
        decisions[a++] = p.now();
      }
      decisions[a++] = decimal(p.cost());
      decisions[a++] = decimal(s + 1);
      decisions[a++] = decimal(index(keyIndex, keys, p.keys()[0]));
    }
    String[] args = new String[6 + limits.size() + shapeArgs.size() + decisions.length];
    args[0] = decimal(time.unitsPerMs());
    args[1] = decimal(time.expirySlackMs());
    args[2] = decimal(limits.size() / 2);
    args[3] = decimal(shapes.size());
    args[4] = decimal(batch.size());
    args[5] = carried ? "C" : "T";
    int at = 6;
    for (String x : limits) {
      args[at++] = x;
    }
    for (String x : shapeArgs) {
      args[at++] = x;
    }
    System.arraycopy(decisions, 0, args, at, decisions.length);
    return new Encoded(keys.toArray(String[]::new), args);
  }

  /** Whether two decisions have the same levels apart from the innermost key. */
  private static boolean sameShape(Batcher.Pending a, Batcher.Pending b) {
    int n = a.keys().length;
    if (b.keys().length != n || a.limits()[0] != b.limits()[0]) {
      return false;
    }
    for (int i = 1; i < n; i++) {
      if (a.limits()[i] != b.limits()[i] || !a.keys()[i].equals(b.keys()[i])) {
        return false;
      }
    }
    return true;
  }

  private static int index(Map<String, Integer> index, List<String> keys, String key) {
    Integer k = index.get(key);
    if (k == null) {
      keys.add(key);
      k = keys.size();
      index.put(key, k);
    }
    return k;
  }

  private static int index(Map<Limit, Integer> index, List<String> limits, Limit limit, StoreTime time) {
    Integer l = index.get(limit);
    if (l == null) {
      limits.add(Long.toString(limit.burst()));
      limits.add(Long.toString(time.intervalUnits(limit)));
      l = limits.size() / 2;
      index.put(limit, l);
    }
    return l;
  }

  /**
   * Decodes a {@code batch.lua} reply (per decision: admitted 1/0, then each level's debt) into
   * one {@code gcra.lua}-style reply per decision: admitted, now (the injected clock's reading; 0
   * with Redis time, which the batch reply does not carry), then tokens, debt and wait per level,
   * wait -1 for a cost above the level's burst. Tokens and waits follow from the debts exactly as
   * the script computes them (integers below 2^53, so the script's doubles are exact).
   *
   * @throws IllegalStateException when the reply does not fit the batch (length, a flag other than
   *     0/1, a negative debt)
   */
  static long[][] decode(List<Batcher.Pending> batch, long[] reply, StoreTime time) {
    if (reply == null) {
      throw new IllegalStateException("no reply from the batch script");
    }
    int expected = 0;
    for (Batcher.Pending p : batch) {
      expected += 1 + p.keys().length;
    }
    if (reply.length != expected) {
      throw new IllegalStateException("batch reply has " + reply.length + " values, expected " + expected
          + " for " + batch.size() + " decisions");
    }
    long[][] out = new long[batch.size()][];
    int at = 0;
    for (int d = 0; d < out.length; d++) {
      Batcher.Pending p = batch.get(d);
      long admitted = reply[at++];
      if (admitted != 0 && admitted != 1) {
        throw new IllegalStateException("batch reply: decision " + (d + 1) + " has admitted flag " + admitted
            + " (expected 0 or 1)");
      }
      int n = p.keys().length;
      long[] r = new long[2 + 3 * n];
      r[0] = admitted;
      r[1] = p.now().isEmpty() ? 0 : Long.parseLong(p.now());
      for (int i = 0; i < n; i++) {
        long debt = reply[at++];
        if (debt < 0) {
          throw new IllegalStateException("batch reply: decision " + (d + 1) + " has debt " + debt
              + " at level " + (i + 1) + " (expected >= 0)");
        }
        long v = time.intervalUnits(p.limits()[i]);
        long burst = p.limits()[i].burst();
        long cap = burst * v;
        long wait = 0;
        if (admitted == 0) {
          // cost <= burst here, so the need stays below 2 × cap <= 2^53.
          wait = p.cost() > burst ? -1 : Math.max(0, debt + p.cost() * v - cap);
        }
        r[2 + 3 * i] = debt < cap ? (cap - debt) / v : 0;
        r[3 + 3 * i] = debt;
        r[4 + 3 * i] = wait;
      }
      out[d] = r;
    }
    return out;
  }
}
