package dev.sluice.core;

/**
 * A snapshot of one level's bucket, for the admin API and metrics.
 *
 * @param level which level
 * @param limit its limit at the snapshot's instant
 * @param tokens whole tokens available
 * @param resetAfterNanos nanoseconds until the bucket is full with no further traffic
 */
public record LevelState(Level level, Limit limit, long tokens, long resetAfterNanos) {}
