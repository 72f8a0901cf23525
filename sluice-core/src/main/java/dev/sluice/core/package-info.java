/**
 * The in-process limiter: {@link dev.sluice.core.Limiter} enforces GCRA token buckets at the
 * client, tier and global levels, all or nothing; {@link dev.sluice.core.Limit} and
 * {@link dev.sluice.core.Rate} describe a bucket, {@link dev.sluice.core.Decision} reports an
 * outcome, {@link dev.sluice.core.CostTable} prices requests, and {@link dev.sluice.core.Clock}
 * is the only source of time. The one parser of each value syntax lives here too: {@link
 * dev.sluice.core.Rate#parse}, {@link dev.sluice.core.Durations#parse} and {@link
 * dev.sluice.core.Cidr#parse}. Depends on the JDK only.
 */
package dev.sluice.core;
