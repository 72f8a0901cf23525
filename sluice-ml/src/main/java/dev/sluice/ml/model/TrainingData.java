package dev.sluice.ml.model;

import dev.sluice.ml.data.AccessLogReader;
import dev.sluice.ml.data.AzureTraceReader;
import dev.sluice.ml.data.Read;
import dev.sluice.ml.data.ReadReport;
import dev.sluice.ml.data.RequestEvent;
import dev.sluice.ml.data.RequestLogReader;
import dev.sluice.ml.dataset.DatasetBuilder;
import dev.sluice.ml.dataset.DatasetOptions;
import dev.sluice.ml.dataset.DatasetSchema;
import dev.sluice.ml.dataset.FeatureRow;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * Logs read into one dataset: the requests of every file (Sluice request logs, Apache/nginx access
 * logs, Azure LLM traces; recognised by their first line, plain or gzip), merged in time order,
 * and the rows {@link DatasetBuilder} makes of them. Access logs carry no cost, so their tokens are
 * request counts.
 *
 * @param reports one read report per file, in argument order
 * @param events how many requests were read
 * @param schema the dataset's schema
 * @param rows the dataset's rows (every group)
 */
public record TrainingData(List<ReadReport> reports, long events, DatasetSchema schema, List<FeatureRow> rows) {

  /** Copies the lists. */
  public TrainingData {
    reports = List.copyOf(reports);
    rows = List.copyOf(rows);
  }

  /**
   * Reads {@code files} and builds their dataset.
   *
   * @throws IllegalArgumentException when a file's format is not a log this reads
   * @throws IOException when a file cannot be read
   */
  public static TrainingData read(List<Path> files, DatasetOptions options) throws IOException {
    List<ReadReport> reports = new ArrayList<>();
    List<RequestEvent> events = new ArrayList<>();
    for (Path f : files) {
      Read<List<RequestEvent>> r = readLog(f);
      reports.add(r.report());
      events.addAll(r.value());
    }
    events.sort(Comparator.comparingLong(RequestEvent::epochMillis));
    return new TrainingData(reports, events.size(), DatasetSchema.of(options), DatasetBuilder.build(events, options));
  }

  /** The per-client rows. */
  public List<FeatureRow> clientRows() {
    return TokenRegression.clientRows(rows);
  }

  private static Read<List<RequestEvent>> readLog(Path file) throws IOException {
    String first = firstLine(file);
    String name = file.getFileName().toString();
    if (first.isEmpty()) {
      throw new IllegalArgumentException(name + ": empty (expected: a Sluice request log, an access log or an Azure"
          + " LLM trace)");
    }
    if (first.startsWith("{")) {
      return RequestLogReader.read(file);
    }
    if (first.equalsIgnoreCase(AzureTraceReader.HEADER)) {
      return AzureTraceReader.read(file);
    }
    if (AccessLogReader.matches(first)) {
      return AccessLogReader.read(file);
    }
    throw new IllegalArgumentException(name + ": unrecognised format (expected: a Sluice request log, an access log"
        + " or an Azure LLM trace); first line: " + (first.length() > 80 ? first.substring(0, 77) + "..." : first));
  }

  private static String firstLine(Path file) throws IOException {
    InputStream in = Files.newInputStream(file);
    try (BufferedReader r = new BufferedReader(new InputStreamReader(
        file.getFileName().toString().endsWith(".gz") ? new GZIPInputStream(in) : in, StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null;) {
        if (!line.isBlank()) {
          return line.strip();
        }
      }
      return "";
    }
  }
}
