/**
 * Test support shared by every module: {@link dev.sluice.testkit.ManualClock} and
 * {@link dev.sluice.testkit.TickingClock} for deterministic time, and
 * {@link dev.sluice.testkit.BucketInvariantChecker}, the one checker of "admitted cost never
 * exceeds burst + rate &middot; t" used by unit, property and stress tests alike.
 */
package dev.sluice.testkit;
