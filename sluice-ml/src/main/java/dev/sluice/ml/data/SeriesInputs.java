package dev.sluice.ml.data;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

/**
 * Reads any input {@code sluice forecast} accepts as a series, recognising the format from the
 * first line: a Sluice request log (a JSON object), an access log, an Azure LLM trace, a {@code
 * timestamp,value} series or a per-second count file. Logs are aggregated to request counts (or
 * tokens) per window. Stateless.
 */
public final class SeriesInputs {

  /** What to read from a log. */
  public enum Measure {
    /** Requests per window. */
    REQUESTS,
    /** Tokens per window (the request's cost; LLM traces: context + generated tokens). */
    TOKENS
  }

  private SeriesInputs() {}

  /**
   * Reads {@code file} as a series.
   *
   * @param windowSeconds the window for logs, and for series a multiple of their step to sum
   *     into; 0 keeps a series' own step (logs then use 60 s)
   * @param start when a count file's first line begins (null: the NASA July 1995 start when the
   *     file name starts with {@code nasa-http-1995-07}, else the epoch)
   * @throws IllegalArgumentException when the format is not recognised or nothing is readable
   */
  public static Read<Series> read(Path file, long windowSeconds, Instant start, Measure measure) throws IOException {
    if (windowSeconds < 0) {
      throw new IllegalArgumentException("window: " + windowSeconds + " s (expected: >= 0)");
    }
    String first = Lines.first(file);
    String name = file.getFileName().toString();
    Read<List<RequestEvent>> events = null;
    if (first.startsWith("{")) {
      events = RequestLogReader.read(file);
    } else if (first.equalsIgnoreCase(AzureTraceReader.HEADER)) {
      events = AzureTraceReader.read(file);
    } else if (AccessLogReader.matches(first)) {
      events = AccessLogReader.read(file);
    }
    if (events != null) {
      long w = windowSeconds == 0 ? 60 : windowSeconds;
      String what = measure == Measure.TOKENS ? "tokens" : "requests";
      Series s = measure == Measure.TOKENS ? Windows.tokens(events.value(), w, name + " " + what)
          : Windows.counts(events.value(), w, name + " " + what);
      return new Read<>(s, events.report());
    }
    Read<Series> series;
    if (CountsReader.matches(first)) {
      Instant s = start != null ? start
          : name.startsWith("nasa-http-1995-07") ? CountsReader.NASA_JULY_1995_START : Instant.EPOCH;
      series = CountsReader.read(file, s);
    } else if (SeriesCsvReader.matches(first)) {
      series = SeriesCsvReader.read(file);
    } else {
      throw new IllegalArgumentException(name + ": unrecognised format (expected: a Sluice request log, an access log,"
          + " an Azure LLM trace, a timestamp,value CSV or one count per line); first line: "
          + (first.length() > 80 ? first.substring(0, 77) + "..." : first));
    }
    if (windowSeconds == 0 || windowSeconds == series.value().stepSeconds()) {
      return series;
    }
    return new Read<>(series.value().aggregate(windowSeconds), series.report());
  }
}
