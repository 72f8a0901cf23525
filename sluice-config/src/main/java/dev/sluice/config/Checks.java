package dev.sluice.config;

import java.time.Duration;

/** Argument checks shared by the config records; messages read {@code path: value (expected: ...)}. */
final class Checks {

  private Checks() {}

  static void notBlank(String path, String value) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(path + ": " + (value == null ? "missing" : "empty")
          + " (expected: a non-empty string)");
    }
  }

  static void port(String path, int port) {
    if (port < 0 || port > 65_535) {
      throw new IllegalArgumentException(path + ": " + port + " (expected: 0..65535)");
    }
  }

  static void positive(String path, Duration duration) {
    if (duration == null || duration.isNegative() || duration.isZero()) {
      throw new IllegalArgumentException(path + ": " + duration + " (expected: > 0, e.g. 5s)");
    }
  }
}
