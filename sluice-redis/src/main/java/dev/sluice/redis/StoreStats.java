package dev.sluice.redis;

/**
 * A snapshot of a {@link RedisBucketStore}'s counters, metrics-agnostic: the server exports
 * {@code mode} as {@code sluice_store_mode{mode}} (1 for the current mode) and {@code errors} as
 * {@code sluice_store_errors_total}.
 *
 * @param mode where decisions are made now: {@code redis}, or the {@link FailureMode} label
 * @param redisDecisions decisions answered by a script in Redis
 * @param leasedDecisions decisions answered from leased tokens alone, without a round trip
 * @param fallbackDecisions decisions answered while Redis was unreachable
 * @param errors failed or timed-out Redis calls, counted per decision (each decision of a failed
 *     batch call counts) and per heartbeat
 * @param scriptReloads {@code NOSCRIPT} replies answered by sending the script again
 * @param leaseGrants leases granted to this node
 * @param leaseReturnedTokens unused leased tokens given back to Redis
 * @param liveNodes nodes with a live heartbeat, as last seen
 * @param localDenials decisions denied without a round trip because a leased level's bucket was
 *     saturated (empty in Redis at the last top-up, the next one in flight or paced)
 */
public record StoreStats(
    String mode,
    long redisDecisions,
    long leasedDecisions,
    long fallbackDecisions,
    long errors,
    long scriptReloads,
    long leaseGrants,
    long leaseReturnedTokens,
    int liveNodes,
    long localDenials) {

  /** The counters without local denials (0), as before they were counted. */
  public StoreStats(String mode, long redisDecisions, long leasedDecisions, long fallbackDecisions, long errors,
      long scriptReloads, long leaseGrants, long leaseReturnedTokens, int liveNodes) {
    this(mode, redisDecisions, leasedDecisions, fallbackDecisions, errors, scriptReloads, leaseGrants,
        leaseReturnedTokens, liveNodes, 0);
  }
}
