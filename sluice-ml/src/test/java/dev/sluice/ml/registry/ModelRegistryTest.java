package dev.sluice.ml.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry over a real temporary directory: numbering, activation, rollback, broken artifacts, refusals. */
class ModelRegistryTest {

  static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");
  static final String HASH = "sha256:9f2c1a0b" + "0".repeat(56);
  static final String OTHER = "sha256:1a7e33c2" + "f".repeat(56);

  @TempDir
  Path dir;

  static NewModel model(String kind, String bytes) {
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("mae", 1.25);
    return new NewModel(kind, "tokens_next", HASH, 10, List.of("count", "tokens"), NOW.minusSeconds(3600),
        NOW.minusSeconds(600), 42, metrics, Map.of("target_offset", "tokens"), Map.of("tribuo", "4.3.2"), "model.bin",
        f -> Files.writeString(f, bytes));
  }

  ModelRegistry open() throws Exception {
    return ModelRegistry.open(dir, InstantSource.fixed(NOW));
  }

  @Test
  void registersNumberedVersionsWithoutActivatingThem() throws Exception {
    ModelRegistry r = open();
    ModelMetadata one = r.register(model("linear", "a"));
    ModelMetadata two = r.register(model("xgboost", "b"));

    assertThat(one.version()).isEqualTo("1");
    assertThat(two.version()).isEqualTo("2");
    assertThat(one.createdAt()).isEqualTo(NOW);
    assertThat(one.sha256()).isEqualTo("ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb");
    assertThat(r.activeVersion()).isEmpty();
    assertThat(r.list()).containsExactly(new ModelEntry.Valid("1", one, false), new ModelEntry.Valid("2", two, false));
    assertThat(Files.readString(dir.resolve("2/model.bin"))).isEqualTo("b");
    assertThat(ModelMetadata.parse(Files.readString(dir.resolve("2/metadata.json")))).isEqualTo(two);
    try (var files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString()).sorted().toList()).as("no temporary files left")
          .containsExactly("1", "2");
    }
  }

  @Test
  void activatesAndRollsBackThroughTheActivePointer() throws Exception {
    ModelRegistry r = open();
    for (int i = 0; i < 3; i++) {
      r.register(model("linear", "m" + i));
    }
    r.activate("1");
    r.activate("3");
    r.activate("3");
    assertThat(r.active().orElseThrow().version()).isEqualTo("3");
    assertThat(Files.readString(dir.resolve("ACTIVE"))).isEqualTo("3\n1\n");
    assertThat(r.list()).extracting(ModelEntry::active).containsExactly(false, false, true);

    assertThat(r.rollback().version()).isEqualTo("1");
    assertThat(open().activeVersion()).as("a new instance reads the pointer").contains("1");
    assertThatThrownBy(r::rollback).isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("version 1 is the only one ever activated");
    assertThatThrownBy(() -> r.activate("9")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("version: 9 (expected: one of [1, 2, 3])");
    assertThatThrownBy(() -> r.activate("../1")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void brokenArtifactsAreListedWithTheReasonAndCannotBeActivated() throws Exception {
    ModelRegistry r = open();
    r.register(model("linear", "good"));
    r.register(model("linear", "tampered"));
    Files.writeString(dir.resolve("2/model.bin"), "changed");
    Files.createDirectory(dir.resolve("3"));
    Files.createDirectory(dir.resolve("4"));
    Files.writeString(dir.resolve("4/metadata.json"), "{\"formatVersion\": 1, \"vers");
    Files.createDirectory(dir.resolve("notes"));

    List<ModelEntry> list = r.list();
    assertThat(list).extracting(ModelEntry::version).containsExactly("1", "2", "3", "4");
    assertThat(list.get(0)).isInstanceOf(ModelEntry.Valid.class);
    assertThat(((ModelEntry.Broken) list.get(1)).problem()).contains("model.bin has SHA-256", "(damaged or replaced)");
    assertThat(((ModelEntry.Broken) list.get(2)).problem()).endsWith("no metadata.json (half-written or not an artifact)");
    assertThat(((ModelEntry.Broken) list.get(3)).problem()).contains("metadata.json: not JSON");
    assertThatThrownBy(() -> r.activate("2")).isInstanceOf(CorruptArtifactException.class);
    assertThatThrownBy(() -> r.load("3", HASH)).isInstanceOf(CorruptArtifactException.class);
    assertThat(r.register(model("linear", "next")).version()).as("numbers of broken dirs are not reused").isEqualTo("5");
  }

  @Test
  void loadingRefusesAnotherFeatureSchemaWithAClearMessage() throws Exception {
    ModelRegistry r = open();
    r.register(model("linear", "a"));
    r.register(model("linear", "b"));
    r.register(model("linear", "c"));

    assertThat(r.load("3", HASH).modelFile()).isEqualTo(dir.resolve("3/model.bin"));
    assertThatThrownBy(() -> r.load("3", OTHER)).isInstanceOf(SchemaMismatchException.class)
        .hasMessage("model 3 was trained on feature schema 9f2c1a0b\u2026 but the running features are 1a7e33c2\u2026:"
            + " retrain with sluice train");
    assertThat(r.loadActive(HASH)).isEmpty();
  }

  @Test
  void aFailingWriterLeavesNothingBehind() throws Exception {
    ModelRegistry r = open();
    NewModel good = model("linear", "x");
    NewModel failing = new NewModel("linear", "tokens_next", HASH, 10, good.features(), good.trainedFrom(),
        good.trainedTo(), 42, good.metrics(), good.parameters(), good.libraries(), "model.bin", f -> {
          throw new java.io.IOException("disk full");
        });
    assertThatThrownBy(() -> r.register(failing)).hasMessage("disk full");
    try (var files = Files.list(dir)) {
      assertThat(files.toList()).isEmpty();
    }
  }

  @Test
  void threadsOfOneProcessGetDistinctVersions() throws Exception {
    ModelRegistry r = open();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<ModelMetadata>> f = new ArrayList<>();
      for (int i = 0; i < 16; i++) {
        String body = "m" + i;
        f.add(pool.submit(() -> {
          ModelMetadata m = r.register(model("linear", body));
          r.activate(m.version());
          return m;
        }));
      }
      List<String> versions = new ArrayList<>();
      for (Future<ModelMetadata> x : f) {
        versions.add(x.get().version());
      }
      assertThat(versions).doesNotHaveDuplicates().hasSize(16);
    } finally {
      pool.shutdown();
    }
    assertThat(r.list()).hasSize(16).allMatch(e -> e instanceof ModelEntry.Valid);
    assertThat(r.history()).hasSize(16);
  }

  @Test
  void theMetadataFormatMatchesItsGoldenFile() throws Exception {
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("mae", 3.5);
    metrics.put("rmse", 5.25);
    metrics.put("baseline_mae", 4.0);
    Map<String, String> parameters = new LinkedHashMap<>();
    parameters.put("target_offset", "tokens");
    parameters.put("target_scale", "12.5");
    Map<String, String> libraries = new LinkedHashMap<>();
    libraries.put("tribuo", "4.3.2");
    libraries.put("xgboost4j", "1.6.2");
    libraries.put("java", "25.0.1+8-LTS");
    ModelMetadata m = new ModelMetadata(1, "3", NOW, "xgboost", "tokens_next", HASH, 10, List.of("count", "tokens"),
        Instant.parse("2026-01-01T00:00:00Z"), Instant.parse("2026-01-01T00:47:50Z"), 5740, metrics, parameters,
        libraries, "model.tribuo", "ab".repeat(32));
    String golden = new String(getClass().getResourceAsStream("/registry/metadata-v1.json").readAllBytes(),
        StandardCharsets.UTF_8);

    assertThat(m.toJson()).isEqualTo(golden);
    assertThat(ModelMetadata.parse(golden)).isEqualTo(m);
    assertThatThrownBy(() -> ModelMetadata.parse(golden.replace("\"formatVersion\" : 1", "\"formatVersion\" : 2")))
        .hasMessageContaining("written by a newer Sluice");
  }
}
