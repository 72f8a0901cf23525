package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code sluice check-config} run in-process with captured stdout and stderr. */
class CheckConfigCommandTest {

  @TempDir
  Path dir;

  /** The exit code and both streams of one run. */
  record Run(int exitCode, String out, String err) {
    List<String> errLines() {
      return err.lines().toList();
    }
  }

  static Run sluice(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine commandLine = Main.commandLine();
    commandLine.setOut(new PrintWriter(out, true));
    commandLine.setErr(new PrintWriter(err, true));
    int exitCode = commandLine.execute(args);
    return new Run(exitCode, out.toString(), err.toString());
  }

  @Test
  void aValidFilePrintsOkAndTheSummary() {
    Run run = sluice("check-config", "../examples/limiter.yaml");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out().lines()).containsExactly("../examples/limiter.yaml: OK \u2014 2 tiers"
        + " (premium burst 8000 @ 4000/s, sandbox burst 2000 @ 1000/s), global burst 20000 @ 10000/s,"
        + " 1 cost rule, upstream http://127.0.0.1:8081, adaptive off");
    assertThat(run.err()).isEmpty();
  }

  @Test
  void theReadmesQuickstartConfigIsValid() {
    Run run = sluice("check-config", "../examples/quickstart.yaml");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("OK \u2014 1 tier (free burst 1 @ 1/min)", "upstream http://127.0.0.1:18081");
  }

  @Test
  void anInvalidFilePrintsOneLinePerProblemToStderrAndExits2() throws IOException {
    Path file = dir.resolve("limiter.yaml");
    Files.writeString(file, """
        tiers:
          premium:
            per-client:
              burst: 8000
              burts: 2
              rate: -3
        global: {burst: 1, rate: 1/s, max: 2}
        """);

    Run run = sluice("check-config", file.toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.out()).isEmpty();
    assertThat(run.errLines()).containsExactly(
        file + ":5: tiers.premium.per-client.burts: unknown field (expected: one of burst, rate)",
        file + ":6: tiers.premium.per-client.rate: -3 (expected: > 0)",
        file + ":7: global.max: unknown field"
            + " (expected: one of burst, rate, max-clients, idle-expiry, concurrency, permit-timeout)");
  }

  @Test
  void badAdaptiveAndStoreFieldsAreReportedWithTheirLines() throws IOException {
    Path file = dir.resolve("limiter.yaml");
    Files.writeString(file, """
        tiers:
          free:
            per-client: {burst: 10, rate: 5/s}
        global: {burst: 100, rate: 50/s}
        adaptive:
          enabled: true
          latency-aimd:
            low: 300ms
            high: 100ms
          pi: {kp: fast}
        store:
          type: redis
          failure-mode: panic
        """);

    Run run = sluice("check-config", file.toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.errLines()).containsExactly(
        file + ":10: adaptive.pi.kp: fast (expected: a number)",
        file + ":13: store.failure-mode: panic (expected: one of local-share, fail-open, fail-closed)");
  }

  @Test
  void aYamlSyntaxErrorIsOneLine() throws IOException {
    Path file = dir.resolve("broken.yaml");
    Files.writeString(file, "tiers:\n  a: 1\n b: 2\n");

    Run run = sluice("check-config", file.toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.errLines()).singleElement().asString().startsWith(file + ":3: invalid YAML: ");
  }

  @Test
  void aMissingFileIsAOneLineErrorAndExits2() {
    Path file = dir.resolve("nope.yaml");

    Run run = sluice("check-config", file.toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.errLines()).containsExactly(file + ": cannot read: no such file");
  }

  @Test
  void aDirectoryIsAOneLineErrorAndExits2() {
    Run run = sluice("check-config", dir.toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.errLines()).containsExactly(dir + ": cannot read: is a directory");
  }

  @Test
  void aFileThatIsNotUtf8IsAOneLineErrorAndExits2() throws IOException {
    Path file = dir.resolve("latin1.yaml");
    Files.write(file, new byte[] {'a', ':', ' ', (byte) 0xE9, '\n'});

    Run run = sluice("check-config", file.toString());

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.errLines()).containsExactly(file + ": cannot read: not UTF-8 text");
  }

  @Test
  void withoutAFileItIsAUsageError() {
    Run run = sluice("check-config");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.errLines()).first().isEqualTo("Missing required parameter: 'FILE'");
    assertThat(run.err()).contains("Usage: sluice check-config");
  }
}
