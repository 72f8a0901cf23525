/**
 * Test support shared by every module: {@link dev.sluice.testkit.ManualClock} and
 * {@link dev.sluice.testkit.TickingClock} for deterministic time, and
 * {@link dev.sluice.testkit.BucketInvariantChecker}, the one checker of "admitted cost never
 * exceeds burst + rate &middot; t" used by unit, property and stress tests alike;
 * {@link dev.sluice.testkit.RedisProcess}, a real redis-server for tests that need one; and
 * {@link dev.sluice.testkit.SharedData}, which finds the evaluation data outside the repository.
 */
package dev.sluice.testkit;
