package dev.sluice.envoy;

import dev.sluice.core.Limit;
import dev.sluice.core.Rate;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.RateLimit.Unit;
import java.time.Duration;
import java.util.List;

/**
 * One {@code rate_limit} of an envoyproxy/ratelimit config, at the descriptor path {@code fullKey}
 * ({@code domain.key_value.key}, their stats key). Sluice enforces it as a token bucket per
 * distinct descriptor: refilled at {@code requestsPerUnit} per {@code unit}, holding at most
 * {@code requestsPerUnit} tokens (unless {@code burst} says otherwise), instead of their fixed
 * window per unit.
 *
 * @param fullKey the descriptor path, also the bucket tier's name
 * @param requestsPerUnit tokens per unit; 0 refuses everything (as their 0 does)
 * @param unit the unit; {@link Unit#UNKNOWN} only when {@code unlimited}
 * @param burst the bucket's size (Sluice's own {@code burst} key; {@code requestsPerUnit} otherwise)
 * @param name the limit's name, which other limits' {@code replaces} refer to; empty for none
 * @param unlimited never limited: OK with the largest remaining count
 * @param shadowMode counted, but always answered OK
 * @param quotaMode over this limit makes the request over only when every quota limit is over
 * @param replaces names of limits this one switches off when both match one request
 * @param detailedMetric their per-value stats flag; accepted, stats are Sluice's own
 * @param adaptive Sluice's own {@code rate_limit.adaptive}: the bucket's rate follows the factor
 *     the adaptive control loop applies to the edge's rates ({@link EnvoyLimits#spec(double)})
 */
public record EnvoyRule(String fullKey, long requestsPerUnit, Unit unit, long burst, String name,
    boolean unlimited, boolean shadowMode, boolean quotaMode, List<String> replaces, boolean detailedMetric,
    boolean adaptive) {

  /** Validates and copies. */
  public EnvoyRule {
    if (fullKey == null || fullKey.isBlank()) {
      throw new IllegalArgumentException("full key: blank (expected: domain.key_value...)");
    }
    if (requestsPerUnit < 0 || requestsPerUnit > 0xFFFF_FFFFL) {
      throw new IllegalArgumentException("requests_per_unit: " + requestsPerUnit + " (expected: 0..4294967295)");
    }
    if (!unlimited && (unit == null || unit == Unit.UNKNOWN || unit == Unit.UNRECOGNIZED)) {
      throw new IllegalArgumentException("unit: " + unit + " (expected: second, minute, hour, day, week, month or year)");
    }
    if (burst < 0) {
      throw new IllegalArgumentException("burst: " + burst + " (expected: >= 1)");
    }
    name = name == null ? "" : name;
    if (adaptive && unlimited) {
      throw new IllegalArgumentException("adaptive: true on an unlimited limit (expected: a limited one)");
    }
    replaces = List.copyOf(replaces);
    if (!unlimited && requestsPerUnit > 0) {
      if (burst < 1) {
        throw new IllegalArgumentException("burst: " + burst + " (expected: >= 1)");
      }
      if (requestsPerUnit > lengthOf(unit).toNanos() / 1_000_000_000L * Rate.MAX_PER_SECOND) {
        throw new IllegalArgumentException("requests_per_unit: " + requestsPerUnit + " per " + unit
            + " (expected: at most " + Rate.MAX_PER_SECOND + " per second)");
      }
    }
  }

  /** Returns the length of {@code unit} as envoyproxy/ratelimit counts it (a month is 30 days, a year 365). */
  public static Duration lengthOf(Unit unit) {
    return switch (unit) {
      case SECOND -> Duration.ofSeconds(1);
      case MINUTE -> Duration.ofMinutes(1);
      case HOUR -> Duration.ofHours(1);
      case DAY -> Duration.ofDays(1);
      case WEEK -> Duration.ofDays(7);
      case MONTH -> Duration.ofDays(30);
      case YEAR -> Duration.ofDays(365);
      default -> throw new IllegalArgumentException("unit: " + unit + " (expected: second..year)");
    };
  }

  /** Returns whether this rule has a bucket: neither unlimited nor a limit of 0. */
  public boolean bucketed() {
    return !unlimited && requestsPerUnit > 0;
  }

  /** Returns the bucket of a {@link #bucketed} rule: {@code burst} tokens, {@code requestsPerUnit} per unit. */
  public Limit limit() {
    return Limit.of(burst, new Rate(requestsPerUnit, lengthOf(unit).toNanos()));
  }

  /**
   * Returns the bucket of a {@link #bucketed} rule with its rate scaled by {@code factor} when it
   * is {@link #adaptive} (burst unchanged; the rate at most {@link Rate#MAX_PER_SECOND} per
   * second), else {@link #limit()}.
   */
  public Limit limit(double factor) {
    Limit configured = limit();
    if (!adaptive || factor == 1) {
      return configured;
    }
    double most = Rate.MAX_PER_SECOND / configured.rate().perSecond();
    return Limit.of(burst, configured.rate().times(Math.min(factor, most)));
  }
}
