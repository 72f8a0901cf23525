package dev.sluice.redis;

import dev.sluice.core.Clock;
import dev.sluice.core.Limit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Sends the decisions that reach Redis together in one script call ({@code batch.lua}), so many
 * cold clients share a round trip. Thread-safe; callers never wait for I/O, only for a short
 * monitor.
 *
 * <p>Protocol:
 * <ol>
 *   <li>At most {@code maxInFlight} batch calls per batcher (default 1; a store has one batcher per
 *       aggregate shard, as a call's keys must share one hash tag) are out. A decision that arrives
 *       while fewer are goes out at once (a batch of one: no added latency at low load, no timer);
 *       decisions that arrive meanwhile queue, and a reply sends the queue, up to {@code maxBatch}
 *       decisions in arrival order, as the next call before the replied decisions are completed.
 *       The batch size thus follows the load: about the decisions that arrive during a round trip.
 *   <li>Calls reach Redis in queue order (with more than one out, they are never sent from a
 *       Lettuce event loop, see {@link #pump}), and Redis runs a connection's calls one at a time in
 *       that order. The script evaluates a batch's decisions in queue order, each against the state
 *       the ones before it left: the results are exactly those of one single-decision call per
 *       decision in the same order (for Redis time, all decisions of a call share the instant its
 *       script read {@code TIME}). Nothing is admitted that the sequential calls would deny.
 *   <li>A decision waits at most the link's timeout, queueing included: one queued longer fails
 *       without being sent, and a call's own timeout is what is left of its oldest decision's.
 *   <li>A call that fails or times out, or whose reply does not fit the batch, fails every decision
 *       in it (each then takes the store's failure path on its own); one that cannot even be sent
 *       fails them at once. Calls are sent, and decisions completed, outside the monitor.
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
  private final int maxInFlight;
  /** Sends for reply handlers on a Lettuce event loop (see {@link #pump}); null: send on the caller. */
  private final Executor sender;
  private final ArrayDeque<Pending> queue = new ArrayDeque<>();
  /** Calls out, and the most ever out at once; guarded by this. */
  private int inFlight;
  private int mostInFlight;
  /** Held by the one thread taking batches off the queue and sending them (never an event loop). */
  private final AtomicBoolean sending = new AtomicBoolean();
  /** Whether a send task is queued on the sender (at most one). */
  private final AtomicBoolean scheduled = new AtomicBoolean();
  private final AtomicLong calls = new AtomicLong();
  /** Sees every batch as it is sent, in order (tests); never null. */
  private volatile Consumer<List<Pending>> observer = b -> { };

  Batcher(RedisLink link, StoreTime time, Clock clock, long timeoutNanos, int maxBatch) {
    this(link, time, clock, timeoutNanos, maxBatch, 1, null);
  }

  /**
   * Creates a batcher with up to {@code maxInFlight} calls out at once; above 1, {@code sender}
   * sends the calls that a reply frees up (a reply handler runs on a Lettuce event loop, which must
   * not send itself, see {@link #pump}).
   */
  Batcher(RedisLink link, StoreTime time, Clock clock, long timeoutNanos, int maxBatch, int maxInFlight,
      Executor sender) {
    if (maxInFlight > 1 && sender == null) {
      throw new IllegalArgumentException("batches in flight: " + maxInFlight + " need a sender executor");
    }
    this.link = link;
    this.time = time;
    this.clock = clock;
    this.timeoutNanos = timeoutNanos;
    this.maxBatch = maxBatch;
    this.maxInFlight = maxInFlight;
    this.sender = sender;
  }

  /**
   * Decides {@code cost} over {@code keys} (all or nothing) in the next batch; the stage completes
   * with the reply a single-decision {@code A} call of {@code gcra.lua} would give: admitted, now,
   * then tokens, debt and wait per key.
   */
  CompletableFuture<long[]> submit(String[] keys, Limit[] limits, long cost) {
    Pending p = new Pending(keys, limits, cost, time.nowArg(), clock.nanoTime(), new CompletableFuture<>());
    synchronized (this) {
      queue.add(p);
    }
    pump();
    return p.result();
  }

  /**
   * Sends queued batches while fewer than {@code maxInFlight} calls are out. One thread at a time
   * takes and sends (so batches reach Lettuce in queue order), and never a Lettuce event loop
   * thread when more than one call may be out: a command sent from the event loop is written at
   * once, one sent from another thread waits in the loop's task queue, so a batch sent from the
   * loop could overtake one sent just before from elsewhere, and Redis would run them out of queue
   * order. From any Netty event-loop thread (Lettuce's among them: a reply handler, or a caller
   * that decides from a reply), the send moves to the sender. A thread that finds another sending leaves its batch to it: the sender checks the
   * queue again after it lets go.
   */
  private void pump() {
    if (maxInFlight > 1 && Thread.currentThread() instanceof io.netty.util.concurrent.FastThreadLocalThread) {
      if (scheduled.compareAndSet(false, true)) {
        try {
          sender.execute(() -> {
            scheduled.set(false);
            drain();
          });
        } catch (java.util.concurrent.RejectedExecutionException e) {
          // The store is closing: send from here (the order no longer matters).
          scheduled.set(false);
          drain();
        }
      }
      return;
    }
    drain();
  }

  private void drain() {
    while (sending.compareAndSet(false, true)) {
      try {
        List<Pending> batch;
        while ((batch = take()) != null) {
          send(batch);
        }
      } finally {
        sending.set(false);
      }
      synchronized (this) {
        if (queue.isEmpty() || inFlight >= maxInFlight) {
          return;
        }
      }
    }
  }

  /** Takes the next batch off the queue and counts a call out; null when the queue is empty or enough calls are out. */
  private synchronized List<Pending> take() {
    if (queue.isEmpty() || inFlight >= maxInFlight) {
      return null;
    }
    mostInFlight = Math.max(mostInFlight, ++inFlight);
    List<Pending> batch = new ArrayList<>(Math.min(queue.size(), maxBatch));
    while (batch.size() < maxBatch && !queue.isEmpty()) {
      batch.add(queue.poll());
    }
    return batch;
  }

  /**
   * Sends {@code batch} (failing its decisions that queued past the timeout); a call that fails
   * before it is even sent, or has nothing left to send, is settled here and frees its place.
   */
  private void send(List<Pending> batch) {
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
    CompletableFuture<long[]> call;
    if (live.isEmpty()) {
      call = null;
    } else {
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
    // Nothing to send, or the call failed to go out (or was answered at once): its place is free.
    synchronized (this) {
      inFlight--;
    }
    if (call != null) {
      Throwable err = failure(call);
      settle(live, err == null ? call.join() : null, err);
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
    BatchCodec.Encoded e = BatchCodec.encode(batch, time);
    observer.accept(List.copyOf(batch));
    calls.incrementAndGet();
    return link.run(LuaScript.BATCH, e.keys(), e.args(), Math.max(1, timeout));
  }

  /** A call's reply: frees its place and sends the next batch first (Redis works on it meanwhile), then settles this one. */
  private void completed(List<Pending> batch, long[] reply, Throwable err) {
    synchronized (this) {
      inFlight--;
    }
    pump();
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
        decided = BatchCodec.decode(batch, reply, time);
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

  /** Returns the most batch calls that were out at once (tests). */
  synchronized int mostInFlight() {
    return mostInFlight;
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
