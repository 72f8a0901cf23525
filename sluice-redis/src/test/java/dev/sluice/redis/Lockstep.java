package dev.sluice.redis;

import dev.sluice.core.ManualClock;
import dev.sluice.testkit.Conditions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.UnaryOperator;

/**
 * Drives nodes through virtual time in steps of a {@link ManualClock} that is both their bucket
 * time (passed to the script) and their lease clock. Not thread-safe: one test thread drives it.
 *
 * <p>In each step every node decides its requests on its own thread, concurrently with the other
 * nodes and with the lease top-ups they start, all at the step's instant; the step ends when every
 * decision and every lease top-up or return it started has finished, and only then does the clock
 * move on. So each admission has an exact instant on the buckets' own time base, and no wall-clock
 * delay (a loaded machine, a slow reply, a late completion stage) can move it or let virtual time
 * outrun Redis: the outcome depends on the interleaving within steps, never on how fast they run.
 * Real time still drives heartbeats (Redis {@code TIME}), Lettuce timeouts and the lease expiry
 * sweep (which reads the manual clock); see {@link #options}.
 */
final class Lockstep implements AutoCloseable {

  /** A virtual start far from 0, as a real clock's origin would be. */
  static final long START = 7_654_321_000_000L;
  private static final Duration DECISION_DEADLINE = Duration.ofSeconds(10);
  private static final Duration SETTLE_DEADLINE = Duration.ofSeconds(10);

  private final ManualClock clock;
  private final long stepNanos;
  private final ExecutorService pool;
  private final List<String> clients;
  private int next;

  /** Steps of {@code step} on {@code clock}, with up to {@code nodes} nodes deciding for {@code clients} in turn. */
  Lockstep(ManualClock clock, Duration step, int nodes, List<String> clients) {
    this.clock = clock;
    this.stepNanos = step.toNanos();
    this.pool = Executors.newFixedThreadPool(nodes);
    this.clients = List.copyOf(clients);
  }

  /**
   * Returns the node options that put a node on {@code clock}: bucket time and lease clock; a
   * Redis timeout far above any reply on a loaded machine, so no decision falls back (a test
   * asserts none did); heartbeats every {@code heartbeat} (three missed ones drop a node).
   */
  static UnaryOperator<RedisStoreBuilder> options(ManualClock clock, Duration heartbeat) {
    return b -> b.clock(clock).systemClock(clock).timeout(Duration.ofSeconds(5)).heartbeat(heartbeat);
  }

  /** Returns the instant of the next step. */
  long now() {
    return clock.nanoTime();
  }

  /**
   * Runs one step: each of {@code nodes} decides {@code requests} requests of cost 1; waits until
   * all of them and every lease call they started have finished; moves the clock one step on.
   * Returns the admissions of each node, all at the step's instant ({@link #now()} before the call).
   */
  long[] step(List<RedisBucketStore> nodes, int requests) {
    List<CompletableFuture<Long>> runs = new ArrayList<>(nodes.size());
    for (RedisBucketStore node : nodes) {
      int first = next;
      next += requests;
      runs.add(CompletableFuture.supplyAsync(() -> {
        long admitted = 0;
        for (int k = 0; k < requests; k++) {
          String client = clients.get(Math.floorMod(first + k, clients.size()));
          admitted += NodeHarness.decide(node, client, DECISION_DEADLINE).allowed() ? 1 : 0;
        }
        return admitted;
      }, pool));
    }
    long[] admitted = new long[nodes.size()];
    for (int i = 0; i < admitted.length; i++) {
      admitted[i] = runs.get(i).join();
    }
    Conditions.await("the lease calls of the step at " + clock.nanoTime() + " finished", SETTLE_DEADLINE,
        Duration.ofNanos(20_000), () -> nodes.stream().allMatch(RedisBucketStore::leaseCallsSettled));
    clock.advance(stepNanos);
    return admitted;
  }

  /** Lets {@code duration} pass without requests (once every lease call in flight has finished). */
  void idle(List<RedisBucketStore> nodes, Duration duration) {
    step(nodes, 0);
    clock.advance(duration.toNanos() - stepNanos);
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
