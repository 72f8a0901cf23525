package dev.sluice.sim;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.Writer;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes an experiment's outputs into a directory: {@code results.json} (the contract in
 * DESIGN.md: per policy, per metric, mean and 95 % CI over seeds; the steps the settling metrics
 * use; thresholds passed per policy; the static-best sweep's choices; with the anomaly response,
 * per seed its events and flagged clients; per replay source, what was read of its log), {@code runs/POLICY-seedN.csv}
 * (per-second series of every run), {@code report.md} (one row per policy) and the PNG charts
 * ({@link Charts}). Numbers are rounded to six significant digits and nothing depends on the wall
 * clock, so the same inputs and seeds give byte-identical files. Stateless and thread-safe.
 */
public final class ReportWriter {

  private static final MathContext SIX = new MathContext(6);

  private ReportWriter() {}

  /** Writes every output of {@code result} into {@code dir}, creating it if needed. */
  public static void write(ExperimentResult result, Path dir) throws IOException {
    Files.createDirectories(dir.resolve("runs"));
    writeJson(result, dir.resolve("results.json"));
    for (String p : result.policies()) {
      for (RunResult r : result.runs().get(p)) {
        writeCsv(r, dir.resolve("runs").resolve(p + "-seed" + r.seed() + ".csv"));
      }
    }
    Charts.write(result, dir);
    Files.writeString(dir.resolve("report.md"), Markdown.report(result), StandardCharsets.UTF_8);
  }

  /** Returns the {@code results.json} document. */
  public static String json(ExperimentResult result) throws IOException {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode root = f.objectNode();
    Scenario sc = result.scenario();
    root.put("scenario", sc.name());
    ArrayNode seeds = root.putArray("seeds");
    result.seeds().forEach(seeds::add);
    root.put("seconds", sc.seconds());
    root.set("nominal_capacity", number(sc.nominalCapacity()));
    root.set("static_rate", number(sc.staticRate()));
    ArrayNode steps = root.putArray("steps");
    for (int s : Dynamics.steps(sc, result.runs().get(result.policies().get(0)).get(0).series().get("capacity"))) {
      steps.add(s);
    }
    replays(root, sc);
    ObjectNode policies = root.putObject("policies");
    for (String p : result.policies()) {
      ObjectNode pn = policies.putObject(p);
      for (String metric : RunResult.METRICS) {
        stats(pn.putObject(metric), result.stats(p, metric));
      }
      ObjectNode tiers = pn.putObject("tiers");
      for (Scenario.TierModel t : sc.limiter().tiers()) {
        ObjectNode tn = tiers.putObject(t.name());
        for (String metric : List.of("p50_ms", "p95_ms", "p99_ms")) {
          stats(tn.putObject(metric), result.tierStats(p, t.name(), metric));
        }
      }
      if (!sc.thresholds().isEmpty()) {
        ObjectNode th = pn.putObject("thresholds");
        for (Scenario.Threshold t : sc.thresholds()) {
          ObjectNode tn = th.putObject(t.label());
          tn.put("passed", result.passed(p, t.label()));
          tn.put("seeds", result.seeds().size());
        }
      }
      if (p.equals("static-best")) {
        ArrayNode chosen = pn.putArray("chosen_fractions");
        for (RunResult r : result.runs().get(p)) {
          chosen.add(number(r.metrics().get("static_fraction")));
        }
      }
      if (sc.adaptive().anomaly().enabled()) {
        anomalies(pn.putArray("anomalies"), result.runs().get(p));
      }
      ObjectNode conservation = pn.putObject("conservation");
      long req = 0;
      long ok = 0;
      long failed = 0;
      long rejected = 0;
      long inFlight = 0;
      for (RunResult r : result.runs().get(p)) {
        req += r.requests();
        ok += r.succeeded();
        failed += r.failed();
        rejected += r.rejected();
        inFlight += r.inFlight();
      }
      conservation.put("requests", req);
      conservation.put("succeeded", ok);
      conservation.put("failed", failed);
      conservation.put("rejected", rejected);
      conservation.put("in_flight", inFlight);
    }
    ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
        .enable(JsonGenerator.Feature.WRITE_BIGDECIMAL_AS_PLAIN);
    return mapper.writeValueAsString(root) + "\n";
  }

  /** Per replay source: what the access log reader made of its file. */
  private static void replays(ObjectNode root, Scenario sc) {
    ObjectNode out = null;
    for (Scenario.Source src : sc.sources()) {
      if (src.replay() == null) {
        continue;
      }
      out = out == null ? root.putObject("replays") : out;
      ObjectNode n = out.putObject(src.name());
      dev.sluice.ml.data.ReadReport r = src.replay().report();
      n.put("file", r.source());
      n.put("lines", r.lines());
      n.put("accepted", r.accepted());
      n.put("bad", r.bad());
      ArrayNode examples = n.putArray("bad_examples");
      r.examples().forEach(examples::add);
      n.put("requests", src.replay().size());
      n.put("clients", src.replay().clients());
    }
  }

  /** Per seed: the anomaly events and the flagged clients with why. */
  private static void anomalies(ArrayNode out, List<RunResult> runs) {
    for (RunResult r : runs) {
      AnomalyReport a = r.anomalies();
      ObjectNode n = out.addObject();
      n.put("seed", r.seed());
      n.put("events_total", a.eventsTotal());
      ArrayNode events = n.putArray("events");
      for (AnomalyReport.Event e : a.events()) {
        ObjectNode en = events.addObject();
        en.put("kind", e.kind());
        en.put("scope", e.scope());
        en.set("score", number(e.score()));
        en.set("start_s", number(e.startS()));
        en.set("end_s", number(e.endS()));
        en.put("action", e.action());
        if (e.startLog() != null) {
          en.put("start_log", e.startLog());
        }
      }
      ArrayNode clients = n.putArray("clients");
      for (AnomalyReport.Client c : a.clients()) {
        ObjectNode cn = clients.addObject();
        cn.put("client", c.key());
        cn.put("tier", c.tier());
        ArrayNode d = cn.putArray("detectors");
        c.detectors().forEach(d::add);
        cn.set("score", number(c.score()));
        cn.set("flagged_s", number(c.flaggedS()));
        cn.put("requests", c.requests());
        cn.set("share_of_tier", number(c.share()));
        cn.set("first_seen_s", number(c.firstSeenS()));
        cn.set("peak_rps", number(c.peakRps()));
        cn.set("tier_mean_rps", number(c.tierMeanRps()));
        cn.put("window_requests", c.windowRequests());
        cn.put("tier_window_requests", c.tierWindowRequests());
        if (c.firstSeenLog() != null) {
          cn.put("first_seen_log", c.firstSeenLog());
          cn.put("flagged_log", c.flaggedLog());
        }
      }
    }
  }

  private static void writeJson(ExperimentResult result, Path file) throws IOException {
    Files.writeString(file, json(result), StandardCharsets.UTF_8);
  }

  private static void stats(ObjectNode node, Stats s) {
    node.set("mean", number(s.mean()));
    ArrayNode ci = node.putArray("ci95");
    ci.add(number(s.lo()));
    ci.add(number(s.hi()));
  }

  private static com.fasterxml.jackson.databind.JsonNode number(double v) {
    if (Double.isNaN(v) || Double.isInfinite(v)) {
      return JsonNodeFactory.instance.nullNode();
    }
    BigDecimal d = new BigDecimal(v).round(SIX).stripTrailingZeros();
    if (d.scale() < 0) {
      d = d.setScale(0);
    }
    return JsonNodeFactory.instance.numberNode(d);
  }

  private static void writeCsv(RunResult r, Path file) throws IOException {
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      w.write("second");
      for (String name : RunResult.SERIES) {
        w.write("," + name);
      }
      w.write("\n");
      Map<String, double[]> s = r.series();
      int n = s.get("capacity").length;
      for (int i = 0; i < n; i++) {
        w.write(Integer.toString(i));
        for (String name : RunResult.SERIES) {
          double v = s.get(name)[i];
          w.write(Double.isNaN(v) ? "," : String.format(Locale.ROOT, ",%.3f", v));
        }
        w.write("\n");
      }
    }
  }
}
