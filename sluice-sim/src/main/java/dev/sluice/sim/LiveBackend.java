package dev.sluice.sim;

import java.util.SplittableRandom;

/**
 * The simulator's backend model for real time, thread-safe: the service times, worker counts and
 * capacity a scenario's {@code backend:} section gives at each second of a run, drawn by the same
 * {@link Backend} the simulator runs (same distributions, same schedule), so a live server built on
 * it (the demo upstream of {@code sluice demo}) behaves like the simulated one. The queue and the
 * workers themselves are the caller's: a live server has real threads.
 */
public final class LiveBackend {

  private final Backend backend;
  private final int seconds;

  /**
   * A model of {@code spec} over a run of {@code seconds} (its schedule applies by second; later
   * seconds keep the last one's state), drawing from a random stream seeded with {@code seed}.
   */
  public LiveBackend(Scenario.Backend spec, int seconds, long seed) {
    if (seconds < 1) {
      throw new IllegalArgumentException("seconds: " + seconds + " (expected: >= 1)");
    }
    this.backend = new Backend(spec, seconds, new SplittableRandom(seed));
    this.seconds = seconds;
  }

  /** Draws the service time, in nanoseconds, of a request of {@code cost} during {@code second}. */
  public synchronized long serviceNanos(int second, int cost) {
    return backend.serviceNanos(clamp(second), cost);
  }

  /** Returns the workers the schedule gives during {@code second}. */
  public int workers(int second) {
    return backend.workers[clamp(second)];
  }

  /** Returns the service-time factor the schedule gives during {@code second} (1 = nominal). */
  public double serviceFactor(int second) {
    return backend.factor[clamp(second)];
  }

  /** Returns the true capacity during {@code second}, requests of cost 1 per second. */
  public double capacity(int second) {
    return backend.capacity(clamp(second));
  }

  private int clamp(int second) {
    return Math.max(0, Math.min(seconds, second));
  }
}
