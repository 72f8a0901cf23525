package dev.sluice.server;

import com.linecorp.armeria.client.ClientRequestContext;
import com.linecorp.armeria.client.ClientRequestContextCaptor;
import com.linecorp.armeria.client.Clients;
import com.linecorp.armeria.client.ResponseTimeoutException;
import com.linecorp.armeria.client.UnprocessedRequestException;
import com.linecorp.armeria.common.ContentTooLargeException;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.RequestHeaders;
import com.linecorp.armeria.common.RequestHeadersBuilder;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.ResponseHeadersBuilder;
import com.linecorp.armeria.common.logging.RequestLog;
import com.linecorp.armeria.common.util.Exceptions;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.sluice.core.Decision;
import io.netty.util.AsciiString;
import java.net.InetAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The reverse proxy: identifies the client, decides, and either answers 429 or forwards the
 * request (method, path, query, headers and streamed body) to the upstream, adding {@code
 * RateLimit} fields to the upstream's response. Hop-by-hop headers (RFC 9110 section 7.6.1, and
 * any named in {@code Connection}) are dropped in both directions and {@code X-Forwarded-For},
 * {@code -Proto} and {@code -Host} are set. An upstream that refuses the connection answers 502,
 * one that exceeds {@code upstream.timeout} answers 504, both with problem bodies. Every forwarded
 * request's latency and status go to {@link UpstreamSignals} and the meters. Runs on the event
 * loop and never blocks.
 */
final class ProxyService implements HttpService {

  private static final List<AsciiString> HOP_BY_HOP = List.of(HttpHeaderNames.CONNECTION,
      HttpHeaderNames.KEEP_ALIVE, AsciiString.cached("proxy-connection"), HttpHeaderNames.PROXY_AUTHENTICATE,
      HttpHeaderNames.PROXY_AUTHORIZATION, HttpHeaderNames.TE, HttpHeaderNames.TRAILER,
      HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.UPGRADE);
  private static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
  private static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
  private static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");

  private final Edge edge;

  ProxyService(Edge edge) {
    this.edge = edge;
  }

  @Override
  public HttpResponse serve(ServiceRequestContext ctx, HttpRequest req) {
    LiveConfig.Snapshot snap = edge.config().current();
    LiveConfig.Upstream up = snap.upstream();
    if (up == null) {
      return Problem.of(HttpStatus.NOT_FOUND, "no-upstream", "no upstream is configured: this server is a"
          + " decision service (POST /v1/decisions)").toResponse();
    }
    RequestHeaders headers = req.headers();
    InetAddress remote = ctx.remoteAddress().getAddress();
    String key;
    String tier;
    try {
      key = snap.identity().clientKey(headers, remote);
      tier = snap.identity().tier(key, headers);
    } catch (BadRequestException e) {
      return e.problem().toResponse();
    }
    if (!edge.limiter().spec().tiers().containsKey(tier)) {
      return new Problem(HttpStatus.BAD_REQUEST, "urn:sluice:problem:unknown-tier", "Bad Request",
          "unknown tier \"" + tier + "\" (expected: one of " + edge.limiter().spec().tiers().keySet() + ")",
          List.of()).toResponse();
    }
    String method = headers.method().name();
    String route = ctx.path();
    int cost = edge.limiter().costOf(method, route);
    if (edge.store() == null) {
      return admitOrThrottle(ctx, req, up, remote, key, method, route, cost, edge.decide(key, tier, cost));
    }
    // A shared store answers asynchronously; the request is forwarded from its event loop.
    return HttpResponse.of(edge.decideAsync(key, tier, cost).handleAsync((decided, err) -> err == null
        ? admitOrThrottle(ctx, req, up, remote, key, method, route, cost, decided)
        : Problem.of(HttpStatus.SERVICE_UNAVAILABLE, "store-unavailable",
            "the bucket store failed: " + Exceptions.peel(err)).toResponse(), ctx.eventLoop()));
  }

  private HttpResponse admitOrThrottle(ServiceRequestContext ctx, HttpRequest req, LiveConfig.Upstream up,
      InetAddress remote, String key, String method, String route, int cost, Edge.Decided decided) {
    RequestHeaders headers = req.headers();
    Decision d = decided.decision();
    boolean logIt = edge.logRequest();
    if (!d.allowed()) {
      edge.throttleLog().throttled(key, decided.tier(), method, route, cost, d);
      if (logIt) {
        logWhenDone(ctx, null, key, decided, method, route, cost);
      }
      return throttled(decided, cost);
    }
    HttpRequest forwarded = req.withHeaders(forwardHeaders(ctx, headers, up, remote));
    HttpResponse res;
    ClientRequestContext cctx;
    try (ClientRequestContextCaptor captor = Clients.newContextCaptor()) {
      res = up.client().execute(forwarded);
      cctx = captor.getOrNull();
    }
    if (cctx != null) {
      cctx.log().whenComplete().thenAccept(this::recordUpstream);
    }
    if (logIt) {
      logWhenDone(ctx, cctx, key, decided, method, route, cost);
    }
    return res.mapHeaders(h -> responseHeaders(h, decided))
        .recover(cause -> upstreamFailure(cause, decided));
  }

  private static HttpResponse throttled(Edge.Decided decided, int cost) {
    Decision d = decided.decision();
    ResponseHeadersBuilder h = ResponseHeaders.builder(HttpStatus.TOO_MANY_REQUESTS);
    RateLimitHeaders.addThrottled(h, decided.tier(), d);
    boolean never = d.retryAfterNanos() == Long.MAX_VALUE;
    StringBuilder extra = new StringBuilder(96);
    extra.append(",\"tier\":");
    Json.string(extra, decided.tier());
    extra.append(",\"level\":\"").append(d.level().label()).append('"');
    extra.append(",\"cost\":").append(cost);
    extra.append(",\"retryAfterMs\":").append(never ? "null" : Long.toString(RateLimitHeaders.ceilMillis(d.retryAfterNanos())));
    Problem p = never
        ? new Problem(HttpStatus.TOO_MANY_REQUESTS, "urn:sluice:problem:cost-exceeds-burst",
            "Request Cost Exceeds Limit", d.describe(), List.of())
        : new Problem(HttpStatus.TOO_MANY_REQUESTS, "urn:sluice:problem:rate-limited",
            "Too Many Requests", d.describe(), List.of());
    return p.toAggregated(h, extra.toString()).toHttpResponse();
  }

  private static RequestHeaders forwardHeaders(ServiceRequestContext ctx, RequestHeaders in,
      LiveConfig.Upstream up, InetAddress remote) {
    RequestHeadersBuilder b = in.toBuilder();
    stripHopByHop(b, in.get(HttpHeaderNames.CONNECTION));
    String original = in.authority();
    b.path(up.basePath() + ctx.request().path());
    b.remove(HttpHeaderNames.HOST);
    b.authority(up.url().getRawAuthority());
    String xff = in.get(X_FORWARDED_FOR);
    String client = remote.getHostAddress();
    b.set(X_FORWARDED_FOR, xff == null ? client : xff + ", " + client);
    b.set(X_FORWARDED_PROTO, ctx.sessionProtocol().isTls() ? "https" : "http");
    if (original != null) {
      b.set(X_FORWARDED_HOST, original);
    }
    return b.build();
  }

  private static ResponseHeaders responseHeaders(ResponseHeaders h, Edge.Decided decided) {
    if (h.status().isInformational()) {
      return h;
    }
    ResponseHeadersBuilder b = h.toBuilder();
    stripHopByHop(b, h.get(HttpHeaderNames.CONNECTION));
    RateLimitHeaders.addRateLimit(b, decided.tier(), decided.decision());
    return b.build();
  }

  private static void stripHopByHop(com.linecorp.armeria.common.HttpHeadersBuilder b, String connection) {
    if (connection != null) {
      for (String name : connection.split(",")) {
        String n = name.strip();
        if (!n.isEmpty()) {
          b.remove(n.toLowerCase(java.util.Locale.ROOT));
        }
      }
    }
    for (AsciiString name : HOP_BY_HOP) {
      if (name != HttpHeaderNames.TE || !"trailers".equalsIgnoreCase(b.get(name))) {
        b.remove(name);
      }
    }
  }

  private HttpResponse upstreamFailure(Throwable cause, Edge.Decided decided) {
    Throwable c = Exceptions.peel(cause);
    Problem p;
    if (c instanceof ResponseTimeoutException) {
      p = Problem.of(HttpStatus.GATEWAY_TIMEOUT, "upstream-timeout",
          "the upstream did not answer within " + edge.config().current().config().upstream().timeout());
    } else if (c instanceof ContentTooLargeException) {
      p = EdgeErrors.forCause(c);
    } else {
      p = Problem.of(HttpStatus.BAD_GATEWAY, "upstream-unavailable",
          "the upstream could not be reached: " + reason(c));
    }
    ResponseHeadersBuilder h = ResponseHeaders.builder(p.status());
    RateLimitHeaders.addRateLimit(h, decided.tier(), decided.decision());
    return p.toAggregated(h, null).toHttpResponse();
  }

  private static String reason(Throwable c) {
    Throwable root = c instanceof UnprocessedRequestException u && u.getCause() != null ? u.getCause() : c;
    String m = root.getMessage();
    return root.getClass().getSimpleName() + (m == null ? "" : " (" + m + ")");
  }

  /** Feeds one forwarded request's outcome to the signals and meters. */
  private void recordUpstream(RequestLog log) {
    Throwable cause = log.responseCause();
    int status = log.responseHeaders().status().code();
    if (status >= 100) {
      edge.upstream(log.totalDurationNanos(), status);
      return;
    }
    Throwable c = cause == null ? null : Exceptions.peel(cause);
    if (c instanceof ResponseTimeoutException) {
      edge.metrics().upstreamError(ServerMetrics.UpstreamError.TIMEOUT);
      edge.upstream(log.totalDurationNanos(), 504);
    } else if (c instanceof ContentTooLargeException) {
      return;
    } else {
      edge.metrics().upstreamError(c instanceof UnprocessedRequestException
          ? ServerMetrics.UpstreamError.CONNECT : ServerMetrics.UpstreamError.OTHER);
      edge.upstream(-1, 502);
    }
  }

  private void logWhenDone(ServiceRequestContext ctx, ClientRequestContext cctx, String key,
      Edge.Decided decided, String method, String route, int cost) {
    Decision d = decided.decision();
    CompletableFuture<RequestLog> client = cctx == null
        ? CompletableFuture.completedFuture(null) : cctx.log().whenComplete();
    ctx.log().whenComplete().thenCombine(client, (slog, clog) -> {
      long upstream = clog != null && clog.responseHeaders().status().code() >= 100
          ? clog.totalDurationNanos() : -1;
      edge.requestLog().offer(new RequestLogRecord(edge.wall().epochMillis(), "proxy", key, decided.tier(),
          method, route, slog.requestLength(), slog.responseLength(), upstream,
          slog.responseHeaders().status().code(), d.allowed(), d.level().label(), cost,
          Math.max(0, d.remaining()), d.limit().rate().perSecond()));
      return null;
    });
  }
}
