package dev.sluice.server;

import dev.sluice.core.Decision;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.ConnectException;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One proxied request: identifies the client, decides, and either answers 429 or forwards the
 * request (method, path, query, headers and streamed body) to the upstream over a pooled
 * connection on the same event loop, its head rewritten both ways by {@link ProxyHeaders} (the
 * response gains the {@code RateLimit} fields). Its states, what moves them and what ends it are in
 * the design note of {@link EdgeConnection}. An upstream that cannot be reached, closes early or
 * answers something that is not HTTP/1.1 answers 502, one that exceeds {@code upstream.timeout}
 * answers 504, both with problem bodies that carry a request id and no detail of the failure (that
 * goes to the log at WARN, with the id, at most {@code --upstream-error-log-limit} lines a second:
 * {@link LogBudget}); when the failure comes after the response head was passed on, the client
 * connection is closed instead, so the client sees the response cut short. An upstream connection
 * is reused only after a response that ended cleanly; a safe request without a body that meets a
 * reused connection closing before a byte of response is sent once more on a new connection
 * ({@link #retryable}). Every forwarded request's latency and status go to the meters and the
 * control loop. Body bytes flow with back-pressure: a side that cannot take more stops the other
 * from reading. Event loop only.
 */
final class ProxyExchange extends Exchange {

  private static final Logger log = LoggerFactory.getLogger(ProxyExchange.class);

  private final Edge edge;
  private final String route;
  private final String method;
  private LiveConfig.Upstream up;
  private String key;
  private Admission.Verdict decided;
  /** Body pieces that arrived before the upstream connection (or the decision) was ready. */
  private List<HttpContent> held = new ArrayList<>();
  private boolean forwarding;
  private boolean discarding;
  private Channel upstream;
  /** The handler of {@link #upstream}, while attached. */
  private UpstreamPool.UpstreamHandler upstreamHandler;
  private boolean headSent;
  private boolean upstreamDone;
  private boolean upstreamKeepAlive;
  private boolean requestSent;
  /** The request was sent again on a new connection after a reused one closed unanswered. */
  private boolean retried;
  private long started;
  private ScheduledFuture<?> timer;

  ProxyExchange(EdgeConnection conn, HttpRequest request, String route) {
    super(conn, request);
    this.edge = conn.server().edge();
    this.route = route;
    this.method = request.method().name();
  }

  @Override
  void start() {
    LiveConfig.Snapshot snap = edge.config().current();
    up = snap.upstream();
    if (up == null) {
      refuse(Problem.of(HttpResponseStatus.NOT_FOUND, "no-upstream", "no upstream is configured: this server is a"
          + " decision service (POST /v1/decisions)").toReply());
      return;
    }
    long max = conn.server().options().maxProxyBodyBytes();
    if (max > 0 && declaredLength() > max) {
      closeAfter = true;
      refuse(Problem.tooLarge(max).toReply());
      return;
    }
    HttpHeaders headers = request.headers();
    InetAddress remote = remote();
    String tier;
    try {
      key = snap.identity().clientKey(headers, remote);
      tier = snap.identity().tier(key, headers);
    } catch (BadRequestException e) {
      refuse(e.problem().toReply());
      return;
    }
    Admission admission = edge.admission();
    String unknown = admission.unknownTier(tier);
    if (unknown != null) {
      refuse(new Problem(HttpResponseStatus.BAD_REQUEST, "urn:sluice:problem:unknown-tier", "Bad Request",
          "unknown tier " + unknown, List.of()).toReply());
      return;
    }
    CompletableFuture<Admission.Verdict> verdict = admission.decide(key, tier, admission.costOf(method, route),
        method, route);
    if (verdict.isDone()) {
      decided(verdict);
      return;
    }
    // The store waits on Redis; the body waits too (bounded: the connection stops reading).
    pause(true);
    verdict.whenCompleteAsync((d, err) -> {
      if (ended) {
        return;
      }
      try {
        pause(false);
        decided(verdict);
      } catch (RuntimeException e) {
        conn.fail(this, false, e);
      }
    }, conn.channel().eventLoop());
  }

  private InetAddress remote() {
    return conn.remote();
  }

  /** Answers without forwarding; the rest of the body is dropped. */
  private void refuse(Reply reply) {
    discarding = true;
    releaseHeld();
    conn.reply(this, reply);
  }

  /** Goes on with a completed decision: a 503 if the store failed, a 429, or forwarding. */
  private void decided(CompletableFuture<Admission.Verdict> verdict) {
    Admission.Verdict d;
    try {
      d = verdict.join();
    } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException err) {
      refuse(edge.admission().storeUnavailable(err));
      return;
    }
    this.decided = d;
    if (responseDone || ended) {
      return;
    }
    if (!d.decision().allowed()) {
      refuse(throttled(d));
      logRecord(-1);
      return;
    }
    forwarding = true;
    started = conn.server().network().nanoTime();
    timer = conn.channel().eventLoop().schedule(this::timedOut, up.timeout().toNanos(), TimeUnit.NANOSECONDS);
    up.pool().acquire(conn.channel().eventLoop(), this::connected);
    if (upstream == null && !responseDone) {
      pause(true); // still connecting: hold the body, but no more than one read's worth
    }
  }

  private void connected(Channel ch, Throwable cause) {
    if (responseDone || ended || !conn.channel().isActive()) {
      if (ch != null) {
        ch.close();
      }
      return;
    }
    if (ch == null) {
      failed(cause instanceof ConnectException || cause instanceof io.netty.channel.ConnectTimeoutException
          ? ServerMetrics.UpstreamError.CONNECT : ServerMetrics.UpstreamError.OTHER, cause);
      return;
    }
    upstream = ch;
    upstreamHandler = ch.pipeline().get(UpstreamPool.UpstreamHandler.class);
    upstreamHandler.exchange = this;
    if (retried) { // the head is already in upstream form; the body was empty and fully read
      ch.write(request);
      send(LastHttpContent.EMPTY_LAST_CONTENT);
    } else {
      ch.write(ProxyHeaders.toUpstream(request, up.pool().authority(), up.basePath(), conn.remoteText()));
      for (HttpContent c : held) {
        send(c);
      }
      held = null;
    }
    ch.flush();
    if (paused && ch.isWritable()) {
      pause(false);
    }
  }

  private void send(HttpContent c) {
    if (c instanceof LastHttpContent) {
      requestSent = true;
    }
    upstream.write(c);
  }

  @Override
  void content(HttpContent c) {
    requestBytes += c.content().readableBytes();
    long max = conn.server().options().maxProxyBodyBytes();
    if (discarding || responseDone && !forwarding) {
      c.release();
      return;
    }
    if (max > 0 && requestBytes > max) {
      c.release();
      closeAfter = true;
      if (!headSent) {
        abortUpstream();
        failedWith(Problem.tooLarge(max).toReply());
      } else {
        abortUpstream();
        cancelTimer();
        conn.close();
      }
      return;
    }
    if (upstream == null) {
      if (held == null) { // the upstream connection is gone (failure, timeout): nowhere to send it
        c.release();
      } else {
        held.add(c);
      }
      return;
    }
    send(c);
    if (c instanceof LastHttpContent || !upstream.isWritable()) {
      upstream.flush();
    }
    if (!upstream.isWritable()) {
      pause(true);
    }
  }

  /** The client connection's read batch ended: body pieces written upstream go out now. */
  @Override
  void clientReadComplete() {
    if (upstream != null && !requestSent) {
      upstream.flush();
    }
  }

  /** Returns whether the request is forwarded and its response has not ended (its timer runs). */
  boolean waitingOnUpstream() {
    return forwarding && !upstreamDone;
  }

  @Override
  boolean responseStarted() {
    return headSent || responseDone;
  }

  /** Returns whether the request is {@code HEAD} (its response has no body whatever its head says). */
  boolean head() {
    return HttpMethod.HEAD.equals(request.method());
  }

  /**
   * The upstream's response head and body, passed on to the client. Interim (1xx) responses are
   * dropped; anything the decoder could not read, and a head {@link UpstreamFields} refuses (a
   * status out of range, a 101 no request asked for, fields or a reason phrase a client could
   * misread), fail the exchange.
   */
  void upstreamRead(Object msg) {
    if (responseDone) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (msg instanceof HttpObject o && o.decoderResult().isFailure()) {
      Throwable cause = o.decoderResult().cause();
      ReferenceCountUtil.release(msg);
      upstreamFailed(cause);
      return;
    }
    if (msg instanceof HttpResponse res) {
      int code = res.status().code();
      if (code >= 100 && code < 200 && code != 101) {
        ReferenceCountUtil.release(msg); // interim
        return;
      }
      String unfit = UpstreamFields.unfit(res);
      if (unfit != null) {
        ReferenceCountUtil.release(msg);
        upstreamFailed(new IllegalStateException(unfit));
        return;
      }
      if (res.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)
          && res.headers().contains(HttpHeaderNames.CONTENT_LENGTH)) {
        // Netty drops the length of a chunked HTTP/1.1 response only; an HTTP/1.0 one keeps it.
        res.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
        upstreamHandler.conflictingFraming = true;
      }
      upstreamKeepAlive = HttpUtil.isKeepAlive(res);
      status = res.status().code();
      closeAfter |= ProxyHeaders.toClient(res, decided, head(), version(), !keepAlive || closeAfter);
      conn.channel().write(res);
      headSent = true;
    }
    if (msg instanceof HttpContent c) {
      if (!headSent) {
        c.release();
        return;
      }
      responseBytes += c.content().readableBytes();
      if (c instanceof LastHttpContent) {
        upstreamDone = true;
        boolean close = !keepAlive || closeAfter;
        conn.channel().writeAndFlush(c).addListener(close ? ChannelFutureListener.CLOSE
            : ChannelFutureListener.CLOSE_ON_FAILURE);
        completed();
      } else {
        conn.channel().write(c);
      }
    } else if (!(msg instanceof HttpResponse)) {
      ReferenceCountUtil.release(msg);
    }
  }

  void upstreamReadComplete() {
    if (!responseDone) {
      conn.channel().flush();
      if (!conn.channel().isWritable() && upstream != null) {
        upstream.config().setAutoRead(false);
      }
    }
  }

  void upstreamWritabilityChanged(boolean writable) {
    if (writable && paused && !responseDone) {
      pause(false);
    }
  }

  @Override
  void clientWritabilityChanged(boolean writable) {
    if (writable && upstream != null && !upstreamDone) {
      upstream.config().setAutoRead(true);
    }
  }

  /**
   * The upstream connection closed, failed or sent what is not HTTP/1.1 before the response ended
   * ({@code cause} is null for a close).
   */
  void upstreamFailed(Throwable cause) {
    if (upstreamDone || responseDone && !headSent || ended) {
      return;
    }
    boolean stale = upstreamHandler != null && upstreamHandler.reused && !upstreamHandler.bytesIn;
    abortUpstream();
    if (headSent) {
      cancelTimer();
      edge.metrics().upstreamError(ServerMetrics.UpstreamError.OTHER);
      edge.upstream(-1, 502);
      warn(RequestIds.next(), ServerMetrics.UpstreamError.OTHER, cause, "the upstream response was cut short");
      conn.close();
      return;
    }
    if (stale && retryable()) {
      retried = true;
      edge.metrics().upstreamRetry();
      requestSent = false;
      up.pool().acquire(conn.channel().eventLoop(), true, this::connected);
      return;
    }
    failed(ServerMetrics.UpstreamError.OTHER, cause);
  }

  /**
   * Whether a failure on a stale connection (a reused one that sent no byte of a response) may be
   * retried on a new connection: the first such failure (the timer still runs, so the retry has
   * what is left of {@code upstream.timeout}), of a safe request whose body was empty and fully
   * sent (nothing to re-send but the head).
   */
  private boolean retryable() {
    return !retried && requestSent && requestBytes == 0
        && !HttpUtil.isTransferEncodingChunked(request) && safe(request.method());
  }

  /** GET, HEAD, OPTIONS and TRACE: safe methods (RFC 9110 section 9.2.1), retried when stale. */
  private static boolean safe(HttpMethod m) {
    return m.equals(HttpMethod.GET) || m.equals(HttpMethod.HEAD) || m.equals(HttpMethod.OPTIONS)
        || m.equals(HttpMethod.TRACE);
  }

  /**
   * Logs an upstream failure at WARN (the upstream's fault, not Sluice's) with the request id,
   * unless this second's budget of such lines is spent ({@code --upstream-error-log-limit}); a
   * suppressed line is counted in {@code sluice_upstream_error_log_suppressed_total}, and its id
   * reaches the client but not the log.
   */
  private void warn(String id, ServerMetrics.UpstreamError kind, Object cause, String message) {
    if (!log.isWarnEnabled() || !edge.upstreamErrorLog().tryLog()) {
      return;
    }
    log.atWarn().addKeyValue("event", "upstream-error").addKeyValue("requestId", id)
        .addKeyValue("kind", kind.name().toLowerCase(Locale.ROOT)).addKeyValue("upstream", up.url())
        .addKeyValue("method", method).addKeyValue("route", route)
        .addKeyValue("cause", cause == null ? "the connection closed" : String.valueOf(cause)).log(message);
  }

  private void timedOut() {
    timer = null;
    if (upstreamDone || responseDone && !headSent || ended) {
      return;
    }
    edge.metrics().upstreamError(ServerMetrics.UpstreamError.TIMEOUT);
    edge.upstream(conn.server().network().nanoTime() - started, 504, decided == null ? 1 : decided.cost());
    abortUpstream();
    String id = RequestIds.next();
    warn(id, ServerMetrics.UpstreamError.TIMEOUT, "no response within " + up.timeout().toMillis() + " ms",
        "the upstream did not answer in time");
    if (headSent) {
      conn.close();
      return;
    }
    failedWith(Problem.of(HttpResponseStatus.GATEWAY_TIMEOUT, "upstream-timeout",
        "the upstream did not answer within " + up.timeout().toMillis() + " ms").toReply(id));
  }

  private void failed(ServerMetrics.UpstreamError kind, Throwable cause) {
    edge.metrics().upstreamError(kind);
    edge.upstream(-1, 502);
    String id = RequestIds.next();
    boolean connect = kind == ServerMetrics.UpstreamError.CONNECT;
    warn(id, kind, cause, connect ? "the upstream could not be reached" : "the upstream failed before answering");
    failedWith(Problem.of(HttpResponseStatus.BAD_GATEWAY, "upstream-unavailable",
        connect ? "the upstream could not be reached" : "the upstream did not answer properly").toReply(id));
  }

  private void failedWith(Reply reply) {
    cancelTimer();
    releaseHeld();
    discarding = true;
    forwarding = false;
    if (decided != null) { // a body can outgrow its limit while the store still decides
      RateLimitHeaders.addRateLimit(reply.headers(), decided.tier(), decided.decision());
    }
    if (paused) {
      pause(false);
    }
    conn.reply(this, reply);
    logRecord(-1);
  }

  private void completed() {
    cancelTimer();
    long latency = conn.server().network().nanoTime() - started;
    edge.upstream(latency, status, decided == null ? 1 : decided.cost());
    if (upstream != null && upstreamKeepAlive && requestSent && !upstreamHandler.conflictingFraming) {
      up.pool().release(upstream);
      upstream = null;
      upstreamHandler = null;
    } else {
      abortUpstream();
    }
    forwarding = false;
    conn.responseDone(this);
    logRecord(latency);
  }

  /** Detaches from the upstream connection and closes it (it is not reused). */
  private void abortUpstream() {
    Channel ch = upstream;
    upstream = null;
    if (ch != null) {
      upstreamHandler.exchange = null;
      upstreamHandler = null;
      ch.close();
    }
  }

  private void cancelTimer() {
    if (timer != null) {
      timer.cancel(false);
      timer = null;
    }
  }

  private void releaseHeld() {
    if (held != null) {
      for (HttpContent c : held) {
        c.release();
      }
      held.clear();
    }
  }

  @Override
  void abort() {
    cancelTimer();
    releaseHeld();
    abortUpstream();
  }

  private void logRecord(long upstreamNanos) {
    if (decided == null || !edge.logRequest()) {
      return;
    }
    Decision d = decided.decision();
    edge.requestLog().offer(new RequestLogRecord(edge.wall().epochMillis(), "proxy", key, decided.tier(),
        method, route, requestBytes, responseBytes, upstreamNanos, status, d.allowed(), d.level().label(), decided.cost(),
        Math.max(0, d.remaining()), d.limit().rate().perSecond()));
  }

  private static Reply throttled(Admission.Verdict decided) {
    Decision d = decided.decision();
    HttpHeaders h = Reply.fields();
    RateLimitHeaders.addThrottled(h, decided.tier(), d);
    boolean never = d.retryAfterNanos() == Long.MAX_VALUE;
    Problem p = never
        ? new Problem(HttpResponseStatus.TOO_MANY_REQUESTS, "urn:sluice:problem:cost-exceeds-burst",
            "Request Cost Exceeds Limit", d.describe(), List.of())
        : new Problem(HttpResponseStatus.TOO_MANY_REQUESTS, "urn:sluice:problem:rate-limited",
            "Too Many Requests", d.describe(), List.of());
    return p.toReply(h, g -> {
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
