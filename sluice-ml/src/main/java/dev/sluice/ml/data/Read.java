package dev.sluice.ml.data;

/**
 * What a reader returns: the records it could use and the report of what it skipped.
 *
 * @param <T> the records' type
 * @param value the records
 * @param report lines read, accepted and skipped
 */
public record Read<T>(T value, ReadReport report) {

  /** Validates that both parts are present. */
  public Read {
    if (value == null || report == null) {
      throw new IllegalArgumentException("value and report: null (expected: both present)");
    }
  }
}
