package dev.sluice.cli;

import static dev.sluice.cli.CheckConfigCommandTest.sluice;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.cli.CheckConfigCommandTest.Run;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code sluice forecast} over real files in a temporary directory, and its usage errors. */
class ForecastCommandTest {

  @TempDir
  Path dir;

  /** Four days of 5-minute counts with a daily cycle, as a NAB-style timestamp,value CSV (fixed seed). */
  private Path diurnalCsv() throws Exception {
    Random random = new Random(11);
    List<String> lines = new ArrayList<>(List.of("timestamp,value"));
    Instant start = Instant.parse("2014-04-10T00:00:00Z");
    for (int t = 0; t < 4 * 288; t++) {
      double mean = 100 + 60 * Math.sin(2 * Math.PI * t / 288.0);
      String ts = start.plusSeconds(300L * t).toString().replace('T', ' ').replace("Z", "");
      lines.add(ts + "," + String.format(Locale.ROOT, "%.1f", Math.max(0, mean + Math.sqrt(mean) * random.nextGaussian())));
    }
    return Files.write(dir.resolve("diurnal.csv"), lines, StandardCharsets.UTF_8);
  }

  @Test
  void writesTheTestPartTheChartAndTheMetricsForEveryModel() throws Exception {
    Path input = diurnalCsv();
    for (String model : List.of("naive", "seasonal-naive", "ewma", "holt-winters", "xgboost", "auto", "lstm")) {
      Path out = dir.resolve(model + ".csv");
      Run run = sluice("forecast", "--input", input.toString(), "--horizon", "2", "--train-fraction", "0.75",
          "--model", model, "--out", out.toString());

      assertThat(run.exitCode()).as(model + ": " + run.err()).isZero();
      assertThat(run.out()).contains("diurnal.csv: 1153 lines, 1152 records, 0 bad",
          "diurnal: 1152 windows of 300 s from 2014-04-10T00:00:00Z; train 864, test 288; horizon 2",
          "MASE ", "90 % coverage", "wrote " + out);
      List<String> csv = Files.readAllLines(out);
      assertThat(csv).hasSize(289);
      assertThat(csv.getFirst()).isEqualTo("timestamp,actual,predicted,lower,upper");
      assertThat(csv.get(1)).startsWith("2014-04-13T00:00:00Z,");
      assertThat(dir.resolve(model + ".png")).isNotEmptyFile();
    }
  }

  @Test
  void theShippedNasaTraceReproducesTheIssuesNaiveBaseline() {
    Path out = dir.resolve("nasa.csv");
    Run run = sluice("forecast", "--input", "../data/nasa-http-1995-07.counts.gz", "--window", "5m", "--model", "naive",
        "--out", out.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("7938 windows of 300 s from 1995-07-01T04:00:01Z; train 6350, test 1588",
        "naive: MAE 41.557, MAPE 32.1 %, sMAPE 24.8 %, MASE 0.412, 90 % coverage 89.7 %");
  }

  @Test
  void countsAnAccessLogPerWindowAndReportsItsBadLines() throws Exception {
    List<String> lines = new ArrayList<>();
    Random random = new Random(3);
    long t0 = Instant.parse("2015-05-17T00:00:00Z").getEpochSecond();
    for (int i = 0; i < 3000; i++) {
      long t = t0 + (long) (i * 57.6) + random.nextInt(30);
      var time = java.time.format.DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ROOT)
          .format(Instant.ofEpochSecond(t).atOffset(java.time.ZoneOffset.UTC));
      lines.add("10.0.0." + (i % 7) + " - - [" + time + "] \"GET /x HTTP/1.1\" 200 " + i
          + " \"-\" \"curl/8\"");
    }
    lines.add(1000, "a torn line");
    Path log = Files.write(dir.resolve("access.log"), lines, StandardCharsets.UTF_8);
    Path out = dir.resolve("pred.csv");

    Run run = sluice("forecast", "--input", log.toString(), "--window", "10m", "--model", "ewma", "--out", out.toString());

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("access.log: 3001 lines, 3000 records, 1 bad (first: line 1001: not an access log"
        + " line: a torn line)", "windows of 600 s from 2015-05-17T00:00:00Z", "ewma: MAE");
    assertThat(Files.readAllLines(out).getFirst()).isEqualTo("timestamp,actual,predicted,lower,upper");
  }

  @Test
  void badInputAndOptionsAreUsageErrors() throws Exception {
    Path input = diurnalCsv();
    Path junk = Files.writeString(dir.resolve("junk.txt"), "hello\n");
    String[][] cases = {
      {"--input", dir.resolve("missing.csv").toString()},
      {"--input", junk.toString()},
      {"--input", input.toString(), "--horizon", "0"},
      {"--input", input.toString(), "--train-fraction", "1.5"},
      {"--input", input.toString(), "--model", "lstn"},
      {"--input", input.toString(), "--window", "5 parsecs"},
      {"--input", input.toString(), "--window", "7m"},
      {"--input", input.toString(), "--out", dir.resolve("no/such/dir/p.csv").toString()},
    };
    String[] expected = {
      "forecast: --input " + dir.resolve("missing.csv") + ": no such file",
      "forecast: --input junk.txt: unrecognised format",
      "forecast: --horizon: 0 (expected: >= 1)",
      "forecast: --train-fraction: 1.5 (expected: 0 < F < 1)",
      "forecast: --model: lstn (expected: one of auto, naive, seasonal-naive, ewma, holt-winters, xgboost, lstm)",
      "forecast: --window: 5 parsecs (expected: a duration",
      "forecast: --input window: 420 s (expected: a multiple of the series' step, 300 s)",
      "forecast: --out " + dir.resolve("no/such/dir/p.csv") + ": cannot write there",
    };
    for (int i = 0; i < cases.length; i++) {
      List<String> args = new ArrayList<>(List.of("forecast"));
      args.addAll(List.of(cases[i]));
      if (!args.contains("--out")) {
        args.addAll(List.of("--out", dir.resolve("p.csv").toString()));
      }
      Run run = sluice(args.toArray(String[]::new));

      assertThat(run.exitCode()).as(String.join(" ", args)).isEqualTo(2);
      assertThat(run.err()).as(String.join(" ", args)).contains(expected[i]);
    }
    assertThat(dir.resolve("p.csv")).doesNotExist();
  }
}
