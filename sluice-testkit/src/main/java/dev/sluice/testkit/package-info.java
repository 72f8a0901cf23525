/**
 * Test support shared by every module: {@link dev.sluice.testkit.ManualClock} and
 * {@link dev.sluice.testkit.TickingClock} for deterministic time, and
 * {@link dev.sluice.testkit.BucketInvariantChecker}, the one checker of "admitted cost never
 * exceeds burst + rate &middot; t" used by unit, property and stress tests alike; and
 * {@link dev.sluice.testkit.RedisProcess}, a real redis-server for tests that need one.
 */
package dev.sluice.testkit;
