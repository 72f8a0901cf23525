package dev.sluice.core;

/** The levels a request is checked against, innermost first. */
public enum Level {
  /** The bucket of one client key within its tier. */
  CLIENT,
  /** The aggregate bucket shared by every client of a tier. */
  TIER,
  /** The bucket shared by all traffic. */
  GLOBAL;

  /** Returns the lower-case name used in headers, logs and JSON ({@code client}, {@code tier}, {@code global}). */
  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
