package dev.sluice.cli;

import static dev.sluice.cli.CheckConfigCommandTest.sluice;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.cli.CheckConfigCommandTest.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice simulate}: a scaled-down seed scenario end to end, and its usage errors. */
class SimulateCommandTest {

  @Test
  void writesTheReportOfAScaledDownScenario(@TempDir Path out) throws Exception {
    Run run = sluice("simulate", "--scenario", "../scenarios/seed-k6.yaml", "--policy", "static,combined",
        "--seeds", "2", "--scale", "0.05", "--out", out.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("seed-k6: 70 s, 2 seed(s)", "static", "combined", "wrote ");
    assertThat(out.resolve("report.md")).isNotEmptyFile();
    assertThat(run.out()).contains("goodput tok/s", "÷ideal");
    assertThat(Files.readString(out.resolve("results.json")))
        .contains("\"scenario\" : \"seed-k6\"", "\"goodput_vs_oracle\"", "\"goodput_vs_ideal\"", "\"combined\"",
            "\"p(95)<150ms\"");
    assertThat(Files.readString(out.resolve("report.md"))).contains("## Thresholds", "| p(95)<150ms | p(95)<300ms |");
    assertThat(out.resolve("throughput.png")).isNotEmptyFile();
  }

  @Test
  void printsTheFlaggedClientsOfAnAccessLogReplay(@TempDir Path dir) throws Exception {
    Path log = Path.of("..", "sluice-sim", "src", "test", "resources", "access", "one-abuser.log").toAbsolutePath();
    Path scenario = Files.writeString(dir.resolve("abuse.yaml"), """
        backend: {workers: 1, service: {mean: 500ms}}
        limiter: {tiers: {web: {per-client: {burst: 50, rate: 20/s}}}}
        sources: [{name: log, access-log: {file: '%s'}}]
        adaptive: {anomaly: {enabled: true, window: 10s, baseline: 60s, warmup: 30s, heavy-hitter-share: 0.2}}
        """.formatted(log));
    Run run = sluice("simulate", "--scenario", scenario.toString(), "--policy", "static", "--seeds", "1",
        "--out", dir.resolve("out").toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("replayed one-abuser.log: 194 lines, 192 records, 2 bad (first: line 21: ")
        .contains("static: 1 event(s) (0 tier-scoped), 1 flagged client(s):");
    assertThat(run.out().lines().filter(l -> l.contains("203.0.113.66")).toList()).singleElement().asString()
        .contains("web", "heavy-hitter", "1.00", "2024-03-01T12:01:40Z", "42", "40/50", "2024-03-01T12:00:05Z");
    assertThat(run.out()).doesNotContain("192.0.2.1");
    assertThat(Files.readString(dir.resolve("out").resolve("report.md"))).contains("| 203.0.113.66 | web |");

    Files.writeString(scenario, Files.readString(scenario).replace(log.toString(), "DATA/none.log")
        .replace("one-abuser", "none"));
    Run missing = sluice("simulate", "--scenario", scenario.toString(), "--policy", "static", "--seeds", "1",
        "--out", dir.resolve("out2").toString());
    assertThat(missing.exitCode()).isEqualTo(2);
    assertThat(missing.err()).contains("sources[0].access-log.file");
  }

  @Test
  void anOutputDirectoryItCannotWriteIsAUsageErrorBeforeAnythingRuns(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("taken"), "a file, not a directory");
    for (Path out : new Path[] {file, file.resolve("report")}) {
      Run run = sluice("simulate", "--scenario", "../scenarios/seed-k6.yaml", "--out", out.toString());

      assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
      assertThat(run.err()).startsWith("simulate: --out " + out + ": cannot write there: ")
          .containsIgnoringCase("not a directory");
      assertThat(run.out()).as("no summary: nothing ran").isEmpty();
    }
    assertThat(Files.readString(file)).isEqualTo("a file, not a directory");
  }

  @Test
  void writesOneRequestLogPerPolicyAndSeed(@TempDir Path dir) throws Exception {
    Path log = dir.resolve("logs/sim.jsonl");
    Run run = sluice("simulate", "--scenario", "../scenarios/seed-k6.yaml", "--policy", "static,default",
        "--seeds", "2", "--scale", "0.05", "--out", dir.resolve("report").toString(), "--request-log", log.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("wrote 4 request log(s): " + dir.resolve("logs/sim-static-seed1.jsonl"));
    for (String f : new String[] {"sim-static-seed1.jsonl", "sim-static-seed2.jsonl", "sim-default-seed1.jsonl",
        "sim-default-seed2.jsonl"}) {
      Path p = dir.resolve("logs").resolve(f);
      assertThat(p).isNotEmptyFile();
      assertThat(Files.readAllLines(p).get(0)).startsWith("{\"v\":2,\"ts\":\"2026-01-01T00:00:").contains("\"source\":\"proxy\"");
    }
    assertThat(log).doesNotExist();
  }

  @Test
  void aRequestLogPathItCannotWriteIsAUsageErrorBeforeAnythingRuns(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("taken"), "a file, not a directory");
    for (Path log : new Path[] {dir, file.resolve("sim.jsonl")}) {
      Run run = sluice("simulate", "--scenario", "../scenarios/seed-k6.yaml", "--out", dir.resolve("out").toString(),
          "--request-log", log.toString());

      assertThat(run.exitCode()).as(run.err()).isEqualTo(2);
      assertThat(run.err()).startsWith("simulate: --request-log " + log + ": cannot write there: ")
          .containsIgnoringCase("directory");
      assertThat(run.out()).as("no summary: nothing ran").isEmpty();
    }
  }

  @Test
  void theOutputDirectoryIsCreatedAndTheProbeLeavesNothingBehind(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("a/b");

    assertThat(SimulateCommand.unwritable(out)).isNull();
    try (var files = Files.list(out)) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly("runs");
    }
  }

  @Test
  void unknownScenarioIsAUsageError() {
    Run run = sluice("simulate", "--scenario", "no-such-scenario");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).startsWith("simulate: scenario no-such-scenario: not found");
  }

  @Test
  void unknownPolicyIsAUsageError() {
    Run run = sluice("simulate", "--scenario", "../scenarios/seed-k6.yaml", "--policy", "magic");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).contains("policy: magic (expected: one of [static, aimd, gradient, pi, combined, default, oracle",
        "static-best", "netflix-gradient2", "netflix-vegas", "seed, predictive, default-no-anomaly]");
  }
}
