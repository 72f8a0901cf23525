package dev.sluice.ml.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoField;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the Azure LLM inference traces ({@code TIMESTAMP,ContextTokens,GeneratedTokens}, one
 * request per line, times in UTC with up to nine fractional digits) into {@link RequestEvent}s
 * whose tokens are context + generated tokens. Stateless.
 */
public final class AzureTraceReader {

  /** The header line the traces start with. */
  public static final String HEADER = "TIMESTAMP,ContextTokens,GeneratedTokens";

  static final DateTimeFormatter TIME = new DateTimeFormatterBuilder().appendPattern("yyyy-MM-dd HH:mm:ss")
      .optionalStart().appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true).optionalEnd().toFormatter();

  private AzureTraceReader() {}

  /** Reads every line of {@code file}; bad lines are counted, never fatal. */
  public static Read<List<RequestEvent>> read(Path file) throws IOException {
    String source = file.getFileName().toString();
    ReadReport.Builder report = new ReadReport.Builder(source);
    List<RequestEvent> events = new ArrayList<>();
    String tier = source.contains("code") ? "code" : source.contains("conv") ? "conversation" : "default";
    try (BufferedReader r = Lines.open(file)) {
      for (String line; (line = r.readLine()) != null;) {
        report.line();
        if (report.lines() == 1 && line.strip().equalsIgnoreCase(HEADER)) {
          continue;
        }
        String[] f = line.split(",", -1);
        if (f.length != 3) {
          report.bad(report.lines(), "expected 3 fields, found " + f.length, line);
          continue;
        }
        try {
          long millis = LocalDateTime.parse(f[0].strip(), TIME).toInstant(ZoneOffset.UTC).toEpochMilli();
          long context = Long.parseLong(f[1].strip());
          long generated = Long.parseLong(f[2].strip());
          if (context < 0 || generated < 0) {
            report.bad(report.lines(), "negative token count", line);
            continue;
          }
          events.add(new RequestEvent(millis, "azure-" + tier, tier, -1, 0, Double.NaN, context + generated, false,
              false, Double.NaN, Double.NaN));
          report.accepted();
        } catch (DateTimeParseException | NumberFormatException e) {
          report.bad(report.lines(), "unreadable field", line);
        }
      }
    }
    return new Read<>(List.copyOf(events), report.build());
  }
}
