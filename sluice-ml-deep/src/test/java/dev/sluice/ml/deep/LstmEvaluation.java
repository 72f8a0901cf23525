package dev.sluice.ml.deep;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.ml.data.Read;
import dev.sluice.ml.data.Series;
import dev.sluice.ml.data.SeriesInputs;
import dev.sluice.ml.forecast.Backtest;
import dev.sluice.ml.forecast.BacktestResult;
import dev.sluice.ml.forecast.Forecasters;
import dev.sluice.ml.forecast.Metrics;
import dev.sluice.testkit.SharedData;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The LSTM's rows of the forecasting tables (docs/learning.md, "The LSTM forecaster"), beside naive, Holt-Winters and
 * XGBoost run in the same JVM: one step ahead, the last 20 % held out, on the NASA July 1995 trace
 * at 5 minutes (shipped in {@code data/}), NAB realAWSCloudwatch traffic series and the Azure LLM
 * arrival counts ({@code ../shared/data}). The time column is the whole backtest's wall time: two
 * fits (the calibration fit on the first 80 % of the training part, then the model on all of it)
 * and every forecast. Runs in the {@code evaluations} profile; writes each table to {@code
 * target/evaluations/}. Without the shared data it fails (SharedData), as every evaluation does.
 */
class LstmEvaluation {

  static final List<String> MODELS = List.of("naive", "ewma", "holt-winters", "xgboost", "lstm");

  @Test
  void nasaJuly1995AtFiveMinutes() throws IOException {
    Series s = SeriesInputs.read(Path.of("../data/nasa-http-1995-07.counts.gz"), 300, null,
        SeriesInputs.Measure.REQUESTS).value();

    Map<String, Metrics> table = table("nasa-july-1995-5m-lstm", List.of(s));
    StringBuilder fits = new StringBuilder("| model | one fit on the training part + every forecast, s |\n|---|---:|\n");
    for (String model : List.of("holt-winters", "xgboost", "lstm")) {
      long start = System.nanoTime();
      Forecasters.of(model).predict(s, Backtest.trainEnd(s.size(), 0.8), 1);
      fits.append(String.format(Locale.ROOT, "| %s | %.1f |%n", model, (System.nanoTime() - start) / 1e9));
    }
    Files.writeString(Path.of("target/evaluations/nasa-july-1995-5m-fit-times.md"), fits, StandardCharsets.UTF_8);
    System.out.println(fits);

    Metrics naive = table.get("nasa-http-1995-07 naive");
    Metrics lstm = table.get("nasa-http-1995-07 lstm");
    assertThat(naive.mase()).isBetween(0.411, 0.412);
    assertThat(lstm.mase()).as("the LSTM beats naive").isLessThan(naive.mase());
    assertThat(lstm.coverage()).isBetween(85.0, 95.0);
  }

  @Test
  void nabRealAwsCloudwatchTrafficSeries() throws IOException {
    List<Series> series = new ArrayList<>();
    for (String name : List.of("elb_request_count_8c0756", "ec2_network_in_257a54", "ec2_network_in_5abac7")) {
      series.add(read("nab/data/realAWSCloudwatch/" + name + ".csv", 0).value());
    }

    Map<String, Metrics> table = table("nab-realAWSCloudwatch-lstm", series);

    assertThat(table).hasSize(series.size() * MODELS.size());
  }

  @Test
  void azureLlmArrivalCounts() throws IOException {
    List<Series> series = new ArrayList<>();
    for (String name : List.of("AzureLLMInferenceTrace_code.csv", "AzureLLMInferenceTrace_conv.csv")) {
      series.add(read("azure-llm/" + name, 10).value());
    }

    Map<String, Metrics> table = table("azure-llm-10s-lstm", series);

    assertThat(table).hasSize(series.size() * MODELS.size());
  }

  private static Read<Series> read(String relative, long window) throws IOException {
    return SeriesInputs.read(SharedData.file(relative), window, null, SeriesInputs.Measure.REQUESTS);
  }

  /** Backtests every model on every series; writes and returns the table keyed "series model". */
  private static Map<String, Metrics> table(String name, List<Series> series) throws IOException {
    Map<String, Metrics> out = new LinkedHashMap<>();
    StringBuilder md = new StringBuilder("| series | model | MAE | MAPE % | sMAPE % | MASE | 90 % coverage % | time s |\n"
        + "|---|---|---:|---:|---:|---:|---:|---:|\n");
    for (Series s : series) {
      for (String model : MODELS) {
        long start = System.nanoTime();
        BacktestResult r = Backtest.run(s, Forecasters.of(model), 0.8, 1);
        double seconds = (System.nanoTime() - start) / 1e9;
        Metrics m = r.metrics();
        out.put(s.name() + " " + model, m);
        md.append(String.format(Locale.ROOT, "| %s | %s | %.3f | %.1f | %.1f | %.3f | %.1f | %.1f |%n", s.name(),
            r.model(), m.mae(), m.mape(), m.smape(), m.mase(), m.coverage(), seconds));
      }
    }
    Path dir = Files.createDirectories(Path.of("target/evaluations"));
    Files.writeString(dir.resolve(name + ".md"), md, StandardCharsets.UTF_8);
    System.out.println(md);
    return out;
  }
}
