package dev.sluice.cli;

import dev.sluice.ml.data.ReadReport;
import dev.sluice.ml.dataset.DatasetOptions;
import dev.sluice.ml.dataset.FeatureRow;
import dev.sluice.ml.model.TokenEvaluation;
import dev.sluice.ml.model.TokenModels;
import dev.sluice.ml.model.TokenRegressor;
import dev.sluice.ml.model.TrainingData;
import dev.sluice.ml.registry.LoadedArtifact;
import dev.sluice.ml.registry.ModelMetadata;
import dev.sluice.ml.registry.ModelRegistry;
import dev.sluice.ml.registry.SchemaMismatchException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import me.tongfei.progressbar.ProgressBar;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sluice evaluate --logs PATH... --model DIR}: scores a registered token regression on new
 * logs next to the last-window baseline.
 */
@Command(
    name = "evaluate",
    mixinStandardHelpOptions = true,
    description = {
      "Scores a trained token regression on new logs: builds their dataset with the model's window, predicts"
          + " every per-client row's next-window tokens and prints MAE and RMSE in tokens next to the last-window"
          + " baseline (next window = this window).",
      "DIR is an artifact directory (MODELS_DIR/3) or a registry (MODELS_DIR: its active version). A model"
          + " trained on other features, or whose file fails its checksum, is refused (exit 2)."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:the model was evaluated", "2:bad input, option or model"})
final class EvaluateCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Option(names = "--logs", required = true, arity = "1..*", paramLabel = "PATH",
      description = "Log files, or directories whose files are all logs (plain or .gz).")
  private List<Path> logs;

  @Option(names = "--model", required = true, paramLabel = "DIR",
      description = "An artifact directory, or a model registry (its active version).")
  private Path model;

  @Override
  public Integer call() {
    // warnings only, on stderr: DJL logs at DEBUG on stdout when the lstm loads PyTorch
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", SimulateCommand.LOGGING);
    }
    return UsageError.exitCode(spec, "evaluate", this::run);
  }

  private int run(PrintWriter stdout) {
    List<Path> files = TrainCommand.files(logs, "--logs");
    ModelRegistry registry;
    String version;
    try {
      if (Files.isRegularFile(model.resolve(ModelRegistry.METADATA_FILE))) {
        Path abs = model.toAbsolutePath().normalize();
        registry = ModelRegistry.open(abs.getParent());
        version = abs.getFileName().toString();
      } else if (Files.isDirectory(model)) {
        registry = ModelRegistry.open(model);
        version = registry.activeVersion().orElseThrow(() -> new UsageError("--model " + model
            + ": no metadata.json and no active version (expected: an artifact directory or a registry with an"
            + " active version)"));
      } else {
        throw new UsageError("--model " + model + ": no such directory");
      }
      ModelMetadata meta = registry.metadata(version);
      DatasetOptions d = DatasetOptions.defaults();
      DatasetOptions options = new DatasetOptions(meta.windowSeconds(), d.horizonWindows(), d.lags(), d.topClients());
      TrainingData data;
      TokenRegressor tokenModel;
      List<FeatureRow> rows;
      try (ProgressBar bar = TrainCommand.progress("evaluate", 2)) {
        bar.setExtraMessage("read " + files.size() + " log(s)");
        data = TrainCommand.read(files, options);
        bar.step();
        bar.setExtraMessage("predict with model " + version);
        LoadedArtifact artifact = registry.load(version, data.schema().hash());
        tokenModel = TokenModels.load(artifact, data.schema());
        rows = data.clientRows();
        bar.step();
      }
      for (ReadReport r : data.reports()) {
        stdout.println(r.summary());
      }
      if (rows.isEmpty()) {
        throw new UsageError("the logs give no per-client rows to score (expected: requests spanning"
            + " more than " + (options.horizonWindows() + 1) + " windows of " + options.windowSeconds() + " s)");
      }
      TokenEvaluation e = TokenEvaluation.of(tokenModel, rows, data.schema());
      stdout.println(String.format(Locale.ROOT, "model %s (%s, trained on %s .. %s, test MAE then %.3f):"
          + " %d per-client rows of %d s", version, meta.kind(), meta.trainedFrom(), meta.trainedTo(),
          meta.metric("mae"), rows.size(), meta.windowSeconds()));
      stdout.println(String.format(Locale.ROOT, "%-22s %10s %10s %10s", "model", "MAE tok", "RMSE tok", "rows"));
      stdout.println(String.format(Locale.ROOT, "%-22s %10.3f %10.3f %10d", "last-window baseline",
          e.baseline().mae(), e.baseline().rmse(), e.baseline().rows()));
      stdout.println(String.format(Locale.ROOT, "%-22s %10.3f %10.3f %10d", meta.kind() + " (v" + version + ")",
          e.model().mae(), e.model().rmse(), e.model().rows()));
      return CommandLine.ExitCode.OK;
    } catch (SchemaMismatchException e) {
      throw new UsageError(e.getMessage());
    } catch (IllegalArgumentException e) {
      throw new UsageError("--model " + model + ": " + e.getMessage());
    } catch (IOException e) {
      throw new UsageError("--model " + model + ": " + e.getMessage());
    }
  }
}
