package dev.sluice.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * CI smoke of every scenario in {@code scenarios/}, scaled down to 5 % of its capacity and rates
 * and two seeds: the report is produced and its numbers are sane. Scenarios that replay the shared
 * evaluation data ({@code apache-replay}: {@code ApacheReplayEvaluation}) are left to their evaluation.
 */
class ScenarioSmokeTest {

  static Stream<Path> scenarios() throws IOException {
    Path dir = Path.of("..", "scenarios");
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> list = files.filter(p -> p.toString().endsWith(".yaml") && !needsSharedData(p)).sorted().toList();
      assertThat(list).hasSizeGreaterThanOrEqualTo(10);
      return list.stream();
    }
  }

  /** A scenario replaying a file of the shared data ({@code DATA/...}) runs in its evaluation instead. */
  static boolean needsSharedData(Path scenario) {
    try {
      return Files.readString(scenario).contains("file: DATA/");
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  void producesASaneReport(Path file, @TempDir Path out) throws Exception {
    Scenario sc = ScenarioReader.read(file, 0.05);
    ExperimentResult r = Experiment.run(sc, Policy.ALL, 2, 2, null);
    ReportWriter.write(r, out);
    for (String f : List.of("report.md", "results.json", "throughput.png", "latency.png", "refill.png",
        "runs/static-seed1.csv", "runs/oracle-seed2.csv", "runs/static-best-seed1.csv",
        "runs/netflix-vegas-seed2.csv")) {
      assertThat(out.resolve(f)).as(f).isNotEmptyFile();
    }
    String report = Files.readString(out.resolve("report.md"));
    for (String p : Policy.ALL) {
      assertThat(report).contains("| " + p + " |");
    }
    JsonNode json = new ObjectMapper().readTree(out.resolve("results.json").toFile());
    assertThat(json.get("scenario").asText()).isEqualTo(sc.name());
    assertThat(json.get("seeds")).hasSize(2);
    for (String p : Policy.ALL) {
      JsonNode m = json.get("policies").get(p);
      for (String metric : List.of("goodput_tps", "goodput_vs_ideal", "goodput_rps", "goodput_vs_oracle", "p50_ms",
          "p95_ms", "p99_ms", "compliant_rejection_rate", "jain_fairness", "settling_s", "settling_intervals",
          "overshoot", "admitted_cv", "utilisation", "rejected_total")) {
        JsonNode node = m.get(metric);
        assertThat(node).as(p + "." + metric).isNotNull();
        assertThat(node.get("ci95")).hasSize(2);
      }
      assertThat(m.get("goodput_tps").get("mean").asDouble()).as(p).isPositive();
      // Goodput can pass the ideal only by work a queue carries across a second boundary.
      assertThat(m.get("goodput_vs_ideal").get("mean").asDouble()).as(p).isBetween(0.0, 1.05);
      assertThat(m.get("utilisation").get("mean").asDouble()).isBetween(0.0, 1.0);
      assertThat(m.get("jain_fairness").get("mean").asDouble()).isBetween(0.0, 1.0);
      assertThat(m.get("p99_ms").get("mean").asDouble()).isGreaterThanOrEqualTo(m.get("p50_ms").get("mean").asDouble());
      JsonNode c = m.get("conservation");
      assertThat(c.get("succeeded").asLong() + c.get("failed").asLong() + c.get("rejected").asLong()
          + c.get("in_flight").asLong()).isEqualTo(c.get("requests").asLong());
    }
    assertThat(json.get("policies").get("oracle").get("goodput_vs_oracle").get("mean").asDouble()).isEqualTo(1.0);
  }
}
