package dev.sluice.ml.dataset;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The columns of a dataset: features, then targets, each with a type, and a hash over names,
 * types, window and horizon that a model stores so it can refuse features it was not trained on.
 *
 * @param windowSeconds the window length
 * @param horizonWindows the count target's horizon in windows
 * @param features the feature columns
 * @param targets the target columns
 */
public record DatasetSchema(int windowSeconds, int horizonWindows, List<Column> features, List<Column> targets) {

  /** The schema file's format version. */
  public static final int VERSION = 1;

  /**
   * One column.
   *
   * @param name the CSV header name
   * @param type {@code int} (a count, never empty) or {@code double} (empty when not applicable)
   */
  public record Column(String name, String type) {
    /** Validates the type. */
    public Column {
      if (!type.equals("int") && !type.equals("double")) {
        throw new IllegalArgumentException("type: " + type + " (expected: int or double)");
      }
    }
  }

  /** Copies the lists. */
  public DatasetSchema {
    features = List.copyOf(features);
    targets = List.copyOf(targets);
  }

  /** The schema {@link DatasetBuilder} produces for {@code options}. */
  public static DatasetSchema of(DatasetOptions o) {
    List<Column> f = new ArrayList<>();
    for (String n : List.of("count", "tokens", "bytes")) {
      f.add(new Column(n, "int"));
    }
    for (String n : List.of("latency_p50_ms", "latency_p95_ms", "status_2xx", "status_3xx", "status_4xx",
        "status_5xx", "error_ratio", "denial_ratio", "occupancy_lag1", "hour_sin", "hour_cos", "dow_sin", "dow_cos")) {
      f.add(new Column(n, "double"));
    }
    for (String n : List.of("count_1m", "count_5m", "count_15m")) {
      f.add(new Column(n, "int"));
    }
    for (int k = 1; k <= o.lags(); k++) {
      f.add(new Column("count_lag" + k, "int"));
    }
    f.add(new Column("tokens_lag1", "int"));
    List<Column> t = List.of(new Column("tokens_next", "int"), new Column("count_next_" + o.horizonWindows(), "int"));
    return new DatasetSchema(o.windowSeconds(), o.horizonWindows(), f, t);
  }

  /** Features then targets. */
  public List<Column> columns() {
    List<Column> all = new ArrayList<>(features);
    all.addAll(targets);
    return all;
  }

  /** The position of column {@code name} in a row. */
  public int index(String name) {
    List<Column> all = columns();
    for (int i = 0; i < all.size(); i++) {
      if (all.get(i).name().equals(name)) {
        return i;
      }
    }
    throw new IllegalArgumentException("column: " + name + " (expected: one of the schema's columns)");
  }

  /** {@code sha256:} and 64 hex digits over the window, horizon and every column's name and type. */
  public String hash() {
    StringBuilder sb = new StringBuilder("window=" + windowSeconds + "\nhorizon=" + horizonWindows + "\n");
    for (Column c : features) {
      sb.append("feature ").append(c.name()).append(':').append(c.type()).append('\n');
    }
    for (Column c : targets) {
      sb.append("target ").append(c.name()).append(':').append(c.type()).append('\n');
    }
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(sb.toString().getBytes(StandardCharsets.UTF_8));
      return "sha256:" + HexFormat.of().formatHex(d);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }
}
