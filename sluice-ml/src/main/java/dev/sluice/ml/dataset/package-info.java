/**
 * Request logs to training data: {@link dev.sluice.ml.dataset.DatasetBuilder} turns requests into
 * one {@link dev.sluice.ml.dataset.FeatureRow} per group (global, each tier, each heavy client) and
 * window, with the features and targets that {@link dev.sluice.ml.dataset.DatasetSchema} names;
 * {@link dev.sluice.ml.dataset.DatasetWriter} writes them as CSV plus a JSON schema with a hash;
 * {@link dev.sluice.ml.dataset.TimeSplit} splits rows by time so no training target overlaps the
 * test part.
 */
package dev.sluice.ml.dataset;
