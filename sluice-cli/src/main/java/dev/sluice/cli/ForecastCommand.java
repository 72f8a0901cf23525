package dev.sluice.cli;

import dev.sluice.core.Durations;
import dev.sluice.ml.data.Read;
import dev.sluice.ml.data.Series;
import dev.sluice.ml.data.SeriesInputs;
import dev.sluice.ml.forecast.Backtest;
import dev.sluice.ml.forecast.BacktestResult;
import dev.sluice.ml.forecast.Forecaster;
import dev.sluice.ml.forecast.Forecasters;
import dev.sluice.ml.forecast.ForecastOutput;
import dev.sluice.ml.forecast.Metrics;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.concurrent.Callable;
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
 * {@code sluice forecast --input FILE --horizon N --train-fraction F --model NAME --out PRED.csv}:
 * backtests a forecaster on the held-out tail of a series (or of a log aggregated to counts per
 * window) and writes the test part's forecasts, a PNG beside them, and the metrics.
 */
@Command(
    name = "forecast",
    mixinStandardHelpOptions = true,
    description = {
      "Forecasts a series N windows ahead from rolling origins over its held-out tail and writes"
          + " timestamp,actual,predicted,lower,upper (90 % interval) for the test part, a PNG of forecast vs"
          + " actual beside it, and prints MAE, MAPE, sMAPE, MASE and interval coverage.",
      "The input is recognised from its first line: a timestamp,value CSV, one count per line (per second;"
          + " gzip is fine), a Sluice request log, an Apache/nginx access log or an Azure LLM trace; logs are"
          + " counted per --window."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:the forecast was written", "2:bad input, option or output file"})
final class ForecastCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Option(names = "--input", required = true, paramLabel = "SERIES.csv|LOG", description = "The series or log.")
  private Path input;

  @Option(names = "--horizon", defaultValue = "1", paramLabel = "N",
      description = "Windows ahead of each forecast's origin (default: 1).")
  private int horizon;

  @Option(names = "--train-fraction", defaultValue = "0.8", paramLabel = "F",
      description = "The share of windows that train; the rest is the test part (default: 0.8).")
  private double trainFraction;

  @Option(names = "--model", defaultValue = "auto", paramLabel = "NAME",
      description = "auto, naive, seasonal-naive, ewma, holt-winters, xgboost or lstm (default: auto, the best of"
          + " naive to xgboost in a backtest inside the training part; auto leaves the costlier lstm out)."
          + " holt-winters picks its additive or multiplicative form the same way; holt-winters-additive and"
          + " holt-winters-multiplicative force one.")
  private String model;

  @Option(names = "--window", paramLabel = "DURATION",
      description = "Window to count a log in, or to sum a series into (e.g. 5m; default: a series' own step,"
          + " 1m for logs).")
  private String window;

  @Option(names = "--measure", defaultValue = "requests", paramLabel = "requests|tokens",
      description = "What to count per window in a log (default: requests).")
  private String measure;

  @Option(names = "--start", paramLabel = "INSTANT",
      description = "When line 1 of a count file begins (ISO-8601; default: 1995-07-01T04:00:01Z for"
          + " nasa-http-1995-07*, else 1970-01-01T00:00:00Z).")
  private String start;

  @Option(names = "--out", defaultValue = "forecast.csv", paramLabel = "PRED.csv",
      description = "The forecasts (default: forecast.csv); the chart goes beside it as PRED.png.")
  private Path out;

  @Override
  public Integer call() {
    // warnings only, on stderr: DJL logs its thread settings at INFO when the lstm loads PyTorch
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", SimulateCommand.LOGGING);
    }
    return UsageError.exitCode(spec, "forecast", this::run);
  }

  private int run(PrintWriter stdout) {
    if (horizon < 1) {
      throw new UsageError("--horizon: " + horizon + " (expected: >= 1)");
    }
    if (!(trainFraction > 0 && trainFraction < 1)) {
      throw new UsageError("--train-fraction: " + trainFraction + " (expected: 0 < F < 1)");
    }
    Forecaster forecaster;
    try {
      forecaster = Forecasters.of(model);
    } catch (IllegalArgumentException e) {
      String lean = model.equals("lstm") ? "; this jar was built without sluice-ml-deep (-Dsluice.lean)" : "";
      throw new UsageError("--" + e.getMessage() + lean);
    }
    long windowSeconds = windowSeconds();
    SeriesInputs.Measure what = switch (measure) {
      case "requests" -> SeriesInputs.Measure.REQUESTS;
      case "tokens" -> SeriesInputs.Measure.TOKENS;
      default -> throw new UsageError("--measure: " + measure + " (expected: requests or tokens)");
    };
    Instant startAt = startInstant();
    UsageError.requireWritableFile("--out", out);
    UsageError.requireFile("--input", input);
    Read<Series> read;
    BacktestResult result;
    try (ProgressBar bar = new ProgressBarBuilder().setTaskName("forecast").setInitialMax(3)
        .setStyle(ProgressBarStyle.ASCII).setConsumer(new ConsoleProgressBarConsumer(System.err))
        .setUpdateIntervalMillis(250).build()) {
      bar.setExtraMessage("read " + input);
      try {
        read = SeriesInputs.read(input, windowSeconds, startAt, what);
      } catch (NoSuchFileException e) {
        throw new UsageError("--input " + input + ": no such file");
      } catch (IOException e) {
        throw new UsageError("--input " + input + ": cannot read: " + e.getMessage());
      } catch (IllegalArgumentException e) {
        throw new UsageError("--input " + e.getMessage());
      }
      bar.step();
      bar.setExtraMessage("fit and backtest " + forecaster.name());
      try {
        result = Backtest.run(read.value(), forecaster, trainFraction, horizon);
      } catch (IllegalArgumentException e) {
        throw new UsageError(input + ": " + e.getMessage());
      }
      bar.step();
      bar.setExtraMessage("write " + out);
      try {
        ForecastOutput.writeCsv(result, out);
        ForecastOutput.writeChart(result, ForecastOutput.chartPath(out));
      } catch (IOException e) {
        throw new UsageError("--out " + out + ": cannot write: " + e.getMessage());
      }
      bar.step();
    }
    stdout.println(read.report().summary());
    Series s = read.value();
    stdout.println(String.format(Locale.ROOT, "%s: %d windows of %d s from %s; train %d, test %d; horizon %d",
        s.name(), s.size(), s.stepSeconds(), s.instant(0), result.trainEnd(), s.size() - result.trainEnd(), horizon));
    stdout.println(line(result.model(), result.metrics()));
    stdout.println("wrote " + out + " and " + ForecastOutput.chartPath(out));
    return CommandLine.ExitCode.OK;
  }

  /** {@code model: MAE x, MAPE y %, sMAPE z %, MASE w, 90 % coverage c %}. */
  static String line(String model, Metrics m) {
    return String.format(Locale.ROOT, "%s: MAE %.3f, MAPE %.1f %%, sMAPE %.1f %%, MASE %.3f, 90 %% coverage %.1f %%",
        model, m.mae(), m.mape(), m.smape(), m.mase(), m.coverage());
  }

  private long windowSeconds() {
    if (window == null) {
      return 0;
    }
    Duration d;
    try {
      d = Durations.parse(window);
    } catch (IllegalArgumentException e) {
      throw new UsageError("--window: " + window + " (expected: " + Durations.EXPECTED + ")");
    }
    if (d.toMillis() % 1000 != 0 || d.getSeconds() < 1) {
      throw new UsageError("--window: " + window + " (expected: whole seconds, >= 1s)");
    }
    return d.getSeconds();
  }

  private Instant startInstant() {
    if (start == null) {
      return null;
    }
    try {
      return Instant.parse(start);
    } catch (DateTimeParseException e) {
      throw new UsageError("--start: " + start + " (expected: an ISO-8601 instant such as 1995-07-01T04:00:01Z)");
    }
  }
}
