package dev.sluice.redis;

import dev.sluice.core.Clock;
import dev.sluice.core.Limit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
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
    Map<String, Integer> keyIndex = new HashMap<>();
    // A batch's levels share few limits (the spec's instances): each goes into the call once.
    Map<Limit, Integer> limitIndex = new java.util.IdentityHashMap<>();
    List<String> keys = new ArrayList<>();
    List<String> limits = new ArrayList<>();
    List<String> decisions = new ArrayList<>(batch.size() * 9);
    for (Pending p : batch) {
      decisions.add(p.now());
      decisions.add(Long.toString(p.cost()));
      decisions.add(Integer.toString(p.keys().length));
      for (int i = 0; i < p.keys().length; i++) {
        Integer k = keyIndex.get(p.keys()[i]);
        if (k == null) {
          keys.add(p.keys()[i]);
          k = keys.size();
          keyIndex.put(p.keys()[i], k);
        }
        Limit limit = p.limits()[i];
        Integer l = limitIndex.get(limit);
        if (l == null) {
          limits.add(Long.toString(limit.burst()));
          limits.add(Long.toString(time.intervalUnits(limit)));
          l = limits.size() / 2;
          limitIndex.put(limit, l);
        }
        decisions.add(Integer.toString(k));
        decisions.add(Integer.toString(l));
      }
    }
    String[] args = new String[4 + limits.size() + decisions.size()];
    args[0] = Long.toString(time.unitsPerMs());
    args[1] = Long.toString(time.expirySlackMs());
    args[2] = Integer.toString(limits.size() / 2);
    args[3] = Integer.toString(batch.size());
    int a = 4;
    for (String x : limits) {
      args[a++] = x;
    }
    for (String x : decisions) {
      args[a++] = x;
    }
    observer.accept(List.copyOf(batch));
    calls.incrementAndGet();
    return link.run(LuaScript.BATCH, keys.toArray(String[]::new), args, Math.max(1, timeout));
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

  private static void settle(List<Pending> batch, long[] reply, Throwable err) {
    if (err != null || reply == null) {
      Throwable cause = err != null ? err : new IllegalStateException("no reply from the batch script");
      for (Pending p : batch) {
        p.result().completeExceptionally(cause);
      }
      return;
    }
    int at = 0;
    for (Pending p : batch) {
      int len = 2 + 3 * p.keys().length;
      if (at + len > reply.length) {
        p.result().completeExceptionally(new IllegalStateException("batch reply too short: " + reply.length
            + " values for " + batch.size() + " decisions"));
      } else {
        p.result().complete(Arrays.copyOfRange(reply, at, at + len));
      }
      at += len;
    }
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
