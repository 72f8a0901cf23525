package dev.sluice.core;

/**
 * A snapshot of one concurrency level: the cost its permits hold now and its limit, for the admin
 * API, metrics and a control loop.
 *
 * @param cost the cost of the permits taken at this level and neither released nor expired yet
 * @param max the most cost the level admits in flight, or 0 when the level has been removed while
 *     permits taken under it are still out
 */
public record InFlight(long cost, long max) {

  /** Returns the cost still free at this level now (0 when full or above a lowered limit). */
  public long free() {
    return Math.max(0, max - cost);
  }
}
