package dev.sluice.cli.demo;

import java.util.Locale;

/**
 * The live line of one story phase, as the terminal shows it when the phase ends: rates over the
 * phase (by completion), the upstream's own p95 (queue wait included), Sluice's refill rate and
 * concurrency level at the phase's end, and the anomaly events open or opened by then.
 *
 * @param phase the phase's name
 * @param offered requests sent per second
 * @param admitted 2xx answers per second
 * @param limited 429 answers in the phase
 * @param serverErrors 5xx answers and errors in the phase
 * @param upstreamP95Ms the upstream's p95 over the phase, ms (NaN when it served nothing)
 * @param refillRate Sluice's global refill rate, tokens per second (NaN before the first scrape)
 * @param concurrencyLimit Sluice's global concurrency level in force (NaN when none)
 * @param anomalies anomaly events so far, with the newest's kind and scope, e.g. {@code 2 (flood tier:standard)}
 */
public record PhaseLine(String phase, double offered, double admitted, long limited, long serverErrors,
    double upstreamP95Ms, double refillRate, double concurrencyLimit, String anomalies) {

  /** Returns the line, e.g. {@code steady  offered 150/s  admitted 150/s  429s 0 ...}. */
  public String text() {
    return String.format(Locale.ROOT, "%-16s offered %5.0f/s  admitted %5.0f/s  429s %6d  5xx %3d  upstream p95 %6s"
        + "  refill %5s/s  conc.limit %4s  anomalies %s", phase, offered, admitted, limited, serverErrors,
        fmt(upstreamP95Ms, "%.0f ms"), fmt(refillRate, "%.0f"), fmt(concurrencyLimit, "%.0f"), anomalies);
  }

  private static String fmt(double v, String f) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, f, v);
  }
}
