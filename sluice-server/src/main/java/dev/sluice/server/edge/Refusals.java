package dev.sluice.server.edge;

import dev.sluice.core.Decision;
import dev.sluice.server.admission.Admission;
import dev.sluice.server.http.JsonBodies;
import dev.sluice.server.http.Problem;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.util.List;

/**
 * The 4xx answers the edge gives a request it will not serve, built in one place: one it cannot
 * read (the decoder's failures), one it will not route ({@link RequestTargets#route}), a proxied one
 * it cannot decide, and the 429 of a denied one. A bad decision or feedback body is answered by
 * {@link RequestBodies}, a body over its limit by {@link Problem#tooLarge}. Stateless.
 */
final class Refusals {

  private Refusals() {}

  /** Returns the problem for a decoder failure: 414, 431, the codec's own rejections, else 400. */
  static Problem unreadable(Throwable cause, boolean head) {
    if (cause instanceof EdgeCodec.Rejected r) {
      return r.problem();
    }
    if (head && cause instanceof TooLongHttpLineException) {
      return Problem.of(HttpResponseStatus.REQUEST_URI_TOO_LONG, "uri-too-long",
          "the request line is longer than " + EdgeServer.MAX_REQUEST_LINE + " bytes");
    }
    if (head && cause instanceof TooLongHttpHeaderException) {
      return Problem.of(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "headers-too-large",
          "the header block is larger than " + EdgeServer.MAX_HEADER_BLOCK + " bytes");
    }
    return Problem.of(HttpResponseStatus.BAD_REQUEST, "http-400", "the request could not be read as HTTP/1.1");
  }

  /** Returns the 405 for {@code CONNECT}, with an empty {@code Allow}. */
  static Reply connectNotSupported() {
    Reply r = Reply.problem(Problem.of(HttpResponseStatus.METHOD_NOT_ALLOWED, "connect-not-supported",
        "CONNECT is not supported: Sluice is a reverse proxy, not a tunnel"));
    r.headers().set(HttpHeaderNames.ALLOW, ""); // no method applies to an authority-form target
    return r;
  }

  /** Returns the 400 for a request target that is neither a path nor an {@code http(s)} URI. */
  static Reply badTarget() {
    return Reply.problem(Problem.of(HttpResponseStatus.BAD_REQUEST, "bad-target",
        "the request target must be a path starting with / or an http(s) URI"));
  }

  /** Returns the 417 for an {@code Expect} other than {@code 100-continue}. */
  static Reply expectationFailed() {
    return Reply.problem(Problem.of(HttpResponseStatus.EXPECTATION_FAILED, "expectation-failed",
        "the only expectation supported is 100-continue"));
  }

  /** Returns the 405 for a method other than {@code POST} on the decision or feedback API. */
  static Reply postOnly() {
    Reply r = Reply.problem(Problem.of(HttpResponseStatus.METHOD_NOT_ALLOWED, "http-405",
        "method not allowed on this route"));
    r.headers().set(HttpHeaderNames.ALLOW, "POST");
    return r;
  }

  /** Returns the 404 for a proxied path when no upstream is configured. */
  static Reply noUpstream() {
    return Reply.problem(Problem.of(HttpResponseStatus.NOT_FOUND, "no-upstream", "no upstream is configured: this"
        + " server is a decision service (POST /v1/decisions)"));
  }

  /** Returns the 400 for a proxied request whose tier the store does not enforce ({@code why}: which). */
  static Reply unknownTier(String why) {
    return Reply.problem(new Problem(HttpResponseStatus.BAD_REQUEST, "urn:sluice:problem:unknown-tier",
        "Bad Request", "unknown tier " + why, List.of()));
  }

  /**
   * Returns the 429 for a denied request: the rate-limit fields and {@code Retry-After} ({@link
   * RateLimitHeaders#addThrottled}) and a problem naming tier, level, cost and {@code retryAfterMs};
   * a request a concurrency level denied gets {@code in-flight}, one that can never pass (its cost
   * exceeds a burst) {@code cost-exceeds-burst}, one an anomaly action denied {@code
   * abnormal-usage-detected}.
   */
  static Reply throttled(Admission.Verdict decided) {
    Decision d = decided.decision();
    HttpHeaders h = Reply.fields();
    RateLimitHeaders.addThrottled(h, decided.tier(), d);
    boolean never = d.retryAfterNanos() == Long.MAX_VALUE;
    Problem p = decided.abnormal()
        ? new Problem(HttpResponseStatus.TOO_MANY_REQUESTS, "urn:sluice:problem:abnormal-usage-detected",
            "Abnormal Usage Detected", "an anomaly response (adaptive.anomaly) throttles this client for now: "
            + "new or unproven clients share a capped rate during a flood, offenders pay a higher cost; retry in "
            + RateLimitHeaders.ceilMillis(d.retryAfterNanos()) + " ms", List.of())
        : d.reason() == Decision.Reason.IN_FLIGHT
        ? new Problem(HttpResponseStatus.TOO_MANY_REQUESTS, "urn:sluice:problem:in-flight",
            "Too Many Requests In Flight", d.describe(), List.of())
        : never
        ? new Problem(HttpResponseStatus.TOO_MANY_REQUESTS, "urn:sluice:problem:cost-exceeds-burst",
            "Request Cost Exceeds Limit", d.describe(), List.of())
        : new Problem(HttpResponseStatus.TOO_MANY_REQUESTS, "urn:sluice:problem:rate-limited",
            "Too Many Requests", d.describe(), List.of());
    return Reply.problem(p, h, g -> {
      JsonBodies.stringField(g, "tier", decided.tier());
      g.writeStringField("level", d.level().label());
      g.writeNumberField("cost", decided.cost());
      g.writeFieldName("retryAfterMs");
      if (never) {
        g.writeNull();
      } else {
        g.writeNumber(RateLimitHeaders.ceilMillis(d.retryAfterNanos()));
      }
    });
  }
}
