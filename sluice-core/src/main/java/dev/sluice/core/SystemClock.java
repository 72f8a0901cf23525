package dev.sluice.core;

/** The production {@link Clock}: {@link System#nanoTime()}. Thread-safe and stateless. */
enum SystemClock implements Clock {
  INSTANCE;

  @Override
  public long nanoTime() {
    return System.nanoTime();
  }

  @Override
  public String toString() {
    return "Clock.system()";
  }
}
