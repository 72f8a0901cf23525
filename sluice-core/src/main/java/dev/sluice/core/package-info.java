/**
 * The in-process limiter: {@link dev.sluice.core.Limiter} enforces GCRA token buckets at the
 * client, tier and global levels, all or nothing; {@link dev.sluice.core.Limit} and
 * {@link dev.sluice.core.Rate} describe a bucket, {@link dev.sluice.core.Decision} reports an
 * outcome, {@link dev.sluice.core.CostTable} prices requests, and {@link dev.sluice.core.Clock}
 * is the only source of time. Depends on the JDK only.
 */
package dev.sluice.core;
