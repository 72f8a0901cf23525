package dev.sluice.ml.registry;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The contents of an artifact's {@code metadata.json}, format version {@value #FORMAT_VERSION}
 * (golden file {@code sluice-ml/src/test/resources/registry/metadata-v1.json}).
 *
 * @param formatVersion the metadata format's version ({@value #FORMAT_VERSION})
 * @param version the model version: the artifact's directory name in its registry
 * @param createdAt when the registry wrote it (from the registry's injected clock)
 * @param kind the model family ({@code linear}, {@code xgboost}, or a forecaster's name)
 * @param target the column the model predicts
 * @param featureSchemaHash the {@code DatasetSchema} hash of the features it was trained on
 * @param windowSeconds the dataset's window length
 * @param features the feature names the model reads, in order
 * @param trainedFrom the first training row's window start
 * @param trainedTo the last training row's window start
 * @param trainingRows how many rows trained it
 * @param metrics evaluation figures by name, in file order
 * @param parameters model settings by name, in file order
 * @param libraries library versions by name, in file order
 * @param modelFileName the model file's name inside the artifact directory
 * @param sha256 the model file's SHA-256, 64 lower-case hex digits
 */
public record ModelMetadata(int formatVersion, String version, Instant createdAt, String kind, String target,
    String featureSchemaHash, int windowSeconds, List<String> features, Instant trainedFrom, Instant trainedTo,
    long trainingRows, Map<String, Double> metrics, Map<String, String> parameters, Map<String, String> libraries,
    String modelFileName, String sha256) {

  /** The newest metadata format this code writes and reads. */
  public static final int FORMAT_VERSION = 1;

  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

  /** Validates every field and copies the collections. */
  public ModelMetadata {
    if (formatVersion != FORMAT_VERSION) {
      throw new IllegalArgumentException("formatVersion: " + formatVersion + " (expected: " + FORMAT_VERSION + ")");
    }
    if (version == null || !ModelRegistry.VERSION.matcher(version).matches()) {
      throw new IllegalArgumentException("version: " + version + " (expected: a positive integer)");
    }
    if (createdAt == null) {
      throw new IllegalArgumentException("createdAt: null (expected: an instant)");
    }
    check(kind, target, featureSchemaHash, windowSeconds, features, trainedFrom, trainedTo, trainingRows,
        modelFileName);
    if (sha256 == null || !HEX64.matcher(sha256).matches()) {
      throw new IllegalArgumentException("sha256: " + sha256 + " (expected: 64 lower-case hex digits)");
    }
    features = List.copyOf(features);
    metrics = ordered(metrics);
    parameters = ordered(parameters);
    libraries = ordered(libraries);
  }

  /** The metadata of {@code m} registered as {@code version} at {@code createdAt}, its file hashing to {@code sha256}. */
  static ModelMetadata of(NewModel m, String version, Instant createdAt, String sha256) {
    return new ModelMetadata(FORMAT_VERSION, version, createdAt, m.kind(), m.target(), m.featureSchemaHash(),
        m.windowSeconds(), m.features(), m.trainedFrom(), m.trainedTo(), m.trainingRows(), m.metrics(), m.parameters(),
        m.libraries(), m.modelFileName(), sha256);
  }

  /** The metric {@code name}, or NaN when the artifact does not record it. */
  public double metric(String name) {
    Double v = metrics.get(name);
    return v == null ? Double.NaN : v;
  }

  /** The parameter {@code name}; throws when the artifact does not record it. */
  public String parameter(String name) {
    String v = parameters.get(name);
    if (v == null) {
      throw new IllegalArgumentException("parameter: " + name + " (expected: one of " + parameters.keySet() + ")");
    }
    return v;
  }

  /** The JSON text of {@code metadata.json}: two-space indents, fields in the documented order, a final newline. */
  public String toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("formatVersion", formatVersion);
    root.put("version", version);
    root.put("createdAt", createdAt.toString());
    root.put("kind", kind);
    root.put("target", target);
    ObjectNode schema = root.putObject("featureSchema");
    schema.put("hash", featureSchemaHash);
    schema.put("windowSeconds", windowSeconds);
    features.forEach(schema.putArray("features")::add);
    ObjectNode training = root.putObject("trainingWindow");
    training.put("first", trainedFrom.toString());
    training.put("last", trainedTo.toString());
    training.put("rows", trainingRows);
    ObjectNode m = root.putObject("metrics");
    metrics.forEach(m::put);
    ObjectNode p = root.putObject("parameters");
    parameters.forEach(p::put);
    ObjectNode l = root.putObject("libraries");
    libraries.forEach(l::put);
    ObjectNode file = root.putObject("modelFile");
    file.put("name", modelFileName);
    file.put("sha256", sha256);
    try {
      return JSON.writeValueAsString(root) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write metadata JSON", e);
    }
  }

  /**
   * Parses {@code metadata.json}.
   *
   * @throws IllegalArgumentException naming the first missing or bad field
   */
  public static ModelMetadata parse(String json) {
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("not a JSON object");
    }
    JsonNode fv = root.get("formatVersion");
    if (fv == null || !fv.isInt() || fv.asInt() < 1) {
      throw new IllegalArgumentException("formatVersion: " + fv + " (expected: a positive integer)");
    }
    if (fv.asInt() > FORMAT_VERSION) {
      throw new IllegalArgumentException("formatVersion: " + fv + " (expected: <= " + FORMAT_VERSION
          + "; written by a newer Sluice)");
    }
    JsonNode schema = object(root, "featureSchema");
    JsonNode training = object(root, "trainingWindow");
    JsonNode file = object(root, "modelFile");
    List<String> features = new ArrayList<>();
    JsonNode f = schema.get("features");
    if (f == null || !f.isArray()) {
      throw new IllegalArgumentException("featureSchema.features: " + f + " (expected: an array of names)");
    }
    f.forEach(n -> features.add(n.asText()));
    Map<String, Double> metrics = new LinkedHashMap<>();
    object(root, "metrics").properties().forEach(e -> {
      if (!e.getValue().isNumber()) {
        throw new IllegalArgumentException("metrics." + e.getKey() + ": " + e.getValue() + " (expected: a number)");
      }
      metrics.put(e.getKey(), e.getValue().asDouble());
    });
    return new ModelMetadata(fv.asInt(), text(root, "version"), instant(root, "createdAt"), text(root, "kind"),
        text(root, "target"), text(schema, "hash"), integer(schema, "windowSeconds"), features,
        instant(training, "first"), instant(training, "last"), integer(training, "rows"), metrics,
        strings(root, "parameters"), strings(root, "libraries"), text(file, "name"), text(file, "sha256"));
  }

  static void check(String kind, String target, String featureSchemaHash, int windowSeconds, List<String> features,
      Instant trainedFrom, Instant trainedTo, long trainingRows, String modelFileName) {
    if (kind == null || kind.isBlank()) {
      throw new IllegalArgumentException("kind: " + kind + " (expected: linear, xgboost or a forecaster's name)");
    }
    if (target == null || target.isBlank()) {
      throw new IllegalArgumentException("target: " + target + " (expected: a column name)");
    }
    if (featureSchemaHash == null || featureSchemaHash.isBlank()) {
      throw new IllegalArgumentException("featureSchemaHash: " + featureSchemaHash + " (expected: sha256:HEX)");
    }
    if (windowSeconds < 1) {
      throw new IllegalArgumentException("windowSeconds: " + windowSeconds + " (expected: >= 1)");
    }
    if (features == null || features.isEmpty()) {
      throw new IllegalArgumentException("features: " + features + " (expected: at least one name)");
    }
    if (trainedFrom == null || trainedTo == null || trainedTo.isBefore(trainedFrom)) {
      throw new IllegalArgumentException("trainingWindow: " + trainedFrom + " .. " + trainedTo
          + " (expected: first <= last)");
    }
    if (trainingRows < 1) {
      throw new IllegalArgumentException("trainingRows: " + trainingRows + " (expected: >= 1)");
    }
    if (modelFileName == null || !FILE_NAME.matcher(modelFileName).matches() || modelFileName.equals("metadata.json")) {
      throw new IllegalArgumentException("modelFileName: " + modelFileName
          + " (expected: a plain file name other than metadata.json)");
    }
  }

  static <V> Map<String, V> ordered(Map<String, V> m) {
    if (m == null) {
      throw new IllegalArgumentException("map: null (expected: a map, possibly empty)");
    }
    return Collections.unmodifiableMap(new LinkedHashMap<>(m));
  }

  private static JsonNode object(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isObject()) {
      throw new IllegalArgumentException(field + ": " + v + " (expected: an object)");
    }
    return v;
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual()) {
      throw new IllegalArgumentException(field + ": " + v + " (expected: a string)");
    }
    return v.asText();
  }

  private static int integer(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.canConvertToInt() || !v.isIntegralNumber()) {
      throw new IllegalArgumentException(field + ": " + v + " (expected: an integer)");
    }
    return v.asInt();
  }

  private static Instant instant(JsonNode n, String field) {
    String s = text(n, field);
    try {
      return Instant.parse(s);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(field + ": " + s + " (expected: an ISO-8601 UTC instant)");
    }
  }

  private static Map<String, String> strings(JsonNode root, String field) {
    Map<String, String> m = new LinkedHashMap<>();
    object(root, field).properties().forEach(e -> m.put(e.getKey(), e.getValue().asText()));
    return m;
  }
}
