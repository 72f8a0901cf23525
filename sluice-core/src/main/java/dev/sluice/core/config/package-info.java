/**
 * The immutable config model: one record per section of the YAML file ({@code server},
 * {@code upstream}, {@code identity}, {@code tiers}, {@code global}, {@code costs},
 * {@code adaptive}), each validated in its compact constructor with messages of the form
 * {@code field: value (expected: ...)}. Parsing the file lives in {@code sluice-config}; these
 * records carry no I/O.
 */
package dev.sluice.core.config;
