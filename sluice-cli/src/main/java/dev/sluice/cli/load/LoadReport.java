package dev.sluice.cli.load;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Locale;

/**
 * The text table and the JSON document of a load run: per phase the target and achieved rates,
 * latency percentiles, status counts, how far the driver fell behind, and Sluice's refill rate and
 * concurrency level (means of the admin scrapes during the phase) when it was sampled.
 */
public final class LoadReport {

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private LoadReport() {}

  /** Returns the table, one row per phase. */
  public static String table(LoadResult r, List<MetricsSampler.Sample> samples) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "%-20s %8s %8s %8s %8s %8s %8s %8s %8s %7s %7s %7s %7s %9s %9s%n",
        "stage", "target/s", "sent/s", "2xx/s", "p50 ms", "p95 ms", "p99 ms", "p99.9 ms", "2xx", "429", "5xx",
        "errors", "behind", "refill/s", "conc.lim"));
    for (PhaseResult p : r.phases()) {
      Counts c = p.counts();
      sb.append(String.format(Locale.ROOT, "%-20s %8.0f %8.1f %8.1f %8.1f %8.1f %8.1f %8.1f %8d %7d %7d %7d %7d %9s %9s%n",
          p.name(), p.targetRate(), p.sentRate(), p.okRate(), p.p50Ms(), p.p95Ms(), p.p99Ms(), p.p999Ms(), c.ok(),
          c.limited(), c.serverErrors(), c.errors() + c.other(), p.late() + p.dropped(),
          fmt(refill(samples, r, p)), fmt(limit(samples, r, p))));
    }
    if (r.behind()) {
      sb.append(String.format(Locale.ROOT, "the driver fell behind: 'behind' counts requests sent more than %d ms"
          + " late or dropped (too many outstanding); their latency still counts from the intended time%n",
          LoadRun.LATE_MS));
    }
    return sb.toString();
  }

  /** Returns the JSON document. */
  public static String json(LoadResult r, List<MetricsSampler.Sample> samples) {
    ObjectNode root = JSON.createObjectNode();
    root.put("target", r.target());
    ArrayNode phases = root.putArray("stages");
    for (PhaseResult p : r.phases()) {
      ObjectNode o = phases.addObject();
      o.put("name", p.name());
      o.put("seconds", p.seconds());
      num(o, "target_rps", p.targetRate());
      num(o, "sent_rps", p.sentRate());
      num(o, "ok_rps", p.okRate());
      num(o, "p50_ms", p.p50Ms());
      num(o, "p95_ms", p.p95Ms());
      num(o, "p99_ms", p.p99Ms());
      num(o, "p999_ms", p.p999Ms());
      counts(o.putObject("counts"), p.counts());
      o.put("late", p.late());
      o.put("dropped", p.dropped());
      num(o, "max_lag_ms", p.maxLagMs());
      num(o, "sluice_refill_rate", refill(samples, r, p));
      num(o, "sluice_concurrency_limit", limit(samples, r, p));
    }
    ArrayNode secs = root.putArray("seconds");
    for (LoadResult.Second s : r.seconds()) {
      ObjectNode o = secs.addObject();
      o.put("second", s.second());
      counts(o, s.counts());
      num(o, "p50_ms", s.p50Ms());
      num(o, "p95_ms", s.p95Ms());
      num(o, "p99_ms", s.p99Ms());
    }
    ArrayNode sluice = root.putArray("sluice_samples");
    for (MetricsSampler.Sample s : samples) {
      ObjectNode o = sluice.addObject();
      num(o, "seconds", s.seconds());
      num(o, "refill_rate", s.refillRate());
      num(o, "concurrency_limit", s.concurrencyLimit());
      num(o, "anomaly_score", s.anomalyScore());
    }
    counts(root.putObject("total"), r.total());
    return root.toPrettyString();
  }

  /** Writes {@code c}'s outcome counts into {@code o} (sent, 2xx, 429, 5xx, other, errors). */
  public static void counts(ObjectNode o, Counts c) {
    o.put("sent", c.sent());
    o.put("2xx", c.ok());
    o.put("429", c.limited());
    o.put("5xx", c.serverErrors());
    o.put("other", c.other());
    o.put("errors", c.errors());
  }

  private static void num(ObjectNode o, String name, double v) {
    if (Double.isFinite(v)) {
      o.put(name, Math.round(v * 1000) / 1000.0);
    } else {
      o.putNull(name);
    }
  }

  private static String fmt(double v) {
    return Double.isNaN(v) ? "-" : String.format(Locale.ROOT, "%.0f", v);
  }

  private static double refill(List<MetricsSampler.Sample> samples, LoadResult r, PhaseResult p) {
    double[] span = span(r, p);
    return MetricsSampler.mean(samples, span[0], span[1], MetricsSampler.Sample::refillRate);
  }

  private static double limit(List<MetricsSampler.Sample> samples, LoadResult r, PhaseResult p) {
    double[] span = span(r, p);
    return MetricsSampler.mean(samples, span[0], span[1], MetricsSampler.Sample::concurrencyLimit);
  }

  private static double[] span(LoadResult r, PhaseResult p) {
    return new double[] {p.startSeconds(), p.startSeconds() + p.seconds()};
  }
}
