package dev.sluice.cli;

import dev.sluice.cli.demo.Comparison;
import dev.sluice.cli.demo.DemoReport;
import dev.sluice.cli.demo.DemoRun;
import dev.sluice.cli.demo.Story;
import dev.sluice.cli.load.LoadResult;
import dev.sluice.config.ConfigException;
import dev.sluice.core.Clock;
import dev.sluice.sim.Experiment;
import dev.sluice.sim.ExperimentResult;
import dev.sluice.sim.Scenario;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sluice demo}: starts a demo upstream, Sluice in front of it and a load driver on loopback
 * ports, plays the story (steady, flash crowd, abusive client, low-rate flood, backend slowdown,
 * recovery) with a progress bar and a line per phase, compares it with the same story in the
 * simulator under {@code default} and {@code static-best}, and writes {@code demo-report/}.
 * Ctrl-C stops everything (a shutdown hook closes the load, Sluice and the upstream).
 */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Plays a 2-3 minute story on loopback ports: a demo rating API with a finite worker pool, Sluice in front"
          + " of it (the default adaptive policy, anomaly response on) and an open-model load driver: steady"
          + " clients in two tiers, a flash crowd, one abusive client, a low-rate flood, a backend slowdown,"
          + " recovery. Then compares the run with the same story in the simulator (default, static-best) and"
          + " writes demo-report/index.html. Ctrl-C stops everything. See docs/demo.md."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:the story ran to its end", "1:a port could not be bound", "2:a bad option"})
final class DemoCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Option(names = "--duration", paramLabel = "DURATION", defaultValue = "150s",
      description = "The story's length, at least 20s (default: ${DEFAULT-VALUE}).")
  private String duration;

  @Option(names = "--port", paramLabel = "PORT", defaultValue = "0",
      description = "The edge port on 127.0.0.1 (default: 0, a free port; the admin API and the upstream always"
          + " take free ports).")
  private int port;

  @Option(names = "--no-color", description = "No ANSI colours and no progress bar redrawn in place.")
  private boolean noColor;

  @Option(names = "--out", paramLabel = "DIR", defaultValue = "demo-report",
      description = "Where index.html, summary.json and scenario.yaml go (default: ${DEFAULT-VALUE}).")
  private Path out;

  @Option(names = "--no-simulation", description = "Skip the comparison with the simulator.")
  private boolean noSimulation;

  @Override
  public Integer call() {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", SimulateCommand.LOGGING);
    }
    return UsageError.exitCode(spec, "demo", this::run);
  }

  private int run(PrintWriter stdout) {
    PrintWriter err = spec.commandLine().getErr();
    Duration d;
    try {
      d = ServeCommand.duration("--duration", duration);
    } catch (IllegalArgumentException e) {
      throw new UsageError(e.getMessage());
    }
    if (d.toSeconds() < 20 || d.toSeconds() > 3600) {
      throw new UsageError("--duration: " + duration + " (expected: 20s to 1h)");
    }
    if (port < 0 || port > 65535) {
      throw new UsageError("--port: " + port + " (expected: 0 to 65535)");
    }
    String unwritable = SimulateCommand.unwritable(out);
    if (unwritable != null) {
      throw new UsageError("--out " + out + ": cannot write there: " + unwritable);
    }
    Story story = new Story((int) d.toSeconds());
    Scenario scenario = DemoRun.scenario(story);
    Clock clock = Clock.system();
    DemoRun demo;
    try {
      demo = DemoRun.start(story, scenario, port, 1, clock);
    } catch (IOException | CompletionException e) {
      err.println("demo: cannot start: " + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()));
      return CommandLine.ExitCode.SOFTWARE;
    } catch (ConfigException e) {
      throw new IllegalStateException("the demo's own config is invalid: " + e.problems(), e);
    }
    Thread hook = new Thread(demo::close, "sluice-demo-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    LoadResult live;
    try {
      stdout.printf("sluice demo: %d s story; upstream http://127.0.0.1:%d, edge http://127.0.0.1:%d,"
          + " admin http://127.0.0.1:%d (token %s)%n", story.seconds(), demo.upstreamPort(), demo.edgePort(),
          demo.adminPort(), demo.token());
      stdout.printf("dashboard: http://127.0.0.1:%d/dashboard ; Ctrl-C stops everything%n", demo.adminPort());
      stdout.printf("warming up for %d s ...%n", DemoRun.WARM_UP_SECONDS);
      stdout.flush();
      boolean tty = terminal() && !noColor;
      live = demo.play(stdout, tty ? err : null, !noColor);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return CommandLine.ExitCode.SOFTWARE;
    } finally {
      demo.close();
      removeHook(hook);
    }
    ExperimentResult sim = null;
    if (!noSimulation) {
      stdout.println("simulating the same story under default and static-best ...");
      stdout.flush();
      try {
        sim = Experiment.run(scenario, List.of("default", "static-best"), 1,
            Runtime.getRuntime().availableProcessors(), () -> { });
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return CommandLine.ExitCode.SOFTWARE;
      }
    }
    Comparison cmp = Comparison.of(live, story.seconds(), sim);
    stdout.println();
    stdout.print(cmp.text());
    List<String> flagged = DemoReport.flaggedClients(demo.anomalies());
    stdout.println("clients flagged in /admin/anomalies: " + (flagged.isEmpty() ? "none" : String.join(", ", flagged)));
    try {
      DemoReport.write(new DemoReport.Facts(story, live, demo.lines(), demo.samples(), demo.anomalies(), cmp,
          demo.edgePort(), demo.adminPort(), demo.upstreamPort()), out);
    } catch (IOException e) {
      throw new UsageError("--out " + out + ": cannot write: " + e.getMessage());
    }
    stdout.println("wrote " + out.resolve("index.html") + ", summary.json and scenario.yaml");
    stdout.flush();
    return CommandLine.ExitCode.OK;
  }

  /**
   * Returns whether the standard streams are a terminal: from JDK 22 on {@code System.console()}
   * is not null when they are redirected, and {@code Console.isTerminal()} (JDK 22+, looked up by
   * name since the code targets 21) tells.
   */
  private static boolean terminal() {
    java.io.Console c = System.console();
    if (c == null) {
      return false;
    }
    try {
      return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(c);
    } catch (ReflectiveOperationException e) {
      return true; // JDK 21: a console exists only on a terminal
    }
  }

  private static void removeHook(Thread hook) {
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // Ctrl-C: the hook is running and closes the demo
    }
  }
}
