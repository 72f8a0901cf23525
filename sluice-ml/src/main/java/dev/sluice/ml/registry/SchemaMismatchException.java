package dev.sluice.ml.registry;

/**
 * A model was trained on other features than the ones the caller computes: its feature-schema hash
 * differs from the running one. The message says which model, both hashes (shortened) and what to
 * do: {@code model 3 was trained on feature schema 9f2c1a0b… but the running features are
 * 1a7e33c2…: retrain with sluice train}.
 */
public final class SchemaMismatchException extends IllegalStateException {

  private static final long serialVersionUID = 1L;

  private final String version;
  private final String trained;
  private final String running;

  /** Describes model {@code version}, trained on schema {@code trained}, refused for {@code running}. */
  public SchemaMismatchException(String version, String trained, String running) {
    super("model " + version + " was trained on feature schema " + shortHash(trained)
        + " but the running features are " + shortHash(running) + ": retrain with sluice train");
    this.version = version;
    this.trained = trained;
    this.running = running;
  }

  /** The refused model's version. */
  public String version() {
    return version;
  }

  /** The schema hash the model was trained on. */
  public String trainedSchemaHash() {
    return trained;
  }

  /** The schema hash of the running features. */
  public String runningSchemaHash() {
    return running;
  }

  /** The first 8 hex digits of a {@code sha256:HEX} hash and an ellipsis. */
  static String shortHash(String hash) {
    String hex = hash.startsWith("sha256:") ? hash.substring(7) : hash;
    return hex.length() > 8 ? hex.substring(0, 8) + "\u2026" : hex;
  }
}
