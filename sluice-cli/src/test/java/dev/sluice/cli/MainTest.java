package dev.sluice.cli;

import static dev.sluice.cli.CheckConfigCommandTest.sluice;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.cli.CheckConfigCommandTest.Run;
import org.junit.jupiter.api.Test;

/** The top-level {@code sluice} command: help, version and usage errors. */
class MainTest {

  @Test
  void versionPrintsTheProjectVersion() {
    Run run = sluice("--version");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out().lines()).containsExactly("sluice 0.1.0-SNAPSHOT");
  }

  @Test
  void helpListsTheSubcommands() {
    Run run = sluice("--help");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).startsWith("Usage: sluice [-hV] [COMMAND]").contains("check-config", "help");
    assertThat(run.err()).isEmpty();
  }

  @Test
  void theHelpSubcommandShowsASubcommandsHelp() {
    Run run = sluice("help", "check-config");

    assertThat(run.exitCode()).isZero();
    assertThat(run.out()).startsWith("Usage: sluice check-config [-hV] [--envoy] FILE").contains("Exit codes:");
  }

  @Test
  void noSubcommandIsAUsageError() {
    Run run = sluice();

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.errLines()).first().isEqualTo("Missing required subcommand");
    assertThat(run.out()).isEmpty();
  }

  @Test
  void anUnknownSubcommandOrOptionIsAUsageError() {
    assertThat(sluice("frobnicate").exitCode()).isEqualTo(2);
    assertThat(sluice("--frobnicate").exitCode()).isEqualTo(2);
    assertThat(sluice("check-config", "--frobnicate", "x.yaml").exitCode()).isEqualTo(2);
  }
}
