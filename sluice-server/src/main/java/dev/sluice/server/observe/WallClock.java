package dev.sluice.server.observe;

/**
 * Wall-clock time in epoch milliseconds, for log timestamps only (decisions use the injected
 * monotonic {@link dev.sluice.core.Clock}). Thread-safe.
 */
@FunctionalInterface
public interface WallClock {

  /** Returns the current time in milliseconds since the epoch. */
  long epochMillis();

  /** Returns the system's wall clock. */
  static WallClock system() {
    return System::currentTimeMillis;
  }
}
