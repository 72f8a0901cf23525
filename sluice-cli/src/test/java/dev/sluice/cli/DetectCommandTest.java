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

/** {@code sluice detect} over real files in a temporary directory, and its usage errors. */
class DetectCommandTest {

  @TempDir
  Path dir;

  /** 1,000 five-minute windows of noise around 100 (σ 5, fixed seed) with a spike of +60 at window 600. */
  private Path spikyCsv() throws Exception {
    Random random = new Random(7);
    List<String> lines = new ArrayList<>(List.of("timestamp,value"));
    Instant start = Instant.parse("2014-04-10T00:00:00Z");
    for (int t = 0; t < 1000; t++) {
      double v = 100 + 5 * random.nextGaussian() + (t == 600 ? 60 : 0);
      String ts = start.plusSeconds(300L * t).toString().replace('T', ' ').replace("Z", "");
      lines.add(ts + "," + String.format(Locale.ROOT, "%.2f", v));
    }
    return Files.write(dir.resolve("spiky.csv"), lines, StandardCharsets.UTF_8);
  }

  @Test
  void writesScoresAndTheChartAndFlagsTheSpikeWithEveryDetector() throws Exception {
    Path input = spikyCsv();
    for (String detector : List.of("auto", "spike", "cusum", "page-hinkley", "multiscale", "novelty")) {
      Path out = dir.resolve(detector + ".csv");
      Run run = sluice("detect", "--input", input.toString(), "--detector", detector, "--out", out.toString());

      assertThat(run.exitCode()).as(detector + ": " + run.err()).isZero();
      assertThat(run.out()).contains("spiky.csv: 1001 lines, 1000 records, 0 bad",
          "spiky: 1000 windows of 300 s from 2014-04-10T00:00:00Z; " + detector + ": ", "wrote " + out);
      List<String> csv = Files.readAllLines(out);
      assertThat(csv).hasSize(1001);
      assertThat(csv.getFirst()).isEqualTo("timestamp,value,score");
      assertThat(csv.get(1)).startsWith("2014-04-10T00:00:00Z,");
      assertThat(csv).allSatisfy(line -> assertThat(line.split(",")).hasSize(3));
      assertThat(dir.resolve(detector + ".png")).isNotEmptyFile();
      if (!detector.equals("page-hinkley") && !detector.equals("cusum")) {
        assertThat(csv.get(601)).startsWith("2014-04-12T02:00:00Z,");
        assertThat(Double.parseDouble(csv.get(601).split(",")[2])).as(detector).isGreaterThanOrEqualTo(0.5);
        assertThat(run.out()).contains("  2014-04-12T02:00:00Z value ");
      }
    }
  }

  @Test
  void aLowerThresholdFlagsMore() throws Exception {
    Path input = spikyCsv();
    Run strict = sluice("detect", "--input", input.toString(), "--detector", "spike", "--threshold", "0.9",
        "--out", dir.resolve("a.csv").toString());
    Run loose = sluice("detect", "--input", input.toString(), "--detector", "spike", "--threshold", "0.1",
        "--out", dir.resolve("b.csv").toString());
    assertThat(strict.exitCode()).isZero();
    assertThat(loose.exitCode()).isZero();
    assertThat(flagged(loose.out())).isGreaterThan(flagged(strict.out()));
  }

  private static int flagged(String out) {
    String s = out.substring(0, out.indexOf(" flagged (score"));
    return Integer.parseInt(s.substring(s.lastIndexOf(' ') + 1));
  }

  @Test
  void badInputAndOptionsExitTwoWithAReason() throws Exception {
    Path input = spikyCsv();
    Path out = dir.resolve("s.csv");
    assertThat(sluice("detect", "--input", dir.resolve("none.csv").toString(), "--out", out.toString()))
        .satisfies(r -> {
          assertThat(r.exitCode()).isEqualTo(2);
          assertThat(r.err()).contains("detect: --input " + dir.resolve("none.csv") + ": no such file");
        });
    Run bad = sluice("detect", "--input", input.toString(), "--detector", "zscore", "--out", out.toString());
    assertThat(bad.exitCode()).isEqualTo(2);
    assertThat(bad.err()).contains("detect: --detector: zscore (expected: one of auto, spike, cusum, page-hinkley, multiscale, novelty)");
    Run threshold = sluice("detect", "--input", input.toString(), "--threshold", "-3", "--out", out.toString());
    assertThat(threshold.exitCode()).isEqualTo(2);
    assertThat(threshold.err()).contains("detect: --threshold: -3.0 (expected: > 0 and <= 1)");
    Run noDir = sluice("detect", "--input", input.toString(), "--out", dir.resolve("no/such/s.csv").toString());
    assertThat(noDir.exitCode()).isEqualTo(2);
    assertThat(noDir.err()).contains(": no such directory");
    Path garbage = Files.writeString(dir.resolve("garbage.csv"), "hello\n");
    Run unreadable = sluice("detect", "--input", garbage.toString(), "--out", out.toString());
    assertThat(unreadable.exitCode()).isEqualTo(2);
    assertThat(unreadable.err()).startsWith("detect: --input ");
    assertThat(out).doesNotExist();
  }
}
