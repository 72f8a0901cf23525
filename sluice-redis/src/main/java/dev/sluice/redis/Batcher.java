package dev.sluice.redis;

import dev.sluice.core.Clock;
import dev.sluice.core.Limit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Sends the decisions that reach Redis together in one script call ({@code batch.lua}), so many
 * cold clients share a round trip. Thread-safe; callers never wait for I/O, only for a short
 * monitor.
 *
 * <p>Protocol:
 * <ol>
 *   <li>At most one batch call per batcher (a store has one per aggregate shard, as a call's keys
 *       must share one hash tag) is in flight. A decision that arrives while none is
 *       goes out at once (a batch of one: no added latency at low load, no timer); decisions that
 *       arrive while one is out queue, and its reply sends the queue, up to {@code maxBatch}
 *       decisions in arrival order, as the next call before the replied decisions are completed.
 *       The batch size thus follows the load: about the decisions that arrive during one round
 *       trip.
 *   <li>A call goes out only after the previous one has replied, so Redis runs them in queue
 *       order, one at a time. The script evaluates a batch's decisions in queue order, each
 *       against the state the ones before it left: the results are exactly those of one
 *       single-decision call per decision in the same order (for Redis time, all decisions of a
 *       call share the instant its script read {@code TIME}). Nothing is admitted that the
 *       sequential calls would deny.
 *   <li>A decision waits at most the link's timeout, queueing included: one queued longer fails
 *       without being sent, and a call's own timeout is what is left of its oldest decision's.
 *   <li>A call that fails or times out fails every decision in it (each then takes the store's
 *       failure path on its own); one that cannot even be sent fails them at once. Calls are
 *       sent, and decisions completed, outside the monitor.
 * </ol>
 */
final class Batcher {

  /** One queued decision: its keys and limits (innermost first), cost, the script's now argument. */
  record Pending(String[] keys, Limit[] limits, long cost, String now, long queuedAt,
      CompletableFuture<long[]> result) {}

  private final RedisLink link;
  private final StoreTime time;
  private final Clock clock;
  private final long timeoutNanos;
  private final int maxBatch;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  /**
   * Whether a call is out; guarded by this. One at a time: a second call sent while the first runs
   * could overtake it on the wire (a call sent from Lettuce's event loop is written at once, one
   * sent from another thread waits in the loop's task queue), and the queue order would be lost.
   */
  private boolean inFlight;
  private final AtomicLong calls = new AtomicLong();
  /** Sees every batch as it is sent, in order (tests); never null. */
  private volatile Consumer<List<Pending>> observer = b -> { };

  Batcher(RedisLink link, StoreTime time, Clock clock, long timeoutNanos, int maxBatch) {
    this.link = link;
    this.time = time;
    this.clock = clock;
    this.timeoutNanos = timeoutNanos;
    this.maxBatch = maxBatch;
  }

  /**
   * Decides {@code cost} over {@code keys} (all or nothing) in the next batch; the stage completes
   * with the reply a single-decision {@code A} call of {@code gcra.lua} would give: admitted, now,
   * then tokens, debt and wait per key.
   */
  CompletableFuture<long[]> submit(String[] keys, Limit[] limits, long cost) {
    Pending p = new Pending(keys, limits, cost, time.nowArg(), clock.nanoTime(), new CompletableFuture<>());
    List<Pending> batch = null;
    synchronized (this) {
      queue.add(p);
      if (!inFlight) {
        batch = take();
      }
    }
    dispatch(batch);
    return p.result();
  }

  /** Under the monitor: takes the next batch off the queue and marks a call out; null (none out) when empty. */
  private List<Pending> take() {
    if (queue.isEmpty()) {
      inFlight = false;
      return null;
    }
    inFlight = true;
    List<Pending> batch = new ArrayList<>(Math.min(queue.size(), maxBatch));
    while (batch.size() < maxBatch && !queue.isEmpty()) {
      batch.add(queue.poll());
    }
    return batch;
  }

  /**
   * Outside the monitor: sends {@code batch} (failing its decisions that queued past the timeout),
   * and the following ones for as long as calls fail before they are even sent.
   */
  private void dispatch(List<Pending> batch) {
    while (batch != null) {
      long now = clock.nanoTime();
      List<Pending> live = new ArrayList<>(batch.size());
      long oldest = now;
      for (Pending p : batch) {
        if (now - p.queuedAt() >= timeoutNanos) {
          p.result().completeExceptionally(new TimeoutException(
              "queued for a Redis batch longer than the " + link.timeout().toMillis() + " ms timeout"));
        } else {
          live.add(p);
          oldest = Math.min(oldest, p.queuedAt());
        }
      }
      CompletableFuture<long[]> call = null;
      if (!live.isEmpty()) {
        try {
          call = call(live, timeoutNanos - (now - oldest));
        } catch (RuntimeException e) {
          call = CompletableFuture.failedFuture(e);
        }
        if (!call.isDone()) {
          call.whenComplete((r, err) -> completed(live, r, err));
          return;
        }
      }
      // Nothing to send, or the call failed to go out (or was answered at once): go on with the queue.
      List<Pending> following;
      synchronized (this) {
        following = take();
      }
      if (call != null) {
        Throwable err = failure(call);
        settle(live, err == null ? call.join() : null, err);
      }
      batch = following;
    }
  }

  /** Returns why a completed call failed, null when it succeeded. */
  private static Throwable failure(CompletableFuture<long[]> call) {
    try {
      call.join();
      return null;
    } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException e) {
      return e.getCause() != null ? e.getCause() : e;
    }
  }

  private CompletableFuture<long[]> call(List<Pending> batch, long timeout) {
    Encoded e = encode(batch, time);
    observer.accept(List.copyOf(batch));
    calls.incrementAndGet();
    return link.run(LuaScript.BATCH, e.keys(), e.args(), Math.max(1, timeout));
  }

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
   * innermost level, key and limit of each outer one) once each, so that each decision is four
   * arguments (now, cost, shape, innermost key) whatever its levels.
   */
  static Encoded encode(List<Pending> batch, StoreTime time) {
    Map<String, Integer> keyIndex = new HashMap<>();
    // A batch's levels share few limits (the spec's instances) and few shapes: each goes in once.
    Map<Limit, Integer> limitIndex = new java.util.IdentityHashMap<>();
    List<String> keys = new ArrayList<>();
    List<String> limits = new ArrayList<>();
    List<Pending> shapes = new ArrayList<>(4);
    List<String> shapeArgs = new ArrayList<>();
    String[] decisions = new String[4 * batch.size()];
    int a = 0;
    for (Pending p : batch) {
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
      decisions[a++] = p.now();
      decisions[a++] = decimal(p.cost());
      decisions[a++] = decimal(s + 1);
      decisions[a++] = decimal(index(keyIndex, keys, p.keys()[0]));
    }
    String[] args = new String[5 + limits.size() + shapeArgs.size() + decisions.length];
    args[0] = decimal(time.unitsPerMs());
    args[1] = decimal(time.expirySlackMs());
    args[2] = decimal(limits.size() / 2);
    args[3] = decimal(shapes.size());
    args[4] = decimal(batch.size());
    int at = 5;
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
  private static boolean sameShape(Pending a, Pending b) {
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

  /** A call's reply: sends the next batch first (Redis works on it meanwhile), then settles this one. */
  private void completed(List<Pending> batch, long[] reply, Throwable err) {
    List<Pending> following;
    synchronized (this) {
      following = take();
    }
    dispatch(following);
    settle(batch, reply, err);
  }

  /**
   * Completes each decision of {@code batch} from the call's {@code reply} (or fails them all with
   * {@code err}); a reply that does not fit the batch fails every decision with what is wrong.
   */
  void settle(List<Pending> batch, long[] reply, Throwable err) {
    long[][] decided = null;
    if (err == null) {
      try {
        decided = decode(batch, reply, time);
      } catch (IllegalStateException e) {
        err = e;
      }
    }
    for (int i = 0; i < batch.size(); i++) {
      if (decided == null) {
        batch.get(i).result().completeExceptionally(err);
      } else {
        batch.get(i).result().complete(decided[i]);
      }
    }
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
  static long[][] decode(List<Pending> batch, long[] reply, StoreTime time) {
    if (reply == null) {
      throw new IllegalStateException("no reply from the batch script");
    }
    int expected = 0;
    for (Pending p : batch) {
      expected += 1 + p.keys().length;
    }
    if (reply.length != expected) {
      throw new IllegalStateException("batch reply has " + reply.length + " values, expected " + expected
          + " for " + batch.size() + " decisions");
    }
    long[][] out = new long[batch.size()][];
    int at = 0;
    for (int d = 0; d < out.length; d++) {
      Pending p = batch.get(d);
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

  /** Returns the number of batch calls sent. */
  long calls() {
    return calls.get();
  }

  /** Sets who sees each batch as it is sent, in the order the calls go out (tests). */
  void observe(Consumer<List<Pending>> o) {
    this.observer = o;
  }
}
