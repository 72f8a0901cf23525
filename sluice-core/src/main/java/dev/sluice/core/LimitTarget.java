package dev.sluice.core;

import java.util.concurrent.CompletionStage;

/**
 * What a control loop moves: the limits a store enforces. It reads the spec, applies a new one and
 * reads the shared levels as the store holds them, in the spirit of concurrency-limits' split
 * between a {@code Limit} algorithm and the {@code Limiter} that enforces it: the loop never sees
 * where buckets live. Every {@link BucketStore} is a target, so the server's loop and the gauges
 * read and move what the local limiter or Redis really enforces. Thread-safe.
 */
public interface LimitTarget {

  /** Returns the spec currently enforced. */
  LimiterSpec spec();

  /** Switches every bucket to {@code spec} while traffic runs (proportional carry-over). */
  void reconfigure(LimiterSpec spec);

  /**
   * Reads the tier aggregate and global levels now, without consuming anything; a store that
   * talks to a server completes the stage on that client's threads, or exceptionally if the
   * server does not answer.
   */
  CompletionStage<AggregateLevels> aggregates();
}
