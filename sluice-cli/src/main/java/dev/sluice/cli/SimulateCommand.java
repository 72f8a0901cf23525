package dev.sluice.cli;

import dev.sluice.sim.Experiment;
import dev.sluice.sim.ExperimentResult;
import dev.sluice.sim.Policy;
import dev.sluice.sim.ReportWriter;
import dev.sluice.sim.Scenario;
import dev.sluice.sim.ScenarioReader;
import dev.sluice.sim.Stats;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sluice simulate --scenario NAME|FILE --policy ... --seeds N --out DIR}: runs a scenario
 * in virtual time under each policy and seed and writes {@code report.md}, {@code results.json},
 * per-run series and charts into DIR.
 */
@Command(
    name = "simulate",
    mixinStandardHelpOptions = true,
    description = {
      "Replays a scenario in virtual time through the real limiter and controllers, under each policy"
          + " and seed, and writes report.md, results.json, runs/*.csv and PNG charts.",
      "A scenario NAME is looked up as scenarios/NAME.yaml in the current directory, then in the"
          + " Sluice checkout the jar was built in."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:the report was written", "2:a bad scenario, option or output directory"})
final class SimulateCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Option(names = "--scenario", required = true, paramLabel = "NAME|FILE",
      description = "A scenario name (e.g. seed-k6) or a scenario YAML file.")
  private String scenario;

  @Option(names = "--policy", defaultValue = "all", paramLabel = "POLICY",
      description = "static, static-best, aimd, gradient, pi, combined (the seed's latency-aimd + error-backoff;"
          + " also as seed), default (what sluice serve runs; alias: adaptive), predictive (default + the"
          + " predictive controller), default-no-anomaly (default without the flood response, for scenarios"
          + " with adaptive.anomaly), oracle, netflix-gradient2, netflix-vegas, a comma-separated list, or all"
          + " (default: every one but seed, predictive and default-no-anomaly).")
  private String policy;

  @Option(names = "--seeds", paramLabel = "N", description = "Seeds to run (1..N); default: the scenario's.")
  private Integer seeds;

  @Option(names = "--out", defaultValue = "report", paramLabel = "DIR", description = "Output directory (default: report).")
  private Path out;

  @Option(names = "--scale", defaultValue = "1", paramLabel = "F",
      description = "Multiply capacity, rates and rate caps by F (e.g. 0.1 for a quick run).")
  private double scale;

  @Option(names = "--threads", paramLabel = "N", description = "Worker threads (default: available processors).")
  private Integer threads;

  @Option(names = "--request-log", paramLabel = "FILE",
      description = "Also write each run's request log (the schema of sluice serve --request-log, in virtual time"
          + " from 2026-01-01T00:00:00Z), one file per policy and seed: FILE's name without its extension"
          + " + -POLICY-seedN.jsonl, beside FILE (e.g. logs/sim.jsonl -> logs/sim-default-seed1.jsonl).")
  private Path requestLog;

  /** The classpath resource holding the Logback config for simulations (warnings only, on stderr). */
  static final String LOGGING = "dev/sluice/cli/logback-simulate.xml";

  @Override
  public Integer call() throws InterruptedException {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", LOGGING);
    }
    PrintWriter err = spec.commandLine().getErr();
    PrintWriter outWriter = spec.commandLine().getOut();
    Scenario sc;
    List<String> policies;
    try {
      policies = Policy.parse(policy);
      Path file = locate(scenario);
      if (file == null) {
        err.println("simulate: scenario " + scenario + ": not found (expected: a file, or a name in "
            + String.join(", ", searchDirs().stream().map(Path::toString).toList()) + ")");
        return CommandLine.ExitCode.USAGE;
      }
      sc = ScenarioReader.read(file, scale);
    } catch (IllegalArgumentException e) {
      err.println(e.getMessage());
      return CommandLine.ExitCode.USAGE;
    } catch (IOException e) {
      err.println("simulate: " + scenario + ": cannot read: " + e.getMessage());
      return CommandLine.ExitCode.USAGE;
    }
    int n = seeds != null ? seeds : sc.defaultSeeds();
    if (n < 1) {
      err.println("simulate: --seeds: " + n + " (expected: >= 1)");
      return CommandLine.ExitCode.USAGE;
    }
    String unwritable = unwritable(out);
    if (unwritable != null) {
      err.println("simulate: --out " + out + ": cannot write there: " + unwritable);
      return CommandLine.ExitCode.USAGE;
    }
    if (requestLog != null) {
      String bad = unwritableLog(requestLog);
      if (bad != null) {
        err.println("simulate: --request-log " + requestLog + ": cannot write there: " + bad);
        return CommandLine.ExitCode.USAGE;
      }
    }
    int workers = threads != null ? Math.max(1, threads) : Runtime.getRuntime().availableProcessors();
    int runs = Experiment.runCount(policies, n, requestLog != null);
    ExperimentResult result;
    try (ProgressBar bar = new ProgressBarBuilder().setTaskName("simulate " + sc.name()).setInitialMax(runs)
        .setStyle(ProgressBarStyle.ASCII).setConsumer(new me.tongfei.progressbar.ConsoleProgressBarConsumer(System.err))
        .setUpdateIntervalMillis(250).build()) {
      result = Experiment.run(sc, policies, n, workers, bar::step, requestLog);
    } catch (UncheckedIOException e) {
      err.println("simulate: " + e.getMessage() + ": " + describe(e.getCause()));
      return CommandLine.ExitCode.USAGE;
    }
    try {
      ReportWriter.write(result, out);
    } catch (IOException e) {
      err.println("simulate: cannot write " + out + ": " + e.getMessage());
      return CommandLine.ExitCode.USAGE;
    }
    outWriter.println(summary(result));
    outWriter.print(dev.sluice.sim.AnomalyReport.section(result, false));
    outWriter.println("wrote " + out.resolve("report.md") + ", results.json, runs/ and charts");
    if (requestLog != null) {
      outWriter.println("wrote " + policies.size() * n + " request log(s): "
          + Experiment.requestLogPath(requestLog, policies.get(0), 1)
          + (policies.size() * n > 1 ? " ... " + Experiment.requestLogPath(requestLog, policies.getLast(), n) : ""));
    }
    return CommandLine.ExitCode.OK;
  }

  private static String summary(ExperimentResult r) {
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "%s: %d s, %d seed(s)%n", r.scenario().name(), r.scenario().seconds(),
        r.seeds().size()));
    sb.append(String.format(Locale.ROOT, "%-17s %11s %8s %8s %8s %8s %10s%n", "policy", "goodput tok/s", "÷ideal",
        "÷oracle", "p95 ms", "p99 ms", "429s"));
    for (String p : r.policies()) {
      Stats g = r.stats(p, "goodput_tps");
      sb.append(String.format(Locale.ROOT, "%-17s %13.1f %8.3f %8.3f %8.0f %8.0f %10.0f%n", p, g.mean(),
          r.stats(p, "goodput_vs_ideal").mean(), r.stats(p, "goodput_vs_oracle").mean(), r.stats(p, "p95_ms").mean(),
          r.stats(p, "p99_ms").mean(), r.stats(p, "rejected_total").mean()));
    }
    return sb.toString().stripTrailing();
  }

  /**
   * Creates {@code dir} (and its {@code runs/}) and writes and deletes a probe file in it, so a
   * long run does not end in a write error. Returns why that failed, or {@code null}.
   */
  static String unwritable(Path dir) {
    try {
      Files.createDirectories(dir.resolve("runs"));
      Files.delete(Files.createTempFile(dir, ".sluice-probe-", ".tmp"));
      return null;
    } catch (IOException | SecurityException e) {
      return describe(e);
    }
  }

  /**
   * Creates the directory of {@code --request-log file} and writes and deletes a probe file in it.
   * Returns why that failed (or {@code file} is a directory), or {@code null}.
   */
  static String unwritableLog(Path file) {
    if (Files.isDirectory(file)) {
      return file + ": is a directory (expected: a file name; each run writes NAME-POLICY-seedN.jsonl beside it)";
    }
    Path dir = file.toAbsolutePath().getParent();
    try {
      Files.createDirectories(dir);
      Files.delete(Files.createTempFile(dir, ".sluice-probe-", ".tmp"));
      return null;
    } catch (IOException | SecurityException e) {
      return describe(e);
    }
  }

  /** Says why a file operation failed, naming the file. */
  private static String describe(Throwable t) {
    if (t instanceof FileAlreadyExistsException e) {
      return e.getFile() + ": exists and is not a directory";
    } else if (t instanceof AccessDeniedException e) {
      return e.getFile() + ": permission denied";
    } else if (t instanceof NoSuchFileException e) {
      return e.getFile() + ": no such file or directory";
    } else if (t instanceof FileSystemException e) {
      return e.getFile() + ": " + (e.getReason() != null ? e.getReason() : e.getClass().getSimpleName());
    }
    return String.valueOf(t);
  }

  static Path locate(String name) {
    Path direct = Path.of(name);
    if (Files.isRegularFile(direct)) {
      return direct;
    }
    for (Path dir : searchDirs()) {
      Path p = dir.resolve(name.endsWith(".yaml") ? name : name + ".yaml");
      if (Files.isRegularFile(p)) {
        return p;
      }
    }
    return null;
  }

  /** scenarios/ in the working directory, then in the checkout holding sluice-cli/target/sluice.jar. */
  static List<Path> searchDirs() {
    List<Path> dirs = new ArrayList<>();
    dirs.add(Path.of("scenarios"));
    java.security.CodeSource source = SimulateCommand.class.getProtectionDomain().getCodeSource();
    if (source == null || source.getLocation() == null) {
      return dirs;
    }
    try {
      Path jar = Path.of(source.getLocation().toURI());
      Path root = jar.getParent() == null || jar.getParent().getParent() == null ? null
          : jar.getParent().getParent().getParent();
      if (root != null) {
        dirs.add(root.resolve("scenarios"));
      }
    } catch (URISyntaxException | IllegalArgumentException e) {
      // Not run from a jar on a file system: the working directory is all there is.
    }
    return dirs;
  }
}
