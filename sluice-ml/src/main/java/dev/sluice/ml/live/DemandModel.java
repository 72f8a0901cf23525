package dev.sluice.ml.live;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.sluice.adaptive.DemandForecaster;
import dev.sluice.ml.forecast.OnlineForecasters;
import dev.sluice.ml.registry.LoadedArtifact;
import dev.sluice.ml.registry.Libraries;
import dev.sluice.ml.registry.ModelMetadata;
import dev.sluice.ml.registry.ModelRegistry;
import dev.sluice.ml.registry.NewModel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Instant;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A registry artifact the {@code predictive} controller can run as {@code forecaster: model}: damped
 * Holt with smoothing parameters fitted offline on a demand series (tokens per second per window),
 * the training distribution's deciles for drift, and its backtest MAE. Stateless.
 *
 * <p>Its feature schema is one column, the window's demand ({@link #SCHEMA_HASH}); a registry
 * model trained on other features (the token regressions of {@code sluice train}) is refused by
 * {@link ModelRegistry#load} with a schema mismatch. The model file {@value #FILE_NAME} holds the
 * parameters as JSON: {@code {"alpha": a, "beta": b, "gamma": 0, "phi": p}}.
 */
public final class DemandModel {

  /** The kind in the metadata. */
  public static final String KIND = "demand-holt";
  /** The target in the metadata. */
  public static final String TARGET = "demand_next";
  /** The model file's name. */
  public static final String FILE_NAME = "demand.json";
  /** The one feature. */
  public static final String FEATURE = "demand";
  /** The share of a series the parameters are fitted on; the rest is the backtest. */
  public static final double TRAIN_FRACTION = 0.8;
  /** The hash of the one-column feature schema the live controller computes. */
  public static final String SCHEMA_HASH = hash("sluice demand schema v1: demand tokens per second, per window");

  private static final ObjectMapper JSON = new ObjectMapper();

  private DemandModel() {}

  /**
   * A trained demand model, ready to register.
   *
   * @param params {α, β, γ, φ}
   * @param backtestMae its one-step MAE on the held-out tail
   * @param model what {@link ModelRegistry#register} takes
   */
  public record Trained(double[] params, double backtestMae, NewModel model) {}

  /**
   * Fits a model on the first {@link #TRAIN_FRACTION} of {@code series} and backtests it on the rest.
   *
   * @param series demand per window, tokens per second, oldest first (at least 50 windows)
   * @param windowSeconds the window's length
   * @param from the first window's start
   */
  public static Trained train(double[] series, int windowSeconds, Instant from) {
    if (series.length < 50) {
      throw new IllegalArgumentException("series: " + series.length + " windows (expected: >= 50)");
    }
    int split = split(series);
    double[] params = OnlineForecasters.fitHolt(series, split);
    double mae = OnlineForecasters.holtMae(series, params, split);
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("backtest_mae", mae);
    metrics.put("backtest_windows", (double) (series.length - split));
    Map<String, String> parameters = new LinkedHashMap<>();
    parameters.put("alpha", Double.toString(params[0]));
    parameters.put("beta", Double.toString(params[1]));
    parameters.put("phi", Double.toString(params[3]));
    parameters.put("deciles", deciles(Arrays.copyOf(series, split)));
    ObjectNode file = JSON.createObjectNode().put("alpha", params[0]).put("beta", params[1]).put("gamma", params[2])
        .put("phi", params[3]);
    Instant to = from.plusSeconds((long) windowSeconds * (split - 1));
    NewModel m = new NewModel(KIND, TARGET, SCHEMA_HASH, windowSeconds, List.of(FEATURE), from, to, split, metrics,
        parameters, Libraries.current(), FILE_NAME,
        path -> Files.writeString(path, JSON.writeValueAsString(file), StandardCharsets.UTF_8));
    return new Trained(params, mae, m);
  }

  /** The first window of the backtest. */
  public static int split(double[] series) {
    return (int) (series.length * TRAIN_FRACTION);
  }

  /** Returns the parameters in a loaded artifact's model file. */
  public static double[] params(LoadedArtifact a) throws IOException {
    JsonNode n = JSON.readTree(Files.readString(a.modelFile(), StandardCharsets.UTF_8));
    for (String k : List.of("alpha", "beta", "gamma", "phi")) {
      if (!n.path(k).isNumber()) {
        throw new IOException(a.modelFile() + ": " + k + " missing (expected: a number)");
      }
    }
    return new double[] {n.get("alpha").asDouble(), n.get("beta").asDouble(), n.get("gamma").asDouble(),
        n.get("phi").asDouble()};
  }

  /** Returns the forecaster of a loaded artifact, reporting its registry version. */
  public static DemandForecaster forecaster(LoadedArtifact a) throws IOException {
    return OnlineForecasters.holt(params(a), a.metadata().version());
  }

  /** Returns the training deciles in {@code m}'s parameters, or {@code null} when it has none. */
  public static double[] deciles(ModelMetadata m) {
    String d = m.parameters().get("deciles");
    if (d == null || d.isBlank()) {
      return null;
    }
    return Arrays.stream(d.split(",")).mapToDouble(Double::parseDouble).toArray();
  }

  private static String deciles(double[] sample) {
    double[] s = sample.clone();
    Arrays.sort(s);
    StringBuilder b = new StringBuilder();
    for (int i = 0; i <= 10; i++) {
      b.append(i == 0 ? "" : ",").append(s[Math.min(s.length - 1, i * s.length / 10)]);
    }
    return b.toString();
  }

  private static String hash(String text) {
    try {
      byte[] d = java.security.MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return "sha256:" + HexFormat.of().formatHex(d);
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
