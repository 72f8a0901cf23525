package dev.sluice.server.edge;

import dev.sluice.server.live.LiveConfig;
import dev.sluice.server.observe.ServerMetrics;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The upstream side of an admitted {@link ProxyExchange}: exists only once the request is
 * admitted, and owns what forwarding needs: the pooled upstream connection, the {@code
 * upstream.timeout} timer, the request head (rewritten by {@link ProxyHeaders}) and body on their
 * way up, the response on its way back with the {@code RateLimit} fields, back-pressure both ways,
 * completion, failure (502, 504 or 413 through {@link ProxyExchange#failedWith}, or the client
 * connection closed once the response has started) and the one retry on a stale connection
 * ({@link #retryable}). Its states (CONNECTING, SENDING, RELAYING, COMPLETED, FAILED) are in the
 * design note of {@link EdgeConnection}. The {@link UpstreamPool.UpstreamHandler} of its
 * connection calls {@code upstream*()}; its exchange calls the rest. Every entry point first drops
 * what comes for an ended exchange or a done response. Event loop only.
 */
final class Relay {

  private final ProxyExchange x;
  private final EdgeConnection conn;
  private final Edge edge;
  private final LiveConfig.Upstream up;
  /** Body pieces that arrived before the upstream connection was ready; {@code null} once sent. */
  private List<HttpContent> held;
  /** Forwarding: from {@link #start} until the response completed or the exchange failed. */
  private boolean active;
  private Channel upstream;
  /** The handler of {@link #upstream}, while attached. */
  private UpstreamPool.UpstreamHandler upstreamHandler;
  private boolean headSent;
  /** The W3C trace context the upstream request carries, or {@code null} (tracing off or not sampled). */
  private String traceparent;
  private boolean upstreamDone;
  private boolean upstreamKeepAlive;
  private boolean requestSent;
  /** The request was sent again on a new connection after a reused one closed unanswered. */
  private boolean retried;
  private long started;
  private ScheduledFuture<?> timer;

  /** A relay for {@code x} to {@code up}, taking over the body pieces {@code held} so far. */
  Relay(ProxyExchange x, LiveConfig.Upstream up, List<HttpContent> held) {
    this.x = x;
    this.conn = x.conn;
    this.edge = x.edge();
    this.up = up;
    this.held = held;
  }

  /** CONNECTING: starts the timer and asks the pool for a connection; the body waits meanwhile. */
  void start() {
    active = true;
    started = conn.server().network().nanoTime();
    if (x.trace() != null) {
      traceparent = x.trace().upstreamStarted(up.pool().authority());
    }
    timer = conn.channel().eventLoop().schedule(this::timedOut, up.timeout().toNanos(), TimeUnit.NANOSECONDS);
    up.pool().acquire(conn.channel().eventLoop(), this::connected);
    if (upstream == null && !x.responseDone) {
      x.pause(true); // still connecting: hold the body, but no more than one read's worth
    }
  }

  /** SENDING: the pool's answer, a connection (or why there is none). */
  private void connected(Channel ch, Throwable cause) {
    if (x.responseDone || x.ended || !conn.channel().isActive()) {
      if (ch != null) {
        ch.close();
      }
      return;
    }
    if (ch == null) {
      fail(Failures.failed(edge, up, x.method(), x.route(), Failures.kind(cause), cause));
      return;
    }
    upstream = ch;
    upstreamHandler = ch.pipeline().get(UpstreamPool.UpstreamHandler.class);
    upstreamHandler.relay = this;
    if (retried) { // the head is already in upstream form; the body was empty and fully read
      ch.write(x.request);
      send(LastHttpContent.EMPTY_LAST_CONTENT);
    } else {
      io.netty.handler.codec.http.HttpRequest head = ProxyHeaders.toUpstream(x.request, up.pool().authority(),
          up.basePath(), conn.remoteText());
      if (traceparent != null) {
        head.headers().set("traceparent", traceparent);
      }
      ch.write(head);
      for (HttpContent c : held) {
        send(c);
      }
      held = null;
    }
    ch.flush();
    if (x.paused && ch.isWritable()) {
      x.pause(false);
    }
  }

  private void send(HttpContent c) {
    if (c instanceof LastHttpContent) {
      requestSent = true;
    }
    upstream.write(c);
  }

  /** Returns whether forwarding goes on: started, neither completed nor failed before its head. */
  boolean active() {
    return active;
  }

  /** One piece of the request body (owned by the relay): held while connecting, else sent. */
  void content(HttpContent c) {
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
      x.pause(true);
    }
  }

  /**
   * The request body outgrew its limit: FAILED with {@code tooLarge} before the response head,
   * the client connection closed after it.
   */
  void bodyTooLarge(Reply tooLarge) {
    abortUpstream();
    if (!headSent) {
      fail(tooLarge);
    } else {
      cancelTimer();
      conn.close();
    }
  }

  /** The client connection's read batch ended: body pieces written upstream go out now. */
  void clientReadComplete() {
    if (upstream != null && !requestSent) {
      upstream.flush();
    }
  }

  /** Returns whether the response has not ended yet (the timer runs). */
  boolean waitingOnUpstream() {
    return active && !upstreamDone;
  }

  /** Returns whether the response head has been passed on to the client. */
  boolean headSent() {
    return headSent;
  }

  /** Returns whether the request is {@code HEAD}, for the response decoder. */
  boolean head() {
    return x.head();
  }

  /**
   * RELAYING: the upstream's response head and body, passed on to the client. Interim (1xx)
   * responses are dropped; anything the decoder could not read, and a head {@link UpstreamFields}
   * refuses (a status out of range, a 101 no request asked for, fields or a reason phrase a client
   * could misread), fail the exchange.
   */
  void upstreamRead(Object msg) {
    if (x.responseDone) {
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
      if (UpstreamFields.interim(res)) {
        ReferenceCountUtil.release(msg);
        return;
      }
      String unfit = UpstreamFields.unfit(res);
      if (unfit != null) {
        ReferenceCountUtil.release(msg);
        upstreamFailed(new IllegalStateException(unfit));
        return;
      }
      if (UpstreamFields.dropLengthOfChunked(res)) {
        upstreamHandler.conflictingFraming = true;
      }
      upstreamKeepAlive = HttpUtil.isKeepAlive(res);
      x.status = res.status().code();
      x.closeAfter |= ProxyHeaders.toClient(res, x.verdict(), head(), x.version(), !x.keepAlive || x.closeAfter);
      conn.channel().write(res);
      headSent = true;
    }
    if (msg instanceof HttpContent c) {
      if (!headSent) {
        c.release();
        return;
      }
      x.responseBytes += c.content().readableBytes();
      if (c instanceof LastHttpContent) {
        upstreamDone = true;
        boolean close = !x.keepAlive || x.closeAfter;
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

  /** The upstream's read batch ended: what was relayed goes out; a full client pauses upstream. */
  void upstreamReadComplete() {
    if (!x.responseDone) {
      conn.channel().flush();
      if (!conn.channel().isWritable() && upstream != null) {
        upstream.config().setAutoRead(false);
      }
    }
  }

  /** The upstream connection can take more again: the client connection reads on. */
  void upstreamWritabilityChanged(boolean writable) {
    if (writable && x.paused && !x.responseDone) {
      x.pause(false);
    }
  }

  /** The client connection can take more again: the upstream connection reads on. */
  void clientWritabilityChanged(boolean writable) {
    if (writable && upstream != null && !upstreamDone) {
      upstream.config().setAutoRead(true);
    }
  }

  /** A bug while handling an upstream event: the connection fails the exchange. */
  void bug(RuntimeException e) {
    conn.fail(x, false, e);
  }

  /**
   * The upstream connection closed, failed or sent what is not HTTP/1.1 before the response ended
   * ({@code cause} is null for a close): FAILED, or back to CONNECTING for a retry.
   */
  void upstreamFailed(Throwable cause) {
    if (upstreamDone || x.responseDone && !headSent || x.ended) {
      return;
    }
    boolean stale = upstreamHandler != null && upstreamHandler.reused && !upstreamHandler.bytesIn;
    abortUpstream();
    if (headSent) {
      cancelTimer();
      Failures.cutShort(edge, up, x.method(), x.route(), cause);
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
    fail(Failures.failed(edge, up, x.method(), x.route(), ServerMetrics.UpstreamError.OTHER, cause));
  }

  /**
   * Whether a failure on a stale connection (a reused one that sent no byte of a response) may be
   * retried on a new connection: the first such failure (the timer still runs, so the retry has
   * what is left of {@code upstream.timeout}), of a safe request whose body was empty and fully
   * sent (nothing to re-send but the head).
   */
  private boolean retryable() {
    return !retried && requestSent && UpstreamPool.resendable(x.request, x.requestBytes);
  }

  private void timedOut() {
    timer = null;
    if (upstreamDone || x.responseDone && !headSent || x.ended) {
      return;
    }
    long latency = conn.server().network().nanoTime() - started;
    abortUpstream();
    Reply reply = Failures.timedOut(edge, up, x.method(), x.route(), latency, x.verdict().cost());
    if (headSent) {
      conn.close();
      return;
    }
    fail(reply);
  }

  /** FAILED before the response head: the exchange answers {@code reply}. */
  private void fail(Reply reply) {
    if (x.trace() != null) {
      x.trace().upstreamEnded(reply.status(), true);
    }
    cancelTimer();
    releaseHeld();
    active = false;
    x.failedWith(reply);
  }

  /** COMPLETED: the response ended; the connection goes back to the pool when it can be reused. */
  private void completed() {
    cancelTimer();
    long latency = conn.server().network().nanoTime() - started;
    if (x.trace() != null) {
      x.trace().upstreamEnded(x.status, false);
    }
    edge.upstream(latency, x.status, x.verdict().cost());
    if (upstream != null && upstreamKeepAlive && requestSent && !upstreamHandler.conflictingFraming) {
      up.pool().release(upstream);
      upstream = null;
      upstreamHandler = null;
    } else {
      abortUpstream();
    }
    active = false;
    conn.responseDone(x);
    x.logRecord(latency);
  }

  /** Detaches from the upstream connection and closes it (it is not reused). */
  private void abortUpstream() {
    Channel ch = upstream;
    upstream = null;
    if (ch != null) {
      upstreamHandler.relay = null;
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

  /** The exchange ends early: cancels the timer, drops held pieces, closes the connection; idempotent. */
  void abort() {
    cancelTimer();
    releaseHeld();
    abortUpstream();
  }
}
