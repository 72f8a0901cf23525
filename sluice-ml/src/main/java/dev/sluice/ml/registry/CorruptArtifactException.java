package dev.sluice.ml.registry;

import java.io.IOException;

/**
 * An artifact directory cannot be used: its {@code metadata.json} is missing or unreadable, or its
 * model file is missing or does not match the checksum the metadata records (a half-written or
 * damaged artifact). {@link ModelRegistry#list()} reports such directories as {@link
 * ModelEntry.Broken} instead of throwing.
 */
public final class CorruptArtifactException extends IOException {

  private static final long serialVersionUID = 1L;

  /** Describes what is wrong, starting with the artifact's directory. */
  public CorruptArtifactException(String message) {
    super(message);
  }
}
