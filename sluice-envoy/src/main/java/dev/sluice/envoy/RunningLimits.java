package dev.sluice.envoy;

import dev.sluice.core.BucketStore;
import java.util.function.Supplier;

/**
 * The limits in force and the store that enforces them, kept in step: a reload swaps the limits and
 * reconfigures the store's spec in one step, and so does a new {@link EdgeScale} factor for the
 * {@code adaptive} rules. Thread-safe: readers see the current limits through a volatile field;
 * {@link #swap} and {@link #scale} are serialised.
 */
public final class RunningLimits implements Supplier<EnvoyLimits> {
  private final BucketStore store;
  private volatile EnvoyLimits current;
  private volatile double factor = 1;

  /** Starts with {@code initial}; {@code store} must have been built from {@code initial.spec()}. */
  public RunningLimits(EnvoyLimits initial, BucketStore store) {
    if (initial == null || store == null) {
      throw new IllegalArgumentException("initial, store: null");
    }
    this.current = initial;
    this.store = store;
  }

  @Override
  public EnvoyLimits get() {
    return current;
  }

  /** Returns the factor the adaptive rules' rates are scaled by now (1: as configured). */
  public double factor() {
    return factor;
  }

  /** Switches to {@code next}: the store's buckets carry over, new rules start full. */
  public synchronized void swap(EnvoyLimits next) {
    store.reconfigure(next.spec(factor));
    current = next;
  }

  /**
   * Scales the adaptive rules' rates to {@code scale}'s factor (bounded by its max factor);
   * returns whether the factor changed (and the store was reconfigured: buckets carry their tokens
   * over proportionally).
   */
  public synchronized boolean scale(EdgeScale scale) {
    double next = scale.factor();
    if (next == factor) {
      return false;
    }
    store.reconfigure(current.spec(next));
    factor = next;
    return true;
  }
}
