package dev.sluice.server.edge;

import dev.sluice.core.Clock;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLException;

/**
 * Keep-alive HTTP/1.1 connections to the upstream, pooled per event loop: a proxied request takes an
 * idle connection of its own event loop (or opens one there) and gives it back when the exchange
 * ended cleanly, so no request ever crosses threads. The most recently released connection is
 * reused first; one idle for longer than {@code upstream.idle-timeout} is closed rather than
 * reused, so with the timeout inside the upstream's own keep-alive timeout a request never meets
 * a connection the upstream is closing; when one is met anyway, the {@link Relay} may retry on
 * a connection opened for it ({@link #acquire(EventLoop, boolean, java.util.function.BiConsumer)}).
 * Thread-safe.
 */
public final class UpstreamPool implements AutoCloseable {

  /**
   * How upstream responses are parsed. Header names and values are not validated as they are
   * decoded: the decoder has already split them at the colon and line ends, and Netty's check of
   * every character cost ~12 % of a proxied request's CPU. The {@link Relay} still refuses a
   * head whose fields a client could misread, in one pass ({@link UpstreamFields}); client requests
   * on the edge port are validated in full.
   */
  private static final HttpDecoderConfig DECODER = new HttpDecoderConfig().setMaxInitialLineLength(8192)
      .setMaxHeaderSize(16384).setMaxChunkSize(65536)
      .setHeadersFactory(DefaultHttpHeadersFactory.headersFactory().withValidation(false));

  private final String host;
  private final int port;
  private final String authority;
  private final SslContext ssl;
  private final Transport transport;
  private final Duration connectTimeout;
  private final long idleNanos;
  private final Clock clock;
  private final ChannelGroup all = new DefaultChannelGroup("upstream", GlobalEventExecutor.INSTANCE);
  private final Map<EventLoop, Loop> loops = new ConcurrentHashMap<>();
  private volatile boolean closed;

  private record Idle(Channel channel, UpstreamHandler handler, long since) {}

  /**
   * One event loop's connections: the idle ones, most recently released last, and how many are
   * busy (handed out by {@link #acquire} and neither released nor closed since). Written on its
   * event loop only; {@link #busy} is read by others.
   */
  private static final class Loop {
    final ArrayDeque<Idle> idle = new ArrayDeque<>();
    volatile int busy;
  }

  /**
   * Connections to {@code url}'s scheme and authority, opened with {@code transport}, reused while
   * idle for less than {@code idleTimeout} as timed by {@code clock}.
   */
  public UpstreamPool(URI url, Transport transport, Duration timeout, Duration idleTimeout, Clock clock) {
    this.clock = clock;
    this.idleNanos = idleTimeout.toNanos();
    boolean https = "https".equalsIgnoreCase(url.getScheme());
    this.host = url.getHost();
    this.port = url.getPort() > 0 ? url.getPort() : https ? 443 : 80;
    this.authority = url.getRawAuthority();
    this.transport = transport;
    this.connectTimeout = timeout.compareTo(Duration.ofSeconds(10)) < 0 ? timeout : Duration.ofSeconds(10);
    try {
      this.ssl = https ? SslContextBuilder.forClient().build() : null;
    } catch (SSLException e) {
      throw new IllegalStateException("cannot set up TLS for " + url + ": " + e.getMessage(), e);
    }
  }

  /** Returns the authority forwarded requests carry in {@code Host}. */
  String authority() {
    return authority;
  }

  /**
   * Calls {@code ready} on {@code loop} with a connected channel whose last handler is an {@link
   * UpstreamHandler}, or with the connect failure: an idle connection if there is one (its handler's
   * {@link UpstreamHandler#reused} is set), else a new one.
   */
  void acquire(EventLoop loop, java.util.function.BiConsumer<Channel, Throwable> ready) {
    acquire(loop, false, ready);
  }

  /**
   * Like {@link #acquire(EventLoop, java.util.function.BiConsumer)}, but with {@code fresh} always
   * opens a new connection (a retry after a reused one turned out stale).
   */
  void acquire(EventLoop loop, boolean fresh, java.util.function.BiConsumer<Channel, Throwable> ready) {
    Loop l = loops.get(loop);
    if (l == null) {
      l = loops.computeIfAbsent(loop, k -> new Loop());
    }
    long now = clock.nanoTime();
    Idle i;
    while (!fresh && (i = l.idle.pollLast()) != null) {
      if (i.channel().isActive() && now - i.since() < idleNanos) {
        i.handler().busy();
        i.handler().bytesIn = false;
        ready.accept(i.channel(), null);
        return;
      }
      i.channel().close();
    }
    Loop owner = l;
    Bootstrap b = new Bootstrap().group(loop).channel(transport.channel())
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, connectTimeout.toMillis()))
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            if (ssl != null) {
              ch.pipeline().addLast(ssl.newHandler(ch.alloc(), host, port));
            }
            UpstreamHandler handler = new UpstreamHandler(UpstreamPool.this, owner);
            ch.pipeline().addLast(new ResponseDecoder(handler), new HttpRequestEncoder(), handler);
            ch.closeFuture().addListener(closed -> handler.free());
          }
        });
    ChannelFuture f = b.connect(host, port);
    f.addListener(done -> {
      Channel ch = f.channel();
      if (done.isSuccess() && ch.isOpen()) {
        all.add(ch);
        ch.pipeline().get(UpstreamHandler.class).busy();
        ready.accept(ch, null);
      } else {
        ready.accept(null, done.isSuccess() ? new java.nio.channels.ClosedChannelException() : done.cause());
      }
    });
  }

  /**
   * Returns whether {@code request} may be sent again after a stale connection closed before
   * answering it: a safe method (GET, HEAD, OPTIONS, TRACE: RFC 9110 section 9.2.1) without a body
   * ({@code bodyBytes} 0, not chunked), so there is nothing to re-send but the head.
   */
  static boolean resendable(HttpRequest request, long bodyBytes) {
    HttpMethod m = request.method();
    return bodyBytes == 0 && !HttpUtil.isTransferEncodingChunked(request)
        && (m.equals(HttpMethod.GET) || m.equals(HttpMethod.HEAD) || m.equals(HttpMethod.OPTIONS)
            || m.equals(HttpMethod.TRACE));
  }

  /** Returns the connections handed out and neither released nor closed since (exact once quiet). */
  public int busyConnections() {
    int n = 0;
    for (Loop l : loops.values()) {
      n += l.busy;
    }
    return n;
  }

  /**
   * Gives a connection whose exchange ended cleanly back for reuse (called on its event loop). It
   * becomes idle (and can be acquired) only once the read that ended the exchange is complete:
   * bytes the upstream sent after the response, decoded in that same read, must meet a released
   * connection (which closes on input), not the next exchange, which may be acquiring in this very
   * call (a pipelined request is dispatched as soon as the response before it ends).
   */
  void release(Channel ch) {
    UpstreamHandler h = ch.pipeline().get(UpstreamHandler.class);
    h.relay = null;
    h.free();
    if (h.reading) {
      h.idleAfterRead = true;
    } else {
      idle(ch, h);
    }
  }

  /** Makes a released connection idle: reusable, or closed when the pool is closed or it is. */
  private void idle(Channel ch, UpstreamHandler h) {
    if (closed || !ch.isActive() || h.relay != null) {
      ch.close();
      return;
    }
    h.reused = true;
    h.loop.idle.addLast(new Idle(ch, h, clock.nanoTime()));
  }

  /**
   * Stops reuse after a config change: idle connections close now, busy ones when their exchange
   * ends.
   */
  public void retire() {
    closed = true;
    for (Map.Entry<EventLoop, Loop> e : loops.entrySet()) {
      e.getKey().execute(() -> {
        Idle i;
        while ((i = e.getValue().idle.poll()) != null) {
          i.channel().close();
        }
      });
    }
  }

  /** Closes every connection, idle or not. */
  @Override
  public void close() {
    closed = true;
    all.close();
  }

  /**
   * Netty's response decoder, told by the exchange whether the request was {@code HEAD}. It stands
   * in for {@code HttpClientCodec}, which pairs responses with requests through a queue that interim
   * (1xx) responses also take from, so a {@code 103} before the answer to a {@code HEAD} made it
   * wait for a body that never comes. A connection carries one request at a time, so the exchange
   * using it knows. Event loop only.
   */
  static final class ResponseDecoder extends HttpResponseDecoder {
    private final UpstreamHandler handler;

    ResponseDecoder(UpstreamHandler handler) {
      super(DECODER);
      this.handler = handler;
    }

    /** Notes that bytes came (a response began, even one too short to decode), then decodes. */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
      if (msg instanceof io.netty.buffer.ByteBuf b && b.isReadable()) {
        handler.bytesIn = true;
      }
      super.channelRead(ctx, msg);
    }

    @Override
    protected boolean isContentAlwaysEmpty(HttpMessage msg) {
      Relay r = handler.relay;
      if (msg instanceof HttpResponse res && res.status().code() >= 200 && r != null && r.head()) {
        return true;
      }
      return super.isContentAlwaysEmpty(msg);
    }

    /**
     * A response with both {@code Content-Length} and chunked {@code Transfer-Encoding}: Netty
     * drops the length and reads it chunked (RFC 9112 section 6.3); its framing is suspect, so the
     * connection is not reused after it.
     */
    @Override
    protected void handleTransferEncodingChunkedWithContentLength(HttpMessage message) {
      super.handleTransferEncodingChunkedWithContentLength(message);
      handler.conflictingFraming = true;
    }
  }

  /**
   * Passes an upstream connection's events to the relay using it; an idle one is closed on
   * input. Event loop only.
   */
  static final class UpstreamHandler extends ChannelInboundHandlerAdapter {

    private final UpstreamPool pool;
    /** The event loop's connections this one belongs to. */
    final Loop loop;
    /** The relay of the exchange using this connection, or {@code null} while idle. */
    Relay relay;
    /** Whether this connection is counted in {@link Loop#busy}. */
    private boolean busy;
    /** A response on it came with conflicting framing: it is closed rather than reused. */
    boolean conflictingFraming;
    /** It carried an exchange before the current one (it came from the idle connections). */
    boolean reused;
    /** A byte came on it since it was last handed out (reset by {@link #acquire}). */
    boolean bytesIn;
    /** Inside a read: a message came, the read's completion has not. */
    boolean reading;
    /** Released inside the current read: it becomes idle when the read completes. */
    boolean idleAfterRead;

    UpstreamHandler(UpstreamPool pool, Loop loop) {
      this.pool = pool;
      this.loop = loop;
    }

    /** Counts this connection as handed out. */
    void busy() {
      if (!busy) {
        busy = true;
        loop.busy++;
      }
    }

    /** Counts this connection as no longer handed out (released or closed); idempotent. */
    void free() {
      if (busy) {
        busy = false;
        loop.busy--;
      }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      reading = true;
      if (relay == null) {
        ReferenceCountUtil.release(msg);
        ctx.close();
        return;
      }
      Relay r = relay;
      try {
        r.upstreamRead(msg);
      } catch (RuntimeException e) {
        r.bug(e);
        ctx.close();
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      reading = false;
      if (idleAfterRead) {
        idleAfterRead = false;
        pool.idle(ctx.channel(), this);
      }
      if (relay != null) {
        relay.upstreamReadComplete();
      }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (relay != null) {
        relay.upstreamWritabilityChanged(ctx.channel().isWritable());
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (relay != null) {
        relay.upstreamFailed(null);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (relay != null) {
        relay.upstreamFailed(cause);
      }
      ctx.close();
    }
  }
}
