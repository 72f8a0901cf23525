/**
 * JMH micro-benchmarks of in-process decisions: {@link dev.sluice.bench.DecisionBenchmark} measures
 * Sluice's {@link dev.sluice.core.Limiter} against Bucket4j, Guava and Resilience4j over the same
 * precomputed key draws ({@link dev.sluice.bench.Workload}) walked by per-thread cursors
 * ({@link dev.sluice.bench.Cursor}), with one limiter state class per implementation;
 * {@link dev.sluice.bench.HotPathCostBenchmark} times the pieces of a Sluice decision alone, for
 * diagnosis. Run by {@code bench/jmh.sh}; results go in {@code docs/benchmarks.md}.
 */
package dev.sluice.bench;
