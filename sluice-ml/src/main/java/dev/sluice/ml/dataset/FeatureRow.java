package dev.sluice.ml.dataset;

import java.util.Arrays;

/**
 * One group's features and targets for one window; {@code values} are in {@link
 * DatasetSchema#columns()} order, NaN where a feature does not apply (no latency measured, no
 * decision made, no burst logged).
 *
 * @param windowStart the window's start, UTC epoch seconds
 * @param group {@code global}, {@code tier:NAME} or {@code client:KEY}
 * @param values features, then targets
 */
public record FeatureRow(long windowStart, String group, double[] values) {

  /** Validates the group and copies the values. */
  public FeatureRow {
    if (group == null || group.isEmpty()) {
      throw new IllegalArgumentException("group: " + group + " (expected: global, tier:NAME or client:KEY)");
    }
    values = values.clone();
  }

  /** The value of column {@code name}. */
  public double get(DatasetSchema schema, String name) {
    return values[schema.index(name)];
  }

  @Override
  public double[] values() {
    return values.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FeatureRow r && r.windowStart == windowStart && r.group.equals(group)
        && Arrays.equals(r.values, values);
  }

  @Override
  public int hashCode() {
    return (Long.hashCode(windowStart) * 31 + group.hashCode()) * 31 + Arrays.hashCode(values);
  }

  @Override
  public String toString() {
    return "FeatureRow[" + windowStart + ", " + group + ", " + Arrays.toString(values) + "]";
  }
}
