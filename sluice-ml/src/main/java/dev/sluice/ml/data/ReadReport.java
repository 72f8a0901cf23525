package dev.sluice.ml.data;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a reader made of its input: lines read, records accepted, lines skipped as bad or partial
 * and the first few of them with the reason, and lines of a newer schema version than this reader
 * knows that were accepted because their known fields parsed.
 *
 * @param source the file or stream name
 * @param lines lines read, header included
 * @param accepted records produced
 * @param bad lines skipped
 * @param newerVersion accepted lines of a schema version above the newest this reader knows
 * @param examples up to {@link #MAX_EXAMPLES} skipped lines as {@code line N: reason: text}
 */
public record ReadReport(String source, long lines, long accepted, long bad, long newerVersion, List<String> examples) {

  /** How many bad lines a report quotes. */
  public static final int MAX_EXAMPLES = 5;

  /** Validates the counts and copies the examples. */
  public ReadReport {
    if (lines < 0 || accepted < 0 || bad < 0 || newerVersion < 0) {
      throw new IllegalArgumentException("counts: " + lines + "/" + accepted + "/" + bad + "/" + newerVersion
          + " (expected: >= 0)");
    }
    examples = List.copyOf(examples);
  }

  /** One line for a console: {@code source: N lines, A records, B bad (first: ...)}. */
  public String summary() {
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%s: %d lines, %d records, %d bad", source, lines,
        accepted, bad));
    if (newerVersion > 0) {
      sb.append(String.format(Locale.ROOT, ", %d of a newer schema version", newerVersion));
    }
    if (!examples.isEmpty()) {
      sb.append(" (first: ").append(examples.getFirst()).append(')');
    }
    return sb.toString();
  }

  /** Collects a report line by line; not thread-safe. */
  public static final class Builder {
    private final String source;
    private long lines;
    private long accepted;
    private long bad;
    private long newer;
    private final List<String> examples = new ArrayList<>();

    /** Starts a report for {@code source}. */
    public Builder(String source) {
      this.source = source;
    }

    /** Counts a line read. */
    public void line() {
      lines++;
    }

    /** Counts a record produced. */
    public void accepted() {
      accepted++;
    }

    /** Counts an accepted line of a newer schema version. */
    public void newerVersion() {
      newer++;
    }

    /** Counts a skipped line and quotes it (shortened) if it is among the first few. */
    public void bad(long lineNumber, String reason, String text) {
      bad++;
      if (examples.size() < MAX_EXAMPLES) {
        String t = text.length() > 120 ? text.substring(0, 117) + "..." : text;
        examples.add("line " + lineNumber + ": " + reason + ": " + t);
      }
    }

    /** Lines counted so far. */
    public long lines() {
      return lines;
    }

    /** The report so far. */
    public ReadReport build() {
      return new ReadReport(source, lines, accepted, bad, newer, examples);
    }
  }
}
