/**
 * Loads a Sluice YAML config file into the immutable records of {@code dev.sluice.core.config}:
 * {@link dev.sluice.config.ConfigLoader} reads and validates the whole file and either returns a
 * {@link dev.sluice.core.config.SluiceConfig} or throws a {@link dev.sluice.config.ConfigException}
 * listing every {@link dev.sluice.config.ConfigProblem} with its file, line and dotted field path.
 * {@link dev.sluice.config.AdaptiveReader} reads an {@code adaptive} section (of a config or a
 * scenario file) straight into the controllers' records. The other section readers are
 * package-private; the YAML plumbing they share with the simulator's scenario reader is in
 * {@code dev.sluice.config.yaml}.
 */
package dev.sluice.config;
