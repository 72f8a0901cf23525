package dev.sluice.server;

import com.linecorp.armeria.common.HttpStatus;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection to the edge port (HTTP/1.1, keep-alive): routes each request to the
 * decision API, the feedback API or the proxy, and answers requests strictly in order. While a
 * request is being answered, later pipelined requests wait (the connection stops reading). Every
 * failure to read a request is the client's and gets a 4xx problem; only a bug answers 500. Event
 * loop only.
 */
final class EdgeConnection extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(EdgeConnection.class);

  private final EdgeServer server;
  private final ArrayDeque<Object> waiting = new ArrayDeque<>();
  private ChannelHandlerContext ctx;
  private Exchange current;
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
    if (!waiting.isEmpty() || current != null && msg instanceof HttpRequest) {
      waiting.add(msg);
      ctx.channel().config().setAutoRead(false);
      return;
    }
    dispatch(msg);
  }

  private void dispatch(Object msg) {
    try {
      if (msg instanceof HttpRequest req) {
        if (req.decoderResult().isFailure()) {
          ReferenceCountUtil.release(msg);
          rejectUnreadable(req);
          return;
        }
        current = route(req);
        server.exchangeStarted();
        current.start();
      }
      if (msg instanceof HttpContent c) {
        if (c.decoderResult().isFailure()) {
          c.release();
          rejectUnreadable(null);
          return;
        }
        Exchange x = current;
        if (x == null || x.requestDone) {
          c.release();
          return;
        }
        if (c instanceof LastHttpContent) {
          x.requestDone = true;
        }
        x.content(c);
        if (x.requestDone && x.responseDone) {
          finished(x);
        }
      } else if (!(msg instanceof HttpRequest)) {
        ReferenceCountUtil.release(msg);
      }
    } catch (RuntimeException e) {
      log.atError().setCause(e).log("unexpected error on the edge");
      ReferenceCountUtil.release(msg);
      ctx.close();
    }
  }

  private Exchange route(HttpRequest req) {
    String uri = req.uri();
    int q = uri.indexOf('?');
    String path = q < 0 ? uri : uri.substring(0, q);
    if (path.equals("/v1/decisions") || path.equals("/v1/feedback")) {
      if (!req.method().equals(HttpMethod.POST)) {
        Reply r = Problem.of(HttpStatus.METHOD_NOT_ALLOWED, "http-405", "method not allowed on this route").toReply();
        r.headers().set(HttpHeaderNames.ALLOW, "POST");
        return new ReplyExchange(this, req, r);
      }
      return new BodyExchange(this, req, path.equals("/v1/decisions"));
    }
    return new ProxyExchange(this, req, path);
  }

  private void rejectUnreadable(HttpRequest req) {
    Problem p = Problem.of(HttpStatus.BAD_REQUEST, "http-400", "the request could not be read as HTTP/1.1");
    FullHttpResponse res = p.toReply().toNetty(HttpVersion.HTTP_1_1);
    res.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    ctx.channel().config().setAutoRead(false);
    ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
    if (current != null) {
      current.abort();
      current = null;
    }
  }

  /** Writes a whole reply for {@code x} and marks its response done. */
  void reply(Exchange x, Reply reply) {
    if (x != current || x.responseDone) {
      return;
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
      ctx.channel().config().setAutoRead(false);
    }
    if (x.requestDone && x == current) {
      finished(x);
    }
  }

  private void finished(Exchange x) {
    if (x != current) {
      return;
    }
    current = null;
    server.exchangeEnded();
    if (x.closeAfter || !x.keepAlive) {
      return;
    }
    while (!waiting.isEmpty() && !(current != null && waiting.peek() instanceof HttpRequest)) {
      dispatch(waiting.poll());
    }
    if (waiting.isEmpty() && (current == null || !current.paused) && !ctx.channel().config().isAutoRead()) {
      ctx.channel().config().setAutoRead(true);
    }
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
    Object m;
    while ((m = waiting.poll()) != null) {
      ReferenceCountUtil.release(m);
    }
    if (current != null) {
      current.abort();
      current = null;
      server.exchangeEnded();
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
    ctx.close();
  }

  /** One request and its response. */
  abstract static class Exchange {
    final EdgeConnection conn;
    final HttpRequest request;
    final boolean keepAlive;
    private final HttpVersion version;
    boolean requestDone;
    boolean responseDone;
    boolean closeAfter;
    /** The client connection stopped reading for this exchange (body waiting on something). */
    boolean paused;
    long requestBytes;
    long responseBytes;
    int status;

    Exchange(EdgeConnection conn, HttpRequest request) {
      this.conn = conn;
      this.request = request;
      this.keepAlive = HttpUtil.isKeepAlive(request);
      this.version = request.protocolVersion() == HttpVersion.HTTP_1_0 ? HttpVersion.HTTP_1_0 : HttpVersion.HTTP_1_1;
    }

    /** Returns the client's HTTP version, which every response to it uses. */
    HttpVersion version() {
      return version;
    }

    /** Called once the head arrived. */
    abstract void start();

    /** One piece of the body (the exchange owns {@code c}); {@link #requestDone} is set for the last. */
    abstract void content(HttpContent c);

    /** The connection closed before the exchange ended. */
    void abort() {}

    /** The response has been handed to the connection. */
    void onResponseDone() {}

    void clientWritabilityChanged(boolean writable) {}

    /** The client connection's current read batch has been dispatched. */
    void clientReadComplete() {}

    /** Stops or resumes reading the client connection for this exchange. */
    void pause(boolean pause) {
      paused = pause;
      conn.channel().config().setAutoRead(!pause);
    }

    /** Returns the declared body length, or -1 when there is none or it is chunked. */
    long declaredLength() {
      return HttpUtil.getContentLength(request, -1L);
    }
  }

  /** An exchange answered at once (404, 405, 413, 429, 400...); the body is read and dropped. */
  static final class ReplyExchange extends Exchange {
    private final Reply reply;

    ReplyExchange(EdgeConnection conn, HttpRequest request, Reply reply) {
      super(conn, request);
      this.reply = reply;
    }

    @Override
    void start() {
      conn.reply(this, reply);
    }

    @Override
    void content(HttpContent c) {
      requestBytes += c.content().readableBytes();
      c.release();
    }
  }

  /** {@code POST /v1/decisions} or {@code /v1/feedback}: the whole body, then one reply. */
  static final class BodyExchange extends Exchange {
    private final boolean decisions;
    private final int max;
    private ByteBuf body;

    BodyExchange(EdgeConnection conn, HttpRequest request, boolean decisions) {
      super(conn, request);
      this.decisions = decisions;
      this.max = conn.server.options().maxDecisionBodyBytes();
    }

    @Override
    void start() {
      long declared = declaredLength();
      if (max > 0 && declared > max) {
        tooLarge();
        return;
      }
      body = conn.channel().alloc().heapBuffer(declared > 0 ? (int) declared : 256);
    }

    private void tooLarge() {
      closeAfter = true;
      conn.reply(this, Problem.tooLarge(max).toReply());
    }

    @Override
    void content(HttpContent c) {
      try {
        if (responseDone) {
          return;
        }
        if (max > 0 && body.readableBytes() + c.content().readableBytes() > max) {
          body.release();
          body = null;
          tooLarge();
          return;
        }
        body.writeBytes(c.content());
      } finally {
        c.release();
      }
      if (requestDone) {
        byte[] bytes = new byte[body.readableBytes()];
        body.readBytes(bytes);
        body.release();
        body = null;
        answer(bytes);
      }
    }

    private void answer(byte[] bytes) {
      EdgeServer s = conn.server;
      try {
        if (!decisions) {
          conn.reply(this, s.feedback().accept(bytes));
          return;
        }
        CompletionStage<Reply> stage = s.decisions().decide(bytes);
        java.util.concurrent.CompletableFuture<Reply> f = stage.toCompletableFuture();
        if (f.isDone() && !f.isCompletedExceptionally()) {
          conn.reply(this, f.join());
          return;
        }
        stage.whenCompleteAsync((r, err) -> conn.reply(this, err == null ? r
            : EdgeErrors.forCause(err).toReply()), conn.channel().eventLoop());
      } catch (BadRequestException e) {
        conn.reply(this, e.problem().toReply());
      }
    }

    @Override
    void abort() {
      if (body != null) {
        body.release();
        body = null;
      }
    }
  }
}
