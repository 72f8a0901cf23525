package dev.sluice.server.edge;

import dev.sluice.server.admission.Admission;
import dev.sluice.server.http.Problem;
import dev.sluice.server.http.RequestIds;
import dev.sluice.server.live.LiveConfig;
import dev.sluice.server.observe.ServerMetrics;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.net.ConnectException;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the edge answers when what stands behind it fails, which is neither the client's fault nor
 * Sluice's: 502 for an upstream that cannot be reached, closes early or answers something that is
 * not HTTP/1.1, 504 for one that exceeds {@code upstream.timeout}, 503 for a bucket store that
 * cannot decide. Each answer is a problem body with a new request id (also in {@code
 * X-Request-Id}) and no detail of the failure: the cause goes to the log at WARN with that id, at
 * most {@code --upstream-error-log-limit} lines a second ({@link Edge#upstreamErrorLog}); a
 * suppressed line is counted in {@code sluice_upstream_error_log_suppressed_total}, and its id
 * reaches the client but not the log. The upstream failures are also counted in the meters and the
 * control loop. The 500 of a bug ({@link #internal}), Sluice's own fault, is built here too, for
 * the same shape; its cause is logged at ERROR by {@link EdgeConnection#fail}. Stateless.
 */
final class Failures {

  private static final Logger log = LoggerFactory.getLogger(Failures.class);

  private Failures() {}

  /**
   * Counts and logs a proxied request's upstream that did not answer within {@code
   * upstream.timeout} ({@code latencyNanos} after a request of {@code cost} tokens was forwarded);
   * returns the 504.
   */
  static Reply timedOut(Edge edge, LiveConfig.Upstream up, String method, String route, long latencyNanos,
      int cost) {
    edge.metrics().upstreamError(ServerMetrics.UpstreamError.TIMEOUT);
    edge.upstream(latencyNanos, 504, cost);
    String id = RequestIds.next();
    warn(edge, up, method, route, id, ServerMetrics.UpstreamError.TIMEOUT,
        "no response within " + up.timeout().toMillis() + " ms", "the upstream did not answer in time");
    return Reply.problem(Problem.of(HttpResponseStatus.GATEWAY_TIMEOUT, "upstream-timeout",
        "the upstream did not answer within " + up.timeout().toMillis() + " ms"), id);
  }

  /**
   * Counts and logs a proxied request's upstream that failed before its response head ({@code
   * kind} {@code CONNECT}: it could not be reached); returns the 502.
   */
  static Reply failed(Edge edge, LiveConfig.Upstream up, String method, String route,
      ServerMetrics.UpstreamError kind, Throwable cause) {
    edge.metrics().upstreamError(kind);
    edge.upstream(-1, 502);
    String id = RequestIds.next();
    boolean connect = kind == ServerMetrics.UpstreamError.CONNECT;
    warn(edge, up, method, route, id, kind, cause,
        connect ? "the upstream could not be reached" : "the upstream failed before answering");
    return Reply.problem(Problem.of(HttpResponseStatus.BAD_GATEWAY, "upstream-unavailable",
        connect ? "the upstream could not be reached" : "the upstream did not answer properly"), id);
  }

  /** Returns how a connection to the upstream failed: {@code CONNECT} when it could not be made. */
  static ServerMetrics.UpstreamError kind(Throwable cause) {
    return cause instanceof ConnectException || cause instanceof ConnectTimeoutException
        ? ServerMetrics.UpstreamError.CONNECT : ServerMetrics.UpstreamError.OTHER;
  }

  /**
   * Counts and logs a proxied request's upstream that failed after its response head was passed on
   * ({@code cause} is null for a close): the client gets no answer, its connection is closed.
   */
  static void cutShort(Edge edge, LiveConfig.Upstream up, String method, String route, Throwable cause) {
    edge.metrics().upstreamError(ServerMetrics.UpstreamError.OTHER);
    edge.upstream(-1, 502);
    warn(edge, up, method, route, RequestIds.next(), ServerMetrics.UpstreamError.OTHER, cause,
        "the upstream response was cut short");
  }

  /**
   * Logs an upstream failure at WARN (the upstream's fault, not Sluice's) with the request id,
   * unless this second's budget of such lines is spent.
   */
  private static void warn(Edge edge, LiveConfig.Upstream up, String method, String route, String id,
      ServerMetrics.UpstreamError kind, Object cause, String message) {
    if (!log.isWarnEnabled() || !edge.upstreamErrorLog().tryLog()) {
      return;
    }
    log.atWarn().addKeyValue("event", "upstream-error").addKeyValue("requestId", id)
        .addKeyValue("kind", kind.name().toLowerCase(Locale.ROOT)).addKeyValue("upstream", up.url())
        .addKeyValue("method", method).addKeyValue("route", route)
        .addKeyValue("cause", cause == null ? "the connection closed" : String.valueOf(cause)).log(message);
  }

  /** Returns the 500 for a bug, naming {@code requestId} (the cause is logged with it). */
  static Reply internal(String requestId) {
    return Reply.problem(Problem.of(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal",
        "an unexpected error; see the server log"), requestId);
  }

  /**
   * Returns the 503 for a decision the store could not make ({@link Admission#decide} failed): a
   * generic detail and a request id for the client; the cause, which may name Redis's address, goes
   * to the log at WARN with that id while the log budget lasts (the id is not logged otherwise).
   */
  static Reply storeUnavailable(Edge edge, Throwable err) {
    String id = RequestIds.next();
    if (edge.upstreamErrorLog().tryLog()) {
      log.atWarn().addKeyValue("event", "store-unavailable")
          .addKeyValue("requestId", id).addKeyValue("cause", String.valueOf(Admission.peel(err)))
          .log("the bucket store failed");
    }
    return Reply.problem(Problem.of(HttpResponseStatus.SERVICE_UNAVAILABLE, "store-unavailable",
        "the bucket store is unavailable"), id);
  }
}
