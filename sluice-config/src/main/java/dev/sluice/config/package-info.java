/**
 * Loads a Sluice YAML config file into the immutable records of {@code dev.sluice.core.config}:
 * {@link dev.sluice.config.ConfigLoader} reads and validates the whole file and either returns a
 * {@link dev.sluice.core.config.SluiceConfig} or throws a {@link dev.sluice.config.ConfigException}
 * listing every {@link dev.sluice.config.ConfigProblem} with its file, line and dotted field path.
 * Everything else in this package is package-private plumbing: a streaming YAML pass that keeps
 * line numbers, typed field readers, and one reader per config section.
 */
package dev.sluice.config;
