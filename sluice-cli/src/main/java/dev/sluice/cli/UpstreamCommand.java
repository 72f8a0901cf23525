package dev.sluice.cli;

import dev.sluice.cli.demo.DemoUpstream;
import dev.sluice.core.Clock;
import dev.sluice.sim.LiveBackend;
import dev.sluice.sim.Scenario;
import dev.sluice.sim.ScenarioReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sluice upstream --scenario NAME|FILE --port PORT}: serves a scenario's backend model (the
 * demo's "rating API": its workers, service times and schedule) over real HTTP on 127.0.0.1 until
 * Ctrl-C, to put {@code sluice serve} and {@code sluice bench} in front of.
 */
@Command(
    name = "upstream",
    mixinStandardHelpOptions = true,
    description = {
      "Serves a scenario's backend model over HTTP on 127.0.0.1 (the demo's rating API): a fixed pool of the"
          + " scenario's workers behind one FIFO queue, service times drawn as the simulator draws them, the"
          + " schedule applied by second since the start. Every GET answers 200 with a small JSON rating."
          + " Runs until Ctrl-C. See docs/demo.md."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:stopped", "1:the port could not be bound", "2:a bad option or scenario"})
final class UpstreamCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Option(names = "--scenario", defaultValue = "seed-k6", paramLabel = "NAME|FILE",
      description = "Whose backend: a scenario name or YAML file (default: ${DEFAULT-VALUE}).")
  private String scenario;

  @Option(names = "--port", defaultValue = "18081", paramLabel = "PORT",
      description = "Port on 127.0.0.1 (default: ${DEFAULT-VALUE}; 0 = a free port).")
  private int port;

  @Option(names = "--seed", defaultValue = "1", paramLabel = "N", description = "Seed of the service times (default: 1).")
  private long seed;

  @Override
  public Integer call() {
    return UsageError.exitCode(spec, "upstream", this::run);
  }

  private int run(PrintWriter out) {
    if (port < 0 || port > 65535) {
      throw new UsageError("--port: " + port + " (expected: 0 to 65535)");
    }
    Path file = SimulateCommand.locate(scenario);
    if (file == null) {
      throw new UsageError("--scenario " + scenario + ": not found (expected: a file, or a name in "
          + String.join(", ", SimulateCommand.searchDirs().stream().map(Path::toString).toList()) + ")");
    }
    Scenario sc;
    try {
      sc = ScenarioReader.read(file);
    } catch (IOException e) {
      throw new UsageError("--scenario " + file + ": cannot read: " + e.getMessage());
    } catch (IllegalArgumentException e) {
      throw new UsageError(e.getMessage());
    }
    LiveBackend model = new LiveBackend(sc.backend(), sc.seconds(), seed);
    DemoUpstream upstream;
    try {
      upstream = new DemoUpstream(model, Clock.system(), port);
    } catch (IOException e) {
      spec.commandLine().getErr().println("upstream: cannot listen on 127.0.0.1:" + port + ": " + e.getMessage());
      return CommandLine.ExitCode.SOFTWARE;
    }
    out.printf(Locale.ROOT, "upstream: %s's backend on %s (%d workers, %.0f requests/s); Ctrl-C stops%n", sc.name(),
        upstream.url(), model.workers(0), model.capacity(0));
    out.flush();
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      upstream.close();
      stopped.countDown();
    }, "sluice-upstream-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Runtime.getRuntime().removeShutdownHook(hook);
      upstream.close();
      Thread.currentThread().interrupt();
    }
    return CommandLine.ExitCode.OK;
  }
}
