package dev.sluice.server.live;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.adaptive.PredictiveSettings;
import dev.sluice.ml.live.DemandRetrain;
import dev.sluice.ml.registry.ModelRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The periodic retrain's one run: request log → demand series → candidate, activated only when it beats. */
class RetrainingTest {

  private static final Instant START = Instant.parse("2026-12-06T10:00:00Z");

  @TempDir
  Path dir;

  /** A request log of {@code seconds} seconds whose decisions per second follow a sine. */
  private Path log(int seconds) throws Exception {
    List<String> lines = new ArrayList<>();
    for (int s = 0; s < seconds; s++) {
      int n = (int) Math.round(20 + 10 * Math.sin(s / 15.0));
      for (int i = 0; i < n; i++) {
        String ts = START.plusSeconds(s).plusMillis(i).toString();
        lines.add("{\"v\":1,\"ts\":\"" + ts + "\",\"source\":\"decision\",\"client\":\"c" + i + "\",\"tier\":\"free\","
            + "\"decision\":\"allowed\",\"cost\":1,\"status\":200}");
        // an outcome line is not demand
        lines.add("{\"v\":1,\"ts\":\"" + ts + "\",\"source\":\"feedback\",\"client\":\"c" + i + "\",\"tier\":\"free\","
            + "\"status\":200,\"upstreamMs\":5}");
      }
    }
    Path file = dir.resolve("requests.jsonl");
    Files.write(file, lines);
    return file;
  }

  @Test
  void aSecondRetrainOnTheSameLogIsRegisteredButNotActivated() throws Exception {
    Path file = log(300);
    ModelRegistry registry = ModelRegistry.open(dir.resolve("models"));
    PredictiveSettings.Retrain r = new PredictiveSettings.Retrain(Duration.ofHours(24), file.toString(), 7);
    Instant now = START.plusSeconds(3600);
    DemandRetrain.Result first = Retraining.run(registry, r, now);
    assertThat(first.activated()).isTrue();
    assertThat(first.candidateMae()).isLessThan(5); // 10 to 30 decisions a second, smooth
    DemandRetrain.Result second = Retraining.run(registry, r, now);
    assertThat(second.activated()).isFalse();
    assertThat(registry.activeVersion()).contains(first.version());
    assertThat(registry.list()).hasSize(2);
  }

  @Test
  void logsOutsideTheWindowAreNotRead() throws Exception {
    Path file = log(300);
    ModelRegistry registry = ModelRegistry.open(dir.resolve("models"));
    PredictiveSettings.Retrain r = new PredictiveSettings.Retrain(Duration.ofHours(24), file.toString(), 1);
    assertThat(Retraining.run(registry, r, START.plusSeconds(3 * 86_400))).isNull();
    assertThat(registry.list()).isEmpty();
  }
}
