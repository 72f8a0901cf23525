package dev.sluice.ml.registry;

import java.nio.file.Path;

/**
 * An artifact that passed {@link ModelRegistry#load}'s checks: the model file exists, matches its
 * checksum, and was trained on the expected feature schema. Reading the model file is the model
 * family's business ({@code dev.sluice.ml.model.TokenModel#load} for Tribuo regression).
 *
 * @param metadata the artifact's metadata
 * @param modelFile the verified model file
 */
public record LoadedArtifact(ModelMetadata metadata, Path modelFile) {}
