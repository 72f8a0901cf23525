package dev.sluice.cli;

import static dev.sluice.cli.CheckConfigCommandTest.sluice;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.cli.CheckConfigCommandTest.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice train} and {@code sluice evaluate} over a request log that {@code sluice simulate
 * --request-log} writes for the seed-steady-burst scenario (one seed), and their usage errors.
 */
class TrainCommandTest {

  @TempDir
  static Path shared;

  static Path log;
  static Path otherSeed;

  @BeforeAll
  static void simulate() {
    Run run = sluice("simulate", "--scenario", "../scenarios/seed-steady-burst.yaml", "--policy", "static", "--seeds",
        "2", "--out", shared.resolve("report").toString(), "--request-log", shared.resolve("logs/sim.jsonl").toString());
    assertThat(run.exitCode()).as(run.err()).isZero();
    log = shared.resolve("logs/sim-static-seed1.jsonl");
    otherSeed = shared.resolve("logs/sim-static-seed2.jsonl");
  }

  @Test
  void trainsEveryModelPrintsTheTableRegistersAndActivatesTheBest(@TempDir Path dir) throws Exception {
    Path models = dir.resolve("models");
    Run run = sluice("train", "--logs", log.toString(), "--out", models.toString(), "--window", "2s");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("sim-static-seed1.jsonl: ", " lines, ", " 0 bad", "dataset: ", "per-client rows",
        "last-window baseline", "registered version 1 (linear) in " + models, "registered version 2 (xgboost) in ",
        "registered version 3 (lstm) in ");
    assertThat(run.out()).containsPattern("(?m)^linear +\\d+\\.\\d{3} +\\d+\\.\\d{3} +\\d+ +\\d+ +\\d+\\.\\ds$")
        .containsPattern("(?m)^lstm +\\d+\\.\\d{3} +\\d+\\.\\d{3} +\\d+ +\\d+ +\\d+\\.\\ds$");
    assertThat(run.out()).containsPattern("activated version [123] \\((linear|xgboost|lstm), the lowest test MAE, no"
        + " version was active\\)|no version activated");
    assertThat(models.resolve("1/metadata.json")).isNotEmptyFile();
    assertThat(models.resolve("2/model.tribuo")).isNotEmptyFile();
    assertThat(models.resolve("3/model.lstm")).isNotEmptyFile();

    Run again = sluice("train", "--logs", log.toString(), "--out", models.toString(), "--window", "2s", "--model",
        "linear", "--activate");
    assertThat(again.exitCode()).as(again.err()).isZero();
    assertThat(again.out()).contains("registered version 4 (linear)", "activated version 4 (linear, the lowest test"
        + " MAE, --activate)");
    assertThat(Files.readAllLines(models.resolve("ACTIVE")).getFirst()).isEqualTo("4");

    Run eval = sluice("evaluate", "--logs", otherSeed.toString(), "--model", models.resolve("2").toString());
    assertThat(eval.exitCode()).as(eval.err()).isZero();
    assertThat(eval.out()).contains("model 2 (xgboost, trained on ", "per-client rows of 2 s", "last-window baseline")
        .containsPattern("(?m)^xgboost \\(v2\\) +\\d+\\.\\d{3} +\\d+\\.\\d{3} +\\d+$");

    Run active = sluice("evaluate", "--logs", otherSeed.toString(), "--model", models.toString());
    assertThat(active.exitCode()).as(active.err()).isZero();
    assertThat(active.out()).contains("model 4 (linear");
  }

  @Test
  void trainsAndEvaluatesTheLstmAlone(@TempDir Path dir) throws Exception {
    Path models = dir.resolve("models");
    Run run = sluice("train", "--logs", log.toString(), "--out", models.toString(), "--window", "2s", "--model", "lstm");

    assertThat(run.exitCode()).as(run.err()).isZero();
    assertThat(run.out()).contains("last-window baseline", "registered version 1 (lstm) in " + models)
        .containsPattern("(?m)^lstm +\\d+\\.\\d{3} +\\d+\\.\\d{3} +\\d+ +\\d+ +\\d+\\.\\ds$")
        .doesNotContain("registered version 2");
    assertThat(Files.readString(models.resolve("1/metadata.json"))).contains("\"kind\" : \"lstm\"",
        "\"name\" : \"model.lstm\"", "\"djl\" : \"0.35.1\"", "\"pytorch\" : \"2.7.1\"");

    Run eval = sluice("evaluate", "--logs", otherSeed.toString(), "--model", models.resolve("1").toString());
    assertThat(eval.exitCode()).as(eval.err()).isZero();
    assertThat(eval.out()).contains("model 1 (lstm, trained on ", "per-client rows of 2 s", "last-window baseline")
        .containsPattern("(?m)^lstm \\(v1\\) +\\d+\\.\\d{3} +\\d+\\.\\d{3} +\\d+$");

    Path meta = models.resolve("1/metadata.json");
    Files.writeString(meta, Files.readString(meta).replaceFirst("\"hash\" : \"sha256:[0-9a-f]{4}",
        "\"hash\" : \"sha256:beef"));
    Run other = sluice("evaluate", "--logs", otherSeed.toString(), "--model", models.resolve("1").toString());
    assertThat(other.exitCode()).isEqualTo(2);
    assertThat(other.err()).startsWith("evaluate: model 1 was trained on feature schema beef");
  }

  @Test
  void evaluateRefusesAModelOfAnotherSchemaOrADamagedOne(@TempDir Path dir) throws Exception {
    Path models = dir.resolve("models");
    assertThat(sluice("train", "--logs", log.toString(), "--out", models.toString(), "--window", "2s", "--model",
        "linear").exitCode()).isZero();
    Path meta = models.resolve("1/metadata.json");
    String original = Files.readString(meta);
    Files.writeString(meta, original.replaceFirst("\"hash\" : \"sha256:[0-9a-f]{4}", "\"hash\" : \"sha256:beef"));

    Run run = sluice("evaluate", "--logs", log.toString(), "--model", models.resolve("1").toString());
    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.err()).startsWith("evaluate: model 1 was trained on feature schema beef")
        .contains("but the running features are ", ": retrain with sluice train");

    Files.writeString(meta, original);
    Files.write(models.resolve("1/model.tribuo"), new byte[] {1, 2, 3});
    Run damaged = sluice("evaluate", "--logs", log.toString(), "--model", models.resolve("1").toString());
    assertThat(damaged.exitCode()).isEqualTo(2);
    assertThat(damaged.err()).contains("model.tribuo has SHA-256", "(damaged or replaced)");
  }

  @Test
  void badInputIsAUsageError(@TempDir Path dir) throws Exception {
    Path models = dir.resolve("models");
    Path empty = Files.createFile(dir.resolve("empty.jsonl"));
    Path tiny = Files.writeString(dir.resolve("tiny.jsonl"), Files.readAllLines(log).subList(0, 50).stream()
        .reduce("", (a, b) -> a + b + "\n"));
    Path file = Files.writeString(dir.resolve("a-file"), "x");
    Path text = Files.writeString(dir.resolve("notes.txt"), "hello\n");

    List<List<String>> cases = List.of(
        List.of("train", "--out", models.toString()),
        List.of("train", "--logs", dir.resolve("missing.jsonl").toString(), "--out", models.toString()),
        List.of("train", "--logs", empty.toString(), "--out", models.toString()),
        List.of("train", "--logs", text.toString(), "--out", models.toString()),
        List.of("train", "--logs", tiny.toString(), "--out", models.toString()),
        List.of("train", "--logs", log.toString(), "--out", file.resolve("models").toString()),
        List.of("train", "--logs", log.toString(), "--out", models.toString(), "--model", "forest"),
        List.of("train", "--logs", log.toString(), "--out", models.toString(), "--window", "1.5s"),
        List.of("evaluate", "--logs", log.toString(), "--model", dir.resolve("nope").toString()),
        List.of("evaluate", "--logs", log.toString(), "--model", models.toString()));
    List<String> expected = List.of(
        "Missing required option: '--logs=PATH'",
        "train: --logs " + dir.resolve("missing.jsonl") + ": no such file",
        "train: --logs empty.jsonl: empty (expected: a Sluice request log, an access log or an Azure LLM trace)",
        "train: --logs notes.txt: unrecognised format",
        "train: the logs give ",
        "train: --out " + file.resolve("models") + ": cannot write there",
        "train: --model: forest (expected: linear, xgboost, lstm or all)",
        "train: --window: 1.5s (expected: whole seconds, 1s to 1d)",
        "evaluate: --model " + dir.resolve("nope") + ": no such directory",
        "evaluate: --model " + models + ": no metadata.json and no active version");
    for (int i = 0; i < cases.size(); i++) {
      Run run = sluice(cases.get(i).toArray(String[]::new));
      assertThat(run.exitCode()).as(cases.get(i) + ": " + run.err()).isEqualTo(2);
      assertThat(run.err()).as(cases.get(i).toString()).contains(expected.get(i));
    }
  }
}
