package dev.sluice.envoy;

import dev.sluice.envoy.RateLimitGrpcService.Result;

/**
 * What one descriptor of a {@code ShouldRateLimit} call came to, as the request log shows it.
 * Immutable.
 *
 * @param domain the request's domain, as the client sent it
 * @param knownDomain whether the running limits have {@code domain}
 * @param client the descriptor's entries, {@code key=value} joined by {@code ,}
 * @param rule the name of the rule that decided, or {@code null} (no rule, or a rule without a name)
 * @param result what the descriptor came to
 * @param hits the hits charged ({@code hits_addend}, at most {@link Integer#MAX_VALUE}); 0 for a
 *     descriptor that charged nothing
 * @param remaining whole tokens left in the bucket, or -1 without a bucket
 * @param refillRate the bucket's refill rate in tokens per second, or NaN without a bucket
 * @param burst the bucket's size in tokens, or -1 without a bucket
 */
public record EnvoyDecision(String domain, boolean knownDomain, String client, String rule, Result result,
    int hits, long remaining, double refillRate, long burst) {

  /** Requires a domain, a client and a result. */
  public EnvoyDecision {
    if (domain == null || client == null || result == null) {
      throw new IllegalArgumentException("domain, client, result: " + domain + ", " + client + ", " + result
          + " (expected: not null)");
    }
  }

  /** Returns the domain for metrics: {@code domain}, or {@link RateLimitGrpcService#UNKNOWN_DOMAIN}. */
  public String metricDomain() {
    return knownDomain ? domain : RateLimitGrpcService.UNKNOWN_DOMAIN;
  }

  /** Returns whether the answer admitted the request: every result but {@link Result#DENIED}. */
  public boolean answeredOk() {
    return result != Result.DENIED;
  }
}
