package dev.sluice.ml.dataset;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * Writes a dataset: {@code NAME.csv} (header {@code window_start,group,} then the schema's columns;
 * ISO-8601 UTC window starts; numbers rounded to 6 decimals; an empty cell for NaN) and {@code
 * NAME.schema.json} (format version, window, horizon, columns with types, hash). Stateless.
 */
public final class DatasetWriter {

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private DatasetWriter() {}

  /** Writes {@code csv} and the schema beside it; returns the schema file. */
  public static Path write(List<FeatureRow> rows, DatasetSchema schema, Path csv) throws IOException {
    try (BufferedWriter w = Files.newBufferedWriter(csv, StandardCharsets.UTF_8)) {
      StringBuilder header = new StringBuilder("window_start,group");
      schema.columns().forEach(c -> header.append(',').append(c.name()));
      w.write(header.toString());
      w.newLine();
      for (FeatureRow r : rows) {
        StringBuilder sb = new StringBuilder(Instant.ofEpochSecond(r.windowStart()).toString()).append(',')
            .append(r.group().replace(',', '_'));
        for (double v : r.values()) {
          sb.append(',').append(format(v));
        }
        w.write(sb.toString());
        w.newLine();
      }
    }
    String name = csv.getFileName().toString();
    Path schemaFile = csv.resolveSibling((name.endsWith(".csv") ? name.substring(0, name.length() - 4) : name)
        + ".schema.json");
    ObjectNode root = JSON.createObjectNode();
    root.put("schemaVersion", DatasetSchema.VERSION);
    root.put("windowSeconds", schema.windowSeconds());
    root.put("horizonWindows", schema.horizonWindows());
    ArrayNode f = root.putArray("features");
    schema.features().forEach(c -> f.addObject().put("name", c.name()).put("type", c.type()));
    ArrayNode t = root.putArray("targets");
    schema.targets().forEach(c -> t.addObject().put("name", c.name()).put("type", c.type()));
    root.put("hash", schema.hash());
    Files.writeString(schemaFile, JSON.writeValueAsString(root) + "\n", StandardCharsets.UTF_8);
    return schemaFile;
  }

  static String format(double v) {
    if (Double.isNaN(v)) {
      return "";
    }
    return BigDecimal.valueOf(v).setScale(6, RoundingMode.HALF_EVEN).stripTrailingZeros().toPlainString();
  }
}
