/**
 * The config model and its loader. A Sluice YAML config file is one immutable record tree: {@link
 * dev.sluice.config.SluiceConfig} with one record per section ({@code server}, {@code upstream},
 * {@code identity}, {@code tiers}, {@code global}, {@code costs}, {@code store}, and {@code
 * adaptive}, which is sluice-adaptive's {@code AdaptiveSettings} itself), each validated in its
 * compact constructor with messages of the form {@code field: value (expected: ...)}. {@link
 * dev.sluice.config.ConfigLoader} reads and validates the whole file and either returns a {@link
 * dev.sluice.config.SluiceConfig} or throws a {@link dev.sluice.config.ConfigException} listing
 * every {@link dev.sluice.config.ConfigProblem} with its file, line and dotted field path.
 * {@link dev.sluice.config.AdaptiveReader} reads an {@code adaptive} section (of a config or a
 * scenario file) straight into the controllers' records. The other section readers are
 * package-private; the YAML plumbing they share with the simulator's scenario reader is in
 * {@code dev.sluice.config.yaml}.
 */
package dev.sluice.config;
