package dev.sluice.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A hand-written access log ({@code access/one-abuser.log}: four visitors at one request every 4 s
 * each for 150 s, and 203.0.113.66, which sends two ordinary requests and then 40 searches in 10 s
 * from 100 s; plus two bad lines) replayed through the simulator with the anomaly response on, on
 * the virtual clock: the abuser is the one client flagged, and the report says why.
 */
class AccessLogReplayTest {

  static final Path DIR = Path.of("src", "test", "resources", "access");
  static final String ABUSER = "203.0.113.66";

  /** A 2 rps backend (static rate 1.5/s, so the flood detector's demand floor is 7.5 a window), 10 s windows. */
  static final String SCENARIO = """
      backend: {workers: 1, service: {mean: 500ms}}
      limiter:
        tiers:
          web: {per-client: {burst: 50, rate: 20/s}}
          images: {per-client: {burst: 50, rate: 20/s}}
      sources:
        - name: log
          tier: web
          access-log: {file: one-abuser.log%s}
      adaptive:
        anomaly: {enabled: true, window: 10s, baseline: 60s, warmup: 30s, heavy-hitter-share: 0.2}
      """;

  static Scenario scenario(String extra) {
    return ScenarioReader.parse(SCENARIO.formatted(extra), "one-abuser", DIR, 1, "one-abuser.yaml");
  }

  @Test
  void eachLineIsARequestFromItsHostAndBadLinesAreCountedNotFatal() {
    Scenario sc = scenario("");
    assertThat(sc.sources()).hasSize(1);
    Scenario.Source src = sc.sources().getFirst();
    AccessLogReplay r = src.replay();
    assertThat(r.report().lines()).isEqualTo(194);
    assertThat(r.report().bad()).isEqualTo(2);
    assertThat(r.report().examples()).anySatisfy(e -> assertThat(e).contains("line 21: not an access log line"))
        .anySatisfy(e -> assertThat(e).contains("line 61: bad time 01/Fob/2024"));
    assertThat(r.size()).isEqualTo(192);
    assertThat(r.clients()).isEqualTo(5);
    assertThat(src.clients()).isEqualTo(5);
    // the log spans 0..149 s; lines of one second are spread over it
    assertThat(sc.seconds()).isEqualTo(151);
    assertThat(r.nanos(0)).isEqualTo(500_000_000L);
    double[] perSecond = src.rates();
    assertThat(perSecond[103]).isEqualTo(4 + 1); // four searches and one visitor
    assertThat(java.util.Arrays.stream(perSecond).sum()).isEqualTo(192);
  }

  @Test
  void speedupMaxGapAndTiersByPathPrefix() {
    Scenario sc = scenario(", speedup: 10, max-gap: 2s, tiers: {/img/: images}");
    assertThat(sc.sources()).extracting(Scenario.Source::name).containsExactly("log/images", "log/web");
    assertThat(sc.sources()).extracting(Scenario.Source::tier).containsExactly("images", "web");
    AccessLogReplay images = sc.sources().get(0).replay();
    AccessLogReplay web = sc.sources().get(1).replay();
    assertThat(images.size() + web.size()).isEqualTo(192);
    assertThat(images.clients()).isEqualTo(4); // the abuser never asks for an image
    // 150 s of log, no gap above 1 s, ten times faster: 15 s of virtual time
    assertThat(sc.seconds()).isEqualTo(16);
    assertThat(AccessLogReplay.tierOf("/img/a.png", List.of(new AccessLogReplay.TierRule("/", "web"),
        new AccessLogReplay.TierRule("/img/", "images")), "x")).isEqualTo("images");
  }

  @Test
  void theAbuserIsFlaggedAndTheVisitorsAreNot() throws Exception {
    Scenario sc = scenario("");
    RunResult run = new Simulation(sc, "static", 1).run();
    AnomalyReport a = run.anomalies();
    assertThat(a.clients()).extracting(AnomalyReport.Client::key).containsExactly(ABUSER);
    assertThat(a.events()).allSatisfy(e -> assertThat(e.scope()).isIn("client:" + ABUSER, "tier:web"));
    AnomalyReport.Client c = a.clients().getFirst();
    assertThat(c.detectors()).containsExactly("heavy-hitter");
    assertThat(c.tier()).isEqualTo("web");
    assertThat(c.requests()).isEqualTo(42);
    assertThat(c.share()).isEqualTo(42 / 192.0);
    // the searches start at log second 100, in the window [100 s, 110 s): flagged when it closes
    assertThat(c.flaggedS()).isEqualTo(110);
    assertThat(c.windowRequests()).isEqualTo(40);
    assertThat(c.tierWindowRequests()).isEqualTo(50);
    assertThat(c.peakRps()).isEqualTo(4);
    assertThat(c.firstSeenLog()).isEqualTo("2024-03-01T12:00:05Z");
    assertThat(c.flaggedLog()).isEqualTo("2024-03-01T12:01:40Z");
    assertThat(c.score()).isEqualTo(1);
    assertThat(new Simulation(sc, "static", 1).run().anomalies()).isEqualTo(a);
  }

  @Test
  void theReportGoesIntoResultsJsonAndTheTables() throws Exception {
    Scenario sc = scenario("");
    ExperimentResult result = Experiment.run(sc, List.of("static"), 1, 1, null);
    JsonNode json = new ObjectMapper().readTree(ReportWriter.json(result));
    assertThat(json.at("/replays/log/bad").asLong()).isEqualTo(2);
    JsonNode seed = json.at("/policies/static/anomalies/0");
    assertThat(seed.at("/clients/0/client").asText()).isEqualTo(ABUSER);
    assertThat(seed.at("/clients/0/window_requests").asLong()).isEqualTo(40);
    assertThat(seed.at("/events/0/kind").asText()).isEqualTo("heavy-hitter");
    assertThat(seed.at("/events/0/start_log").asText()).isEqualTo("2024-03-01T12:01:40Z");
    String text = AnomalyReport.section(result, false);
    assertThat(text).contains("one-abuser.log: 194 lines, 192 records, 2 bad")
        .contains("static: 1 event(s) (0 tier-scoped), 1 flagged client(s)");
    assertThat(text.lines().filter(l -> l.contains(ABUSER)).findFirst().orElseThrow())
        .contains("heavy-hitter").contains("40/50").contains("21.9 %");
    assertThat(Markdown.report(result)).contains("## Anomalies (seed 1)").contains("| " + ABUSER + " | web |");
  }

  @Test
  void aMissingFileOrAnUnsetDataFolderIsAClearProblem() {
    assertThatThrownBy(() -> ScenarioReader.parse(SCENARIO.formatted("").replace("one-abuser.log", "nope.log"),
        "x", DIR, 1, "x.yaml"))
        .hasMessageContaining("x.yaml:").hasMessageContaining("sources[0].access-log.file")
        .hasMessageContaining("nope.log: no such file");
    assertThatThrownBy(() -> ScenarioReader.parse("""
        sources: [{access-log: {file: x.log, speedup: 0}, zipf: 1}]
        """, "x", DIR, 1, "x.yaml"))
        .hasMessageContaining("sources[0].zipf").hasMessageContaining("nothing with access-log")
        .hasMessageContaining("sources[0].access-log.speedup");
    String old = System.getProperty("sluice.shared.data");
    try {
      System.setProperty("sluice.shared.data", DIR.toString());
      assertThat(AccessLogSources.resolve("DATA/one-abuser.log", null)).isEqualTo(DIR.resolve("one-abuser.log"));
    } finally {
      if (old == null) {
        System.clearProperty("sluice.shared.data");
      } else {
        System.setProperty("sluice.shared.data", old);
      }
    }
  }
}
