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
    assertThat(Files.readString(out.resolve("results.json")))
        .contains("\"scenario\" : \"seed-k6\"", "\"goodput_vs_oracle\"", "\"combined\"");
    assertThat(out.resolve("throughput.png")).isNotEmptyFile();
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
    assertThat(run.err()).contains("policy: magic (expected: one of [static, aimd, gradient, pi, combined, oracle]");
  }
}
