package dev.sluice.ml.forecast;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.sluice.ml.data.Read;
import dev.sluice.ml.data.Series;
import dev.sluice.ml.data.SeriesInputs;
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
 * The forecasting tables of docs/learning.md: every forecaster, one step ahead, the last 20 % held
 * out, on the NASA July 1995 trace at 5 minutes (shipped in {@code data/}), NAB realAWSCloudwatch
 * traffic series and the Azure LLM arrival counts ({@code ../shared/data}). Runs in the {@code
 * evaluations} profile; writes each table to {@code target/evaluations/}. Without the shared data
 * it fails (SharedData), as every evaluation does.
 */
class ForecastEvaluation {

  static final List<String> MODELS = List.of("naive", "seasonal-naive", "ewma", "holt-winters", "xgboost", "auto");

  @Test
  void nasaJuly1995AtFiveMinutes() throws IOException {
    Series s = SeriesInputs.read(Path.of("../data/nasa-http-1995-07.counts.gz"), 300, null,
        SeriesInputs.Measure.REQUESTS).value();

    Map<String, Metrics> table = table("nasa-july-1995-5m", List.of(s));

    // Issue 14's measured baselines on exactly this split (MASE scaled by in-sample seasonal naive).
    assertThat(table.get("nasa-http-1995-07 naive").mase()).isCloseTo(0.4117, within(0.0005));
    assertThat(table.get("nasa-http-1995-07 naive").smape()).isCloseTo(24.8, within(0.05));
    assertThat(table.get("nasa-http-1995-07 ewma").mase()).isCloseTo(0.363, within(0.0005));
    assertThat(table.get("nasa-http-1995-07 ewma").smape()).isCloseTo(21.5, within(0.06));
    assertThat(table.get("nasa-http-1995-07 ewma").mape()).isCloseTo(41, within(0.5));
    assertThat(table.get("nasa-http-1995-07 xgboost").mase()).as("the best here").isLessThan(0.36);
    // Not a forecaster: the mean of the two neighbouring windows (one of them in the future). Even it
    // stays above the goal of 0.30 on this test part, which is why the goal is out of reach (learning.md).
    double[] y = s.values();
    int trainEnd = Backtest.trainEnd(y.length, 0.8);
    double sum = 0;
    for (int t = trainEnd; t < y.length - 1; t++) {
      sum += Math.abs(y[t] - (y[t - 1] + y[t + 1]) / 2);
    }
    double oracle = sum / (y.length - 1 - trainEnd) / Metrics.maseScale(y, trainEnd, 288);
    System.out.printf(Locale.ROOT, "NASA 5-min, neighbours' mean (look-ahead, not a forecast): MASE %.3f%n", oracle);
    assertThat(oracle).isCloseTo(0.338, within(0.001));
    for (Metrics m : table.values()) {
      assertThat(m.coverage()).isBetween(88.0, 94.0);
    }
  }

  @Test
  void nabRealAwsCloudwatchTrafficSeries() throws IOException {
    List<Series> series = new ArrayList<>();
    for (String name : List.of("elb_request_count_8c0756", "ec2_network_in_257a54", "ec2_network_in_5abac7")) {
      series.add(read("nab/data/realAWSCloudwatch/" + name + ".csv", 0).value());
    }

    Map<String, Metrics> table = table("nab-realAWSCloudwatch", series);

    assertThat(table).hasSize(series.size() * MODELS.size());
    assertThat(table.values()).allSatisfy(m -> assertThat(m.coverage()).isBetween(70.0, 100.0));
  }

  @Test
  void azureLlmArrivalCounts() throws IOException {
    List<Series> series = new ArrayList<>();
    for (String name : List.of("AzureLLMInferenceTrace_code.csv", "AzureLLMInferenceTrace_conv.csv")) {
      Read<Series> read = read("azure-llm/" + name, 10);
      assertThat(read.report().bad()).isZero();
      series.add(read.value());
    }

    Map<String, Metrics> table = table("azure-llm-10s", series);

    assertThat(table.values()).allSatisfy(m -> assertThat(m.coverage()).isBetween(70.0, 100.0));
  }

  private static Read<Series> read(String relative, long window) throws IOException {
    return SeriesInputs.read(SharedData.file(relative), window, null, SeriesInputs.Measure.REQUESTS);
  }

  /** Backtests every model on every series; writes and returns the table keyed "series model". */
  private static Map<String, Metrics> table(String name, List<Series> series) throws IOException {
    Map<String, Metrics> out = new LinkedHashMap<>();
    StringBuilder md = new StringBuilder("| series | model | MAE | MAPE % | sMAPE % | MASE | 90 % coverage % |\n"
        + "|---|---|---:|---:|---:|---:|---:|\n");
    for (Series s : series) {
      for (String model : MODELS) {
        Metrics m;
        String label;
        try {
          BacktestResult r = Backtest.run(s, Forecasters.of(model), 0.8, 1);
          m = r.metrics();
          label = r.model();
        } catch (IllegalArgumentException e) {
          md.append(String.format(Locale.ROOT, "| %s | %s | n/a: %s |||||%n", s.name(), model, e.getMessage()));
          continue;
        }
        out.put(s.name() + " " + model, m);
        md.append(String.format(Locale.ROOT, "| %s | %s | %.3f | %.1f | %.1f | %.3f | %.1f |%n", s.name(), label,
            m.mae(), m.mape(), m.smape(), m.mase(), m.coverage()));
      }
    }
    Path dir = Files.createDirectories(Path.of("target/evaluations"));
    Files.writeString(dir.resolve(name + ".md"), md, StandardCharsets.UTF_8);
    System.out.println(md);
    return out;
  }
}
