/**
 * Test support shared by every module: {@link dev.sluice.testkit.TickingClock} for deterministic
 * time under concurrency (the manual clock is {@link dev.sluice.core.ManualClock} in sluice-core);
 * {@link dev.sluice.testkit.BucketInvariantChecker}, the one checker of "admitted cost never
 * exceeds burst + rate &middot; t" used by unit, property and stress tests alike;
 * {@link dev.sluice.testkit.AbstractBucketStoreTest}, the suite every bucket store passes;
 * {@link dev.sluice.testkit.RedisProcess}, a real redis-server for tests that need one (and
 * {@link dev.sluice.testkit.RedisExtension}, one per test class);
 * {@link dev.sluice.testkit.SelfSignedPem}, a self-signed certificate for tests of TLS ports;
 * {@link dev.sluice.testkit.Conditions}, which waits for a condition with a deadline; and
 * {@link dev.sluice.testkit.SharedData}, which finds the evaluation data outside the repository.
 *
 * <p>The core's tests that need the checker, the ticking clock or the store suite (the property,
 * stress and local-store tests) live in this module's tests, not in sluice-core's, because
 * sluice-testkit depends on sluice-core and a test dependency back would be a reactor cycle.
 */
package dev.sluice.testkit;
