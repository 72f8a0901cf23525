/**
 * The YAML plumbing every Sluice file reader shares: {@link dev.sluice.config.yaml.YamlReader}
 * parses text into a {@link dev.sluice.config.yaml.YamlNode} tree that knows the line of every key
 * and value, {@link dev.sluice.config.yaml.Mapping} reads a mapping field by field with types
 * checked, and {@link dev.sluice.config.yaml.Problems} collects every problem as a {@code
 * FILE:line: path: value (expected: ...)} line. The config file ({@code dev.sluice.config}) and the
 * simulator's scenario files are read through it; it is plumbing, not a stable API.
 */
package dev.sluice.config.yaml;
