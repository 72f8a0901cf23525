package dev.sluice.ml.registry;

/**
 * One directory of a {@link ModelRegistry}, as {@link ModelRegistry#list()} reports it: a usable
 * artifact or a broken one.
 */
public sealed interface ModelEntry {

  /** The artifact's version: its directory name. */
  String version();

  /** Whether the registry's {@code ACTIVE} pointer names this version. */
  boolean active();

  /**
   * An artifact whose metadata parsed and whose model file matches its checksum.
   *
   * @param version the directory name
   * @param metadata the parsed {@code metadata.json}
   * @param active whether it is the active version
   */
  record Valid(String version, ModelMetadata metadata, boolean active) implements ModelEntry {}

  /**
   * A directory that is not a usable artifact (half-written, damaged, checksum mismatch).
   *
   * @param version the directory name
   * @param problem why it cannot be used
   * @param active whether {@code ACTIVE} names it all the same (a damaged active model)
   */
  record Broken(String version, String problem, boolean active) implements ModelEntry {}
}
