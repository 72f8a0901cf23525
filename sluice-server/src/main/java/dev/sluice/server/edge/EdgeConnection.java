package dev.sluice.server.edge;

import dev.sluice.server.http.RequestIds;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection to the edge port (HTTP/1.1, keep-alive): routes each request to the
 * decision API, the feedback API or the proxy ({@link RequestTargets#route}), and answers requests
 * strictly in order. While a request is being answered, later pipelined requests wait (the
 * connection stops reading). Every failure to read a request is the client's and gets a 4xx problem
 * ({@link Refusals#unreadable}); only a bug answers 500. Event loop only.
 */
final class EdgeConnection extends ChannelInboundHandlerAdapter {

  /*
   * Design note: the connection and exchange state machines.
   *
   * The connection is OPEN (dispatching requests in order) or CLOSING. It becomes CLOSING, for
   * good, when it writes a response that closes it (the request said Connection: close or was
   * HTTP/1.0 without keep-alive, or the exchange set closeAfter: CONNECT, 413, a body answered
   * early that is not worth draining, an answer before the 100 (Continue) a request waited for, a
   * proxied body that only the close can end), when it cannot read a request (rejectUnreadable()),
   * on a bug (fail()), when an exchange closes it (close()) and when the channel goes inactive (the
   * idle timeout closes it unless a proxied exchange waits on its upstream). A CLOSING connection
   * dispatches nothing more: every message still arriving is released unread, so nothing pipelined
   * after an error or a close is ever served.
   *
   * An exchange is the current one from dispatch() until it ENDS. Its request side is done when its
   * last content is dispatched (requestDone), its response side when its response is written
   * (responseDone); the connection moves both flags, exchanges move only responseDone (through
   * reply() and responseDone()). An exchange ends exactly once, in end(), which decrements
   * sluice_edge_requests_active and releases the permit the exchange holds (a proxied request
   * admitted under a concurrency level), so that permit is released exactly once whichever way the
   * exchange ends; end() is reached from:
   *   1. finished(): both sides done, the connection goes on with the next request;
   *   2. responseDone() of a response that closes the connection: the rest of the request is
   *      never read;
   *   3. rejectUnreadable(): the request's body could not be decoded;
   *   4. fail(): a bug;
   *   5. channelInactive(): the connection closed first, by the client or by close().
   * Paths 2 to 5 call abort() before end(); abort() is idempotent and releases what the exchange
   * holds. An ended exchange is no longer current, so late callbacks (a store's answer, an upstream
   * event) find reply() refusing them.
   *
   * A proxied request is two state machines, each moving only its own fields, on the event loop.
   * Its ProxyExchange (the client side) moves when the connection calls it or a decision completes:
   *   DECIDING    from start() to the decision (the connection paused while the store answers);
   *               body pieces are held;
   *   REFUSED     refuse(): 404, 413, 400, 503 or 429 is answered and the rest of the body dropped
   *               (a body over --max-body while deciding: 413 through failedWith());
   *   admitted    the request and the held pieces go to a new Relay, which owns what follows.
   * The Relay (the upstream side) moves when the exchange passes it body pieces or client events,
   * when the pool hands it a connection (connected()), on its upstream connection's events
   * (upstream*(), from UpstreamPool.UpstreamHandler) and when its timer fires (timedOut()):
   *   CONNECTING  start(): the timer runs, the pool connects, body pieces are held (paused);
   *   SENDING     upstream set: the head (ProxyHeaders) and held pieces are written, the rest
   *               streamed until requestSent; a reused connection that closes before any byte of
   *               response is retried once for a safe bodiless request (retried, back to CONNECTING);
   *   RELAYING    headSent: the response head is written, its body relayed with back-pressure;
   *   COMPLETED   upstreamDone: the timer is cancelled, the upstream connection pooled or closed,
   *               then responseDone() (path 1 or 2);
   *   FAILED      before headSent, fail() has the exchange answer 502, 504 or 413 (failedWith(),
   *               reply()); after it, close() cuts the response short (path 5).
   * Neither ends the exchange: only end() does, by the five paths above. Every entry point of
   * both first drops what comes for an ended exchange or a done response; the exchange's abort()
   * releases held pieces, the relay's cancels the timer and detaches and closes the upstream
   * connection.
   */

  private static final Logger log = LoggerFactory.getLogger(EdgeConnection.class);

  private final EdgeServer server;
  private final ArrayDeque<Object> waiting = new ArrayDeque<>();
  private ChannelHandlerContext ctx;
  private Exchange current;
  private boolean closing;
  private InetAddress remote;
  private String remoteText;

  EdgeConnection(EdgeServer server) {
    this.server = server;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  Channel channel() {
    return ctx.channel();
  }

  /** Returns the peer's address (read once per connection). */
  InetAddress remote() {
    if (remote == null) {
      remote = ctx.channel().remoteAddress() instanceof InetSocketAddress a ? a.getAddress()
          : InetAddress.getLoopbackAddress();
    }
    return remote;
  }

  /** Returns the peer's address as text, for {@code X-Forwarded-For}. */
  String remoteText() {
    if (remoteText == null) {
      remoteText = remote().getHostAddress();
    }
    return remoteText;
  }

  EdgeServer server() {
    return server;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (closing) {
      ReferenceCountUtil.release(msg);
      return;
    }
    if (!waiting.isEmpty() || current != null && msg instanceof HttpRequest) {
      waiting.add(msg);
      ctx.channel().config().setAutoRead(false);
      return;
    }
    dispatch(msg);
  }

  private void dispatch(Object msg) {
    Object owned = msg;
    try {
      if (msg instanceof HttpRequest req) {
        if (req.decoderResult().isFailure()) {
          owned = null;
          ReferenceCountUtil.release(msg);
          rejectUnreadable(req.decoderResult().cause(), true);
          return;
        }
        Exchange x = RequestTargets.route(this, req);
        current = x;
        server.exchangeStarted();
        x.start();
        if (x.expectContinue && !x.responseDone && current == x) {
          x.continued = true;
          ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE,
              Unpooled.EMPTY_BUFFER)).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        }
      }
      if (msg instanceof HttpContent c) {
        if (c.decoderResult().isFailure()) {
          owned = null;
          c.release();
          rejectUnreadable(c.decoderResult().cause(), false);
          return;
        }
        Exchange x = current;
        if (x == null || x.requestDone) {
          owned = null;
          c.release();
          return;
        }
        if (c instanceof LastHttpContent) {
          x.requestDone = true;
        }
        owned = null;
        x.content(c);
        if (x.requestDone && x.responseDone) {
          finished(x);
        }
      } else if (!(msg instanceof HttpRequest)) {
        owned = null;
        ReferenceCountUtil.release(msg);
      }
    } catch (RuntimeException e) {
      if (owned != null) {
        ReferenceCountUtil.release(owned);
      }
      fail(current, msg instanceof HttpRequest && current == null, e);
    }
  }

  /**
   * Answers a request that could not be decoded (its head, or a piece of its body) with a problem
   * and closes; an exchange whose body failed is aborted and ended.
   */
  private void rejectUnreadable(Throwable cause, boolean head) {
    Exchange x = current;
    startClosing();
    if (x != null) {
      x.abort();
      end(x);
      if (x.responseStarted()) {
        ctx.close(); // its response is under way: it cannot get another
        return;
      }
    }
    FullHttpResponse res = Reply.problem(Refusals.unreadable(cause, head)).toNetty(HttpVersion.HTTP_1_1);
    res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
  }

  /**
   * Handles a bug: logs it at ERROR with a new request id and, when {@code x}'s response has not
   * started (or {@code unanswered}, a request that never became an exchange), answers 500 with that
   * id, once; then closes. Ignored when {@code x} has already ended.
   */
  void fail(Exchange x, boolean unanswered, RuntimeException e) {
    if (x != null && x.ended) {
      return;
    }
    String id = RequestIds.next();
    log.atError().setCause(e).addKeyValue("requestId", id).log("unexpected error on the edge");
    boolean answer = unanswered || x != null && !x.responseStarted();
    startClosing();
    if (x != null) {
      try {
        x.abort();
      } catch (RuntimeException again) {
        e.addSuppressed(again);
      }
      end(x);
    }
    if (!answer || !ctx.channel().isActive()) {
      ctx.close();
      return;
    }
    FullHttpResponse res = Failures.internal(id).toNetty(x != null ? x.version() : HttpVersion.HTTP_1_1);
    res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
  }

  /** Stops dispatching for good: nothing read from now on is served. */
  private void startClosing() {
    closing = true;
    ctx.channel().config().setAutoRead(false);
    Object m;
    while ((m = waiting.poll()) != null) {
      ReferenceCountUtil.release(m);
    }
  }

  /**
   * Closes the connection without another response: an exchange's response was cut short. What
   * was written of it is flushed first, so the client sees the response end early rather than
   * never start.
   */
  void close() {
    startClosing();
    ctx.flush();
    ctx.close();
  }

  /** Returns whether the connection is closing: nothing more is read or dispatched. */
  boolean closing() {
    return closing;
  }

  /** Writes a whole reply for {@code x} and marks its response done. */
  void reply(Exchange x, Reply reply) {
    if (x != current || x.responseDone) {
      return;
    }
    if (x.expectContinue && !x.continued) {
      x.closeAfter = true; // the client may or may not send the body it was not asked for
    } else if (!x.requestDone && x.undrainable()) {
      x.closeAfter = true; // answered early: reading a large or open-ended body to drop it is not worth it
    }
    FullHttpResponse res = reply.toNetty(x.version());
    boolean close = !x.keepAlive || x.closeAfter;
    if (close) {
      res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    } else if (x.version() == HttpVersion.HTTP_1_0) {
      res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
    x.responseBytes = reply.body().length;
    x.status = reply.status();
    ctx.writeAndFlush(res).addListener(close ? ChannelFutureListener.CLOSE : ChannelFutureListener.CLOSE_ON_FAILURE);
    responseDone(x);
  }

  /** Marks {@code x}'s response written; the connection goes on once its request is read too. */
  void responseDone(Exchange x) {
    x.responseDone = true;
    x.onResponseDone();
    if (x.closeAfter || !x.keepAlive) {
      startClosing();
      if (x == current) {
        x.abort();
        end(x);
      }
      return;
    }
    if (x.requestDone && x == current) {
      finished(x);
    }
  }

  private void finished(Exchange x) {
    if (x != current) {
      return;
    }
    end(x);
    if (closing) {
      return;
    }
    while (!waiting.isEmpty() && !(current != null && waiting.peek() instanceof HttpRequest)) {
      dispatch(waiting.poll());
    }
    if (!closing && waiting.isEmpty() && (current == null || !current.paused)
        && !ctx.channel().config().isAutoRead()) {
      ctx.channel().config().setAutoRead(true);
    }
  }

  /** Ends {@code x} and releases its permit: the one place an exchange ends (see the design note). */
  private void end(Exchange x) {
    if (x.ended) {
      return;
    }
    x.ended = true;
    x.onEnd();
    if (x.permit != 0) {
      long p = x.permit;
      x.permit = 0;
      server.edge().admission().release(p);
    }
    if (current == x) {
      current = null;
    }
    server.exchangeEnded();
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    if (current != null) {
      current.clientReadComplete();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (current != null) {
      current.clientWritabilityChanged(ctx.channel().isWritable());
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    closing = true;
    Object m;
    while ((m = waiting.poll()) != null) {
      ReferenceCountUtil.release(m);
    }
    Exchange x = current;
    if (x != null) {
      x.abort();
      end(x);
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof io.netty.handler.timeout.IdleStateEvent) {
      boolean waitingOnUpstream = current instanceof ProxyExchange p && p.waitingOnUpstream();
      if (!waitingOnUpstream) {
        ctx.close();
      }
      return;
    }
    ctx.fireUserEventTriggered(event);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (!(cause instanceof java.io.IOException)) {
      log.atError().setCause(cause).log("unexpected error on an edge connection");
    }
    ctx.close();
  }
}
