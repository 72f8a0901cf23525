package dev.sluice.cli.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.cli.load.Counts;
import dev.sluice.cli.load.LoadCharts;
import dev.sluice.cli.load.LoadReport;
import dev.sluice.cli.load.LoadResult;
import dev.sluice.cli.load.MetricsSampler;
import dev.sluice.cli.load.PhaseResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Locale;

/**
 * Writes the demo's {@code index.html} (self-contained: the charts are inline PNG data, no script,
 * no CDN), {@code summary.json} (the numbers the report shows, for scripts and tests) and {@code
 * scenario.yaml} (the story as a simulator scenario).
 */
public final class DemoReport {

  private static final ObjectMapper JSON = new ObjectMapper();

  private DemoReport() {}

  /** The run's facts the report shows. */
  public record Facts(Story story, LoadResult live, List<PhaseLine> lines, List<MetricsSampler.Sample> samples,
      JsonNode anomalies, Comparison comparison, int edgePort, int adminPort, int upstreamPort) {}

  /** Writes the three files into {@code dir} (created if need be). */
  public static void write(Facts f, Path dir) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("scenario.yaml"), f.story().scenarioYaml());
    Files.writeString(dir.resolve("summary.json"), summary(f).toPrettyString());
    byte[] png = LoadCharts.png("sluice demo", f.live(), f.samples());
    Files.writeString(dir.resolve("index.html"), html(f, png));
  }

  /** Returns the clients that {@code GET /admin/anomalies} named in a client-scoped event. */
  public static List<String> flaggedClients(JsonNode anomalies) {
    if (anomalies == null || anomalies.get("events") == null) {
      return List.of();
    }
    return java.util.stream.StreamSupport.stream(anomalies.get("events").spliterator(), false)
        .map(e -> e.path("scope").asText())
        .filter(s -> s.startsWith("client:"))
        .map(s -> s.substring("client:".length()))
        .distinct().toList();
  }

  static ObjectNode summary(Facts f) {
    ObjectNode root = JSON.createObjectNode();
    root.put("duration_s", f.story().seconds());
    ObjectNode ports = root.putObject("ports");
    ports.put("edge", f.edgePort());
    ports.put("admin", f.adminPort());
    ports.put("upstream", f.upstreamPort());
    ArrayNode phases = root.putArray("phases");
    for (PhaseResult p : f.live().phases()) {
      ObjectNode o = phases.addObject();
      o.put("name", p.name());
      o.put("seconds", p.seconds());
      LoadReport.counts(o, p.counts());
      num(o, "offered_rps", p.sentRate());
      num(o, "admitted_rps", p.okRate());
      num(o, "p95_ms", p.p95Ms());
      o.put("behind", p.late() + p.dropped());
      num(o, "max_lag_ms", p.maxLagMs());
    }
    ArrayNode secs = root.putArray("seconds");
    for (LoadResult.Second x : f.live().seconds()) {
      ObjectNode o = secs.addObject();
      o.put("second", x.second());
      LoadReport.counts(o, x.counts());
      num(o, "p95_ms", x.p95Ms());
    }
    ArrayNode lines = root.putArray("lines");
    f.lines().forEach(l -> lines.add(l.text()));
    root.set("anomalies", f.anomalies() == null ? JSON.nullNode() : f.anomalies());
    ArrayNode flagged = root.putArray("flagged_clients");
    flaggedClients(f.anomalies()).forEach(flagged::add);
    ArrayNode cmp = root.putArray("comparison");
    for (Comparison.Row r : f.comparison().rows()) {
      ObjectNode o = cmp.addObject();
      o.put("run", r.name());
      num(o, "offered_rps", r.offeredRps());
      num(o, "goodput_rps", r.goodputRps());
      num(o, "429", r.limited());
      num(o, "failed", r.failed());
      num(o, "p95_ms", r.p95Ms());
    }
    LoadReport.counts(root.putObject("total"), f.live().total());
    return root;
  }

  private static void num(ObjectNode o, String name, double v) {
    if (Double.isFinite(v)) {
      o.put(name, Math.round(v * 10) / 10.0);
    } else {
      o.putNull(name);
    }
  }

  private static String html(Facts f, byte[] png) {
    StringBuilder sb = new StringBuilder();
    sb.append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>sluice demo</title>\n<style>"
        + "body{font-family:sans-serif;max-width:1100px;margin:2em auto;color:#222}"
        + "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}"
        + "th:first-child,td:first-child{text-align:left}pre{background:#f5f5f5;padding:1em;overflow:auto}"
        + "</style></head><body>\n");
    sb.append("<h1>sluice demo</h1>\n<p>").append(f.story().seconds())
        .append(" s on loopback: a demo upstream (").append(Story.WORKERS).append(" workers, ")
        .append(Story.SERVICE_MS).append(" ms mean service, about ").append(Math.round(Story.CAPACITY))
        .append(" requests/s), Sluice in front of it (the <code>default</code> adaptive policy, anomaly response"
            + " on), and an open-model load driver playing the story below.</p>\n");
    sb.append("<h2>Phases</h2>\n<table><tr><th>phase</th><th>seconds</th><th>offered/s</th><th>2xx/s</th>"
        + "<th>429</th><th>5xx</th><th>errors</th><th>p95 ms (client)</th><th>driver behind</th></tr>\n");
    for (PhaseResult p : f.live().phases()) {
      sb.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%.0f</td><td>%.1f</td><td>%.1f</td><td>%d</td>"
          + "<td>%d</td><td>%d</td><td>%.1f</td><td>%d</td></tr>%n", esc(p.name()), p.seconds(), p.sentRate(),
          p.okRate(), p.counts().limited(), p.counts().serverErrors(), p.counts().errors(), p.p95Ms(),
          p.late() + p.dropped()));
    }
    sb.append("</table>\n<h2>Live lines</h2>\n<pre>");
    f.lines().forEach(l -> sb.append(esc(l.text())).append('\n'));
    sb.append("</pre>\n<h2>Live run against the simulator</h2>\n<pre>").append(esc(f.comparison().text()))
        .append("</pre>\n<p>The simulator runs the same story (<code>scenario.yaml</code> beside this page) in"
            + " virtual time; <code>static-best</code> is the best fixed global rate in hindsight. Live latency"
            + " is measured at the client through the edge; the simulator's is the backend's.</p>\n");
    sb.append("<h2>Charts</h2>\n<img alt=\"requests, latency and Sluice's limits over the run\" src=\"data:image/png;base64,")
        .append(Base64.getEncoder().encodeToString(png)).append("\">\n");
    sb.append("<h2>Anomalies (GET /admin/anomalies at the end)</h2>\n<pre>")
        .append(esc(f.anomalies() == null ? "(not read)" : f.anomalies().toPrettyString())).append("</pre>\n");
    sb.append("<h2>Scenario</h2>\n<pre>").append(esc(f.story().scenarioYaml())).append("</pre>\n</body></html>\n");
    return sb.toString();
  }

  private static String esc(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }
}
