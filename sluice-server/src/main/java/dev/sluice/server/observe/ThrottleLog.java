package dev.sluice.server.observe;

import dev.sluice.core.Clock;
import dev.sluice.core.Decision;
import io.micrometer.core.instrument.Counter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs throttle events as structured records on the {@code dev.sluice.server.throttle} logger, at
 * most {@code perSecond} of them per second; the rest are counted in {@code
 * sluice_throttle_log_suppressed_total}, so a flood of denials cannot flood the log. Thread-safe.
 *
 * <p>Each event is logged at INFO with the message {@code throttled} and the key-value pairs
 * {@code client}, {@code tier}, {@code method}, {@code route}, {@code cost}, {@code deniedBy} (the level that denied),
 * {@code remaining}, {@code retryAfterMs} (absent when the request can never pass) and {@code
 * reason}; the JSON encoder adds the timestamp.
 */
public final class ThrottleLog {

  private static final Logger log = LoggerFactory.getLogger("dev.sluice.server.throttle");

  private final LogBudget budget;

  public ThrottleLog(Clock clock, long perSecond, Counter suppressed) {
    this.budget = new LogBudget("throttle log limit", clock, perSecond, suppressed);
  }

  /** Logs one denied request, unless this second's budget is spent. */
  public void throttled(String client, String tier, String method, String route, int cost, Decision d) {
    if (!log.isInfoEnabled()) {
      return;
    }
    if (!budget.tryLog()) {
      return;
    }
    var event = log.atInfo()
        .addKeyValue("event", "throttle")
        .addKeyValue("client", client)
        .addKeyValue("tier", tier)
        .addKeyValue("method", method)
        .addKeyValue("route", route)
        .addKeyValue("cost", cost)
        .addKeyValue("deniedBy", d.level().label())
        .addKeyValue("remaining", d.remaining())
        .addKeyValue("reason", d.reason().name().toLowerCase(java.util.Locale.ROOT));
    if (d.retryAfterNanos() != Long.MAX_VALUE) {
      event = event.addKeyValue("retryAfterMs", ceilMillis(d.retryAfterNanos()));
    }
    event.log("throttled");
  }

  /** Returns {@code nanos} in whole milliseconds, rounded up as the 429 and the decision API round it. */
  private static long ceilMillis(long nanos) {
    return nanos <= 0 ? 0 : Math.ceilDiv(nanos, 1_000_000L);
  }
}
