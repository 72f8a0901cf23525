package dev.sluice.ml.model;

import dev.sluice.ml.dataset.DatasetSchema;
import dev.sluice.ml.registry.LoadedArtifact;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.ServiceLoader;

/**
 * Every token regression family by its kind: the built-in {@link RegressionKind}s, then those of
 * any {@link TokenModelProvider} on the class path. Stateless.
 */
public final class TokenModels {

  private TokenModels() {}

  /**
   * Every kind that trains and loads here: {@code linear}, {@code xgboost}, then the providers' in
   * class-path order.
   */
  public static List<String> kinds() {
    List<String> all = new ArrayList<>(Arrays.stream(RegressionKind.values()).map(RegressionKind::label).toList());
    for (TokenModelProvider p : ServiceLoader.load(TokenModelProvider.class)) {
      all.addAll(p.kinds());
    }
    return List.copyOf(all);
  }

  /** The provider of {@code kind}, if one is on the class path. */
  public static Optional<TokenModelProvider> provider(String kind) {
    for (TokenModelProvider p : ServiceLoader.load(TokenModelProvider.class)) {
      if (p.kinds().contains(kind)) {
        return Optional.of(p);
      }
    }
    return Optional.empty();
  }

  /**
   * Reads the model of a verified artifact, whatever its kind.
   *
   * @throws IOException when the kind is unknown here (an {@code lstm} artifact in a build without
   *     {@code sluice-ml-deep}) or its model cannot be read
   */
  public static TokenRegressor load(LoadedArtifact artifact, DatasetSchema schema) throws IOException {
    String kind = artifact.metadata().kind();
    if (Arrays.stream(RegressionKind.values()).anyMatch(k -> k.label().equals(kind))) {
      return TokenModel.load(artifact, schema);
    }
    Optional<TokenModelProvider> p = provider(kind);
    if (p.isEmpty()) {
      throw new IOException("model " + artifact.metadata().version() + ": kind " + kind + " cannot be loaded by this"
          + " build (it knows " + String.join(", ", kinds()) + ")" + ("lstm".equals(kind)
          ? "; the lstm needs sluice-ml-deep, which a -Dsluice.lean build leaves out" : ""));
    }
    return p.get().load(artifact, schema);
  }
}
