package dev.sluice.envoy;

import dev.sluice.core.BucketStore;
import java.util.function.Supplier;

/**
 * The limits in force and the store that enforces them, kept in step: a reload swaps the limits and
 * reconfigures the store's spec in one step. Thread-safe: readers see the current limits through a
 * volatile field; {@link #swap} is serialised.
 */
public final class RunningLimits implements Supplier<EnvoyLimits> {
  private final BucketStore store;
  private volatile EnvoyLimits current;

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

  /** Switches to {@code next}: the store's buckets carry over, new rules start full. */
  public synchronized void swap(EnvoyLimits next) {
    store.reconfigure(next.spec());
    current = next;
  }
}
