package dev.sluice.cli;

import dev.sluice.core.Clock;
import dev.sluice.core.Durations;
import dev.sluice.ml.data.ReadReport;
import dev.sluice.ml.dataset.DatasetOptions;
import dev.sluice.ml.dataset.TimeSplit;
import dev.sluice.ml.model.RegressionKind;
import dev.sluice.ml.model.RegressionMetrics;
import dev.sluice.ml.model.TokenEvaluation;
import dev.sluice.ml.model.TokenModelProvider;
import dev.sluice.ml.model.TokenModels;
import dev.sluice.ml.model.TokenRegression;
import dev.sluice.ml.model.TrainedTokenModel;
import dev.sluice.ml.model.TrainingData;
import dev.sluice.ml.registry.ModelMetadata;
import dev.sluice.ml.registry.ModelRegistry;
import dev.sluice.ml.registry.NewModel;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.function.Supplier;
import me.tongfei.progressbar.ConsoleProgressBarConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sluice train --logs PATH... --out MODELS_DIR [--model linear|xgboost|lstm|all]}: builds the
 * dataset of the logs, trains next-window token regressions per client on a time split, prints
 * them next to the last-window baseline and registers each as a new artifact version.
 */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description = {
      "Reads request logs (or access logs / Azure LLM traces: their tokens are request counts), builds the"
          + " dataset (per client and --window), trains next-window token regressions on the first"
          + " --train-fraction of the windows, prints MAE and RMSE in tokens on the rest next to the last-window"
          + " baseline, and registers each model as a new version in MODELS_DIR.",
      "Activation: --activate activates the run's best model (lowest test MAE). Without it, the best is"
          + " activated only when MODELS_DIR has no active version and the model beats the baseline; otherwise"
          + " the active version stays."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:the models were trained and registered", "2:bad input, option or output directory"})
final class TrainCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Option(names = "--logs", required = true, arity = "1..*", paramLabel = "PATH",
      description = "Log files, or directories whose files are all logs (plain or .gz).")
  private List<Path> logs;

  @Option(names = "--out", required = true, paramLabel = "MODELS_DIR",
      description = "The model registry (created if missing).")
  private Path out;

  @Option(names = "--model", defaultValue = "all", paramLabel = "linear|xgboost|lstm|all",
      description = "What to train (default: all, i.e. linear, xgboost and, when the jar includes sluice-ml-deep,"
          + " lstm).")
  private String model;

  @Option(names = "--window", defaultValue = "10s", paramLabel = "DURATION",
      description = "The dataset window (default: 10s).")
  private String window;

  @Option(names = "--train-fraction", defaultValue = "0.8", paramLabel = "F",
      description = "The share of the windows that trains; the rest is the test part (default: 0.8).")
  private double trainFraction;

  @Option(names = "--activate", description = "Activate the run's best model even if another version is active.")
  private boolean activate;

  @Override
  public Integer call() {
    // warnings only, on stderr: DJL logs at DEBUG on stdout when the lstm loads PyTorch
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", SimulateCommand.LOGGING);
    }
    return UsageError.exitCode(spec, "train", this::run);
  }

  private int run(PrintWriter stdout) {
    List<String> kinds = kinds(model);
    if (!(trainFraction > 0 && trainFraction < 1)) {
      throw new UsageError("--train-fraction: " + trainFraction + " (expected: 0 < F < 1)");
    }
    DatasetOptions options = options(window);
    List<Path> files = files(logs, "--logs");
    ModelRegistry registry = writableRegistry(out);
    Clock clock = Clock.system();
    TrainingData data;
    List<Row> rows = new ArrayList<>();
    TimeSplit split;
    try (ProgressBar bar = progress("train", 2 + kinds.size())) {
      bar.setExtraMessage("read " + files.size() + " log(s)");
      data = read(files, options);
      bar.step();
      for (ReadReport r : data.reports()) {
        stdout.println(r.summary());
      }
      split = TokenRegression.split(data.rows(), data.schema(), trainFraction);
      describe(stdout, data, split, options);
      if (split.train().isEmpty() || split.test().isEmpty()) {
        throw new UsageError("the logs give " + data.clientRows().size() + " per-client rows: nothing to train on"
            + " (expected: requests spanning at least a few dozen windows of " + options.windowSeconds() + " s)");
      }
      bar.step();
      for (String k : kinds) {
        String fitting = "fit " + k + " on " + split.train().size() + " rows";
        bar.setExtraMessage(fitting);
        long t0 = clock.nanoTime();
        try {
          rows.add(fit(k, data, split, m -> bar.setExtraMessage(fitting + ": " + m), t0, clock));
        } catch (IllegalArgumentException e) {
          throw new UsageError(e.getMessage());
        }
        bar.step();
      }
    }
    stdout.println();
    stdout.println(table(rows));
    register(stdout, registry, rows);
    return CommandLine.ExitCode.OK;
  }

  /** Trains one kind: a Tribuo model here, any other through its provider. */
  private static Row fit(String kind, TrainingData data, TimeSplit split, Consumer<String> progress,
      long t0, Clock clock) {
    Optional<TokenModelProvider> provider = TokenModels.provider(kind);
    if (provider.isPresent()) {
      TrainedTokenModel t = provider.get().train(kind, data.clientRows(), split, data.schema(), progress);
      return new Row(kind, t.test(), split.train().size(), t::artifact, Duration.ofNanos(clock.nanoTime() - t0));
    }
    TokenRegression.Result r = TokenRegression.train(split, data.schema(), RegressionKind.of(kind));
    return new Row(kind, r.test(), split.train().size(), r::toNewModel, Duration.ofNanos(clock.nanoTime() - t0));
  }

  private void register(PrintWriter stdout, ModelRegistry registry, List<Row> rows) {
    try {
      List<ModelMetadata> registered = new ArrayList<>();
      for (Row r : rows) {
        ModelMetadata m = registry.register(r.artifact().get());
        registered.add(m);
        stdout.println("registered version " + m.version() + " (" + m.kind() + ") in " + registry.directory());
      }
      ModelMetadata best = registered.stream().min(Comparator.comparingDouble(m -> m.metric("mae"))).orElseThrow();
      Optional<String> active = registry.activeVersion();
      boolean beats = best.metric("mae") < best.metric("baseline_mae");
      if (activate || (active.isEmpty() && beats)) {
        registry.activate(best.version());
        stdout.println("activated version " + best.version() + " (" + best.kind() + ", the lowest test MAE"
            + (activate ? ", --activate" : ", no version was active") + ")");
      } else if (active.isEmpty()) {
        stdout.println("no version activated: the best model does not beat the last-window baseline"
            + " (use --activate to activate it anyway)");
      } else {
        stdout.println("version " + active.get() + " stays active (use --activate to activate this run's best, "
            + best.version() + ")");
      }
    } catch (IOException e) {
      throw new UsageError("--out " + out + ": cannot write: " + e.getMessage());
    }
  }

  private static void describe(PrintWriter stdout, TrainingData data, TimeSplit split, DatasetOptions o) {
    long clients = data.clientRows().stream().map(r -> r.group()).distinct().count();
    stdout.println(String.format(Locale.ROOT, "dataset: %d requests, %d rows, %d per-client rows (%d busiest clients,"
        + " %d s windows); train %d rows before %s, test %d rows", data.events(), data.rows().size(),
        data.clientRows().size(), clients, o.windowSeconds(), split.train().size(), Instant.ofEpochSecond(split.cut()),
        split.test().size()));
  }

  /** The evaluation table: the baseline, then each model, on the test part. */
  static String table(List<Row> rows) {
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "%-22s %10s %10s %10s %10s %9s%n", "model",
        "MAE tok", "RMSE tok", "train rows", "test rows", "time"));
    RegressionMetrics base = rows.getFirst().test().baseline();
    sb.append(String.format(Locale.ROOT, "%-22s %10.3f %10.3f %10s %10d %9s%n", "last-window baseline", base.mae(),
        base.rmse(), "-", base.rows(), "-"));
    for (Row r : rows) {
      RegressionMetrics m = r.test().model();
      sb.append(String.format(Locale.ROOT, "%-22s %10.3f %10.3f %10d %10d %8.1fs%n", r.kind(), m.mae(), m.rmse(),
          r.trainRows(), m.rows(), r.time().toMillis() / 1000.0));
    }
    return sb.toString().stripTrailing();
  }

  /**
   * One trained model of the table.
   *
   * @param kind the model family
   * @param test its and the baseline's errors on the test part
   * @param trainRows how many rows trained it
   * @param artifact its registry entry
   * @param time how long training and scoring took
   */
  record Row(String kind, TokenEvaluation test, int trainRows, Supplier<NewModel> artifact,
      Duration time) {}

  /** The kinds {@code --model} names: one, or every kind this build trains for {@code all}. */
  static List<String> kinds(String model) {
    List<String> known = TokenModels.kinds();
    if (model.equals("all")) {
      return known;
    }
    if (known.contains(model)) {
      return List.of(model);
    }
    if (model.equals("lstm")) {
      throw new UsageError("--model lstm: this jar was built without sluice-ml-deep (-Dsluice.lean); use "
          + String.join(", ", known) + " or all");
    }
    List<String> expected = new ArrayList<>(known);
    if (!expected.contains("lstm")) {
      expected.add("lstm");
    }
    throw new UsageError("--model: " + model + " (expected: " + String.join(", ", expected) + " or all)");
  }

  static DatasetOptions options(String window) {
    Duration d;
    try {
      d = Durations.parse(window);
    } catch (IllegalArgumentException e) {
      throw new UsageError("--window: " + window + " (expected: " + Durations.EXPECTED + ")");
    }
    if (d.toMillis() % 1000 != 0 || d.getSeconds() < 1 || d.getSeconds() > 86_400) {
      throw new UsageError("--window: " + window + " (expected: whole seconds, 1s to 1d)");
    }
    DatasetOptions o = DatasetOptions.defaults();
    return new DatasetOptions((int) d.getSeconds(), o.horizonWindows(), o.lags(), o.topClients());
  }

  /** The files named, a directory standing for its regular files in name order. */
  static List<Path> files(List<Path> paths, String option) {
    List<Path> files = new ArrayList<>();
    for (Path p : paths) {
      if (Files.isDirectory(p)) {
        try (var s = Files.list(p)) {
          List<Path> inside = s.filter(Files::isRegularFile).filter(f -> !f.getFileName().toString().startsWith("."))
              .sorted().toList();
          if (inside.isEmpty()) {
            throw new UsageError(option + " " + p + ": an empty directory (expected: log files)");
          }
          files.addAll(inside);
        } catch (IOException e) {
          throw new UsageError(option + " " + p + ": cannot list: " + e.getMessage());
        }
      } else if (Files.isRegularFile(p)) {
        files.add(p);
      } else {
        throw new UsageError(option + " " + p + ": no such file");
      }
    }
    return files;
  }

  static TrainingData read(List<Path> files, DatasetOptions options) {
    try {
      return TrainingData.read(files, options);
    } catch (IllegalArgumentException e) {
      throw new UsageError("--logs " + e.getMessage());
    } catch (IOException e) {
      throw new UsageError("--logs: cannot read: " + e.getMessage());
    }
  }

  /** Opens the registry and checks that a file can be created in it, before any training. */
  private static ModelRegistry writableRegistry(Path dir) {
    try {
      ModelRegistry r = ModelRegistry.open(dir);
      Path probe = Files.createTempFile(dir, ".probe-", ".tmp");
      Files.delete(probe);
      return r;
    } catch (IOException e) {
      throw new UsageError("--out " + dir + ": cannot write there (" + e.getClass().getSimpleName() + ": "
          + e.getMessage() + ")");
    }
  }

  static ProgressBar progress(String task, int steps) {
    return new ProgressBarBuilder().setTaskName(task).setInitialMax(steps).setStyle(ProgressBarStyle.ASCII)
        .setConsumer(new ConsoleProgressBarConsumer(System.err)).setUpdateIntervalMillis(250).build();
  }
}
