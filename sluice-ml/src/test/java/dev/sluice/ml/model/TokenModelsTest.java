package dev.sluice.ml.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.ml.dataset.DatasetSchema;
import dev.sluice.ml.dataset.FeatureRow;
import dev.sluice.ml.dataset.TimeSplit;
import dev.sluice.ml.registry.Libraries;
import dev.sluice.ml.registry.ModelMetadata;
import dev.sluice.ml.registry.ModelRegistry;
import dev.sluice.ml.registry.NewModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link TokenModels} without any provider on the class path (sluice-ml alone, as in a {@code
 * -Dsluice.lean} jar): the Tribuo kinds only, and an {@code lstm} artifact refused with a message
 * that says what is missing.
 */
class TokenModelsTest {

  static final DatasetSchema SCHEMA = TokenRegressionTest.SCHEMA;

  @TempDir
  Path dir;

  @Test
  void withoutAProviderOnlyTheTribuoKindsAreKnown() {
    assertThat(TokenModels.kinds()).containsExactly("linear", "xgboost");
    assertThat(TokenModels.provider("lstm")).isEmpty();
  }

  @Test
  void anLstmArtifactIsRefusedWithAClearMessageWhenSluiceMlDeepIsMissing() throws Exception {
    ModelRegistry registry = ModelRegistry.open(dir);
    NewModel lstm = new NewModel("lstm", TokenRegression.TARGET, SCHEMA.hash(), SCHEMA.windowSeconds(),
        List.of("tokens"), Instant.EPOCH, Instant.EPOCH, 10, Map.of("mae", 1.0), Map.of("target_offset", "tokens"),
        Libraries.current(), "model.lstm", f -> Files.writeString(f, "weights"));
    ModelMetadata m = registry.register(lstm);

    assertThatThrownBy(() -> TokenModels.load(registry.load(m.version(), SCHEMA.hash()), SCHEMA))
        .isInstanceOf(IOException.class)
        .hasMessage("model 1: kind lstm cannot be loaded by this build (it knows linear, xgboost); the lstm needs"
            + " sluice-ml-deep, which a -Dsluice.lean build leaves out");
  }

  @Test
  void theTribuoKindsLoadThroughTheSameEntryPoint() throws Exception {
    List<FeatureRow> rows = dev.sluice.ml.dataset.DatasetBuilder.build(TokenRegressionTest.log(),
        TokenRegressionTest.OPTIONS);
    TimeSplit split = TokenRegressionTest.split(rows);
    TokenRegression.Result r = TokenRegression.train(split, SCHEMA, RegressionKind.LINEAR);
    ModelRegistry registry = ModelRegistry.open(dir);
    ModelMetadata m = registry.register(r.toNewModel());

    TokenRegressor loaded = TokenModels.load(registry.load(m.version(), SCHEMA.hash()), SCHEMA);
    assertThat(loaded.label()).isEqualTo("linear");
    assertThat(loaded.predict(split.test())).containsExactly(r.model().predict(split.test()));
  }
}
