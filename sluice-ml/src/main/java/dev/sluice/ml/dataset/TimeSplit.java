package dev.sluice.ml.dataset;

import java.util.ArrayList;
import java.util.List;

/**
 * A split of rows by time, never shuffled across it: rows whose window starts at or after the cut
 * are the test part; rows whose targets end at or before the cut train; the rows in between (their
 * targets would read test windows) are left out.
 *
 * @param cut the first test window's start, UTC epoch seconds
 * @param train the training rows
 * @param test the test rows
 */
public record TimeSplit(long cut, List<FeatureRow> train, List<FeatureRow> test) {

  /** Copies the lists. */
  public TimeSplit {
    train = List.copyOf(train);
    test = List.copyOf(test);
  }

  /**
   * Splits {@code rows} so that the first {@code trainFraction} of the windows they span train.
   */
  public static TimeSplit of(List<FeatureRow> rows, DatasetSchema schema, double trainFraction) {
    if (!(trainFraction > 0 && trainFraction < 1)) {
      throw new IllegalArgumentException("train-fraction: " + trainFraction + " (expected: 0 < f < 1)");
    }
    if (rows.isEmpty()) {
      return new TimeSplit(0, List.of(), List.of());
    }
    long w = schema.windowSeconds();
    long first = rows.stream().mapToLong(FeatureRow::windowStart).min().orElseThrow();
    long last = rows.stream().mapToLong(FeatureRow::windowStart).max().orElseThrow();
    long windows = (last - first) / w + 1;
    long cut = first + (long) Math.floor(windows * trainFraction) * w;
    List<FeatureRow> train = new ArrayList<>();
    List<FeatureRow> test = new ArrayList<>();
    for (FeatureRow r : rows) {
      if (r.windowStart() >= cut) {
        test.add(r);
      } else if (targetEnd(r, schema) <= cut) {
        train.add(r);
      }
    }
    return new TimeSplit(cut, train, test);
  }

  /** The end of the last window a row's targets read, UTC epoch seconds. */
  public static long targetEnd(FeatureRow r, DatasetSchema schema) {
    return r.windowStart() + (long) (schema.horizonWindows() + 1) * schema.windowSeconds();
  }
}
