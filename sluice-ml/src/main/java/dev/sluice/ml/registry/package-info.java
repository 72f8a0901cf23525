/**
 * Versioned model artifacts on disk. An artifact is a directory holding one model file and a
 * {@code metadata.json} ({@link dev.sluice.ml.registry.ModelMetadata}: version, created-at, kind,
 * the feature schema's hash, training window, metrics, library versions and the model file's
 * SHA-256). {@link dev.sluice.ml.registry.ModelRegistry} keeps numbered artifacts side by side
 * under one directory with an {@code ACTIVE} pointer file, and lists, registers, activates, rolls
 * back and loads them; loading verifies the checksum and refuses a model whose feature schema is
 * not the running one ({@link dev.sluice.ml.registry.SchemaMismatchException}). The registry knows
 * nothing of what is inside a model file: {@code dev.sluice.ml.model} reads and writes Tribuo
 * regression models through it, other model families their own files.
 */
package dev.sluice.ml.registry;
