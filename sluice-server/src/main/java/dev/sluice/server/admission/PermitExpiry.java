package dev.sluice.server.admission;

import dev.sluice.core.BucketStore;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reclaims the permits of concurrency levels that nobody released: a gateway that took a permit on
 * {@code /v1/decisions} and never reported it on {@code /v1/feedback}, or crashed. Decisions
 * expire overdue permits themselves, but only while decisions come; this runs {@link
 * BucketStore#expirePermits} on a thread of its own (never an event loop) every {@code
 * min(global.permit-timeout, 1 s)} of the spec the store enforces at the time, so a permit is
 * reclaimed, and counted in {@code sluice_permits_expired_total}, at most that long after its
 * deadline even when traffic stops. Thread-safe; {@link #start} once, {@link #close} to stop.
 */
public final class PermitExpiry implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(PermitExpiry.class);
  /** The longest wait between two sweeps. */
  static final Duration MAX_PERIOD = Duration.ofSeconds(1);
  /** The shortest wait between two sweeps, whatever the permit timeout. */
  static final Duration MIN_PERIOD = Duration.ofMillis(10);

  private final BucketStore store;
  private final ScheduledExecutorService scheduler;

  /** A stopped sweeper of {@code store}'s permits. */
  public PermitExpiry(BucketStore store) {
    this.store = store;
    this.scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "sluice-permit-expiry");
      t.setDaemon(true);
      return t;
    });
  }

  /** Starts sweeping. */
  public void start() {
    next();
  }

  /** Returns the wait before the next sweep: the permit timeout, at most one second, at least 10 ms. */
  static Duration period(Duration permitTimeout) {
    Duration p = permitTimeout.compareTo(MAX_PERIOD) < 0 ? permitTimeout : MAX_PERIOD;
    return p.compareTo(MIN_PERIOD) > 0 ? p : MIN_PERIOD;
  }

  private void next() {
    try {
      scheduler.schedule(this::sweep, period(store.spec().permitTimeout()).toNanos(), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException closed) {
      // stopped
    }
  }

  private void sweep() {
    try {
      store.expirePermits();
    } catch (RuntimeException e) {
      log.atWarn().addKeyValue("event", "permit-expiry-failed").setCause(e).log("expiring permits failed");
    }
    next();
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
