package dev.sluice.envoy;

import io.envoyproxy.envoy.extensions.common.ratelimit.v3.RateLimitDescriptor;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.RateLimit.Unit;
import java.util.List;

/**
 * What a descriptor of a {@code ShouldRateLimit} call names: its bucket's key, its entries as the
 * request log shows them, and the rule of its own {@code limit} override. Stateless.
 */
final class Descriptors {

  private Descriptors() {}

  /** Returns the bucket key of a descriptor: domain and entries, length-prefixed so no two collide. */
  static String bucketKey(String domain, List<RateLimitDescriptor.Entry> entries) {
    StringBuilder key = new StringBuilder(domain.length() + 16 * entries.size());
    key.append(domain.length()).append(':').append(domain);
    for (RateLimitDescriptor.Entry e : entries) {
      key.append('|').append(e.getKey().length()).append(':').append(e.getKey())
          .append('=').append(e.getValue().length()).append(':').append(e.getValue());
    }
    return key.toString();
  }

  /** Returns the descriptor's entries as {@code key=value} joined by {@code ,} (the request log's client). */
  static String entries(RateLimitDescriptor d) {
    StringBuilder out = new StringBuilder();
    for (RateLimitDescriptor.Entry e : d.getEntriesList()) {
      out.append(out.isEmpty() ? "" : ",").append(e.getKey()).append('=').append(e.getValue());
    }
    return out.toString();
  }

  /**
   * Returns the rule of a descriptor's own {@code limit}: a bucket of {@code requests_per_unit}
   * refilled at that rate per unit, or {@code null} for an unknown unit (Envoy validates it, so
   * none comes; it is treated as no limit).
   *
   * @throws IllegalArgumentException if the limit is not one a bucket can enforce
   */
  static EnvoyRule overrideRule(String domain, RateLimitDescriptor d) {
    RateLimitDescriptor.RateLimitOverride o = d.getLimit();
    Unit unit = Unit.forNumber(o.getUnitValue());
    if (unit == null || unit == Unit.UNKNOWN) {
      // Envoy validates the unit (defined_only); an unknown one is treated as no limit.
      return null;
    }
    long rpu = Integer.toUnsignedLong(o.getRequestsPerUnit());
    return new EnvoyRule(domain + ".(override)", rpu, unit, rpu, "", false, false, false, List.of(), false, false);
  }
}
