package dev.sluice.server;

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
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
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
 * a connection the upstream is closing. Thread-safe.
 */
final class UpstreamPool implements AutoCloseable {

  /**
   * How upstream responses are parsed. Header names and values are not re-validated: the decoder
   * has already split them at the colon and line ends, and checking every character cost ~12 % of a
   * proxied request's CPU; client requests on the edge port are still validated in full.
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
  private final Map<EventLoop, ArrayDeque<Idle>> idle = new ConcurrentHashMap<>();
  private volatile boolean closed;

  private record Idle(Channel channel, long since) {}

  /**
   * Connections to {@code url}'s scheme and authority, opened with {@code transport}, reused while
   * idle for less than {@code idleTimeout} as timed by {@code clock}.
   */
  UpstreamPool(URI url, Transport transport, Duration timeout, Duration idleTimeout, Clock clock) {
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
   * UpstreamHandler}, or with the connect failure.
   */
  void acquire(EventLoop loop, java.util.function.BiConsumer<Channel, Throwable> ready) {
    ArrayDeque<Idle> q = idle.get(loop);
    if (q != null) {
      long now = clock.nanoTime();
      Idle i;
      while ((i = q.pollLast()) != null) {
        if (i.channel().isActive() && now - i.since() < idleNanos) {
          ready.accept(i.channel(), null);
          return;
        }
        i.channel().close();
      }
    }
    Bootstrap b = new Bootstrap().group(loop).channel(transport.channel())
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, connectTimeout.toMillis()))
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            if (ssl != null) {
              ch.pipeline().addLast(ssl.newHandler(ch.alloc(), host, port));
            }
            ch.pipeline().addLast(new HttpClientCodec(DECODER, HttpClientCodec.DEFAULT_PARSE_HTTP_AFTER_CONNECT_REQUEST,
                HttpClientCodec.DEFAULT_FAIL_ON_MISSING_RESPONSE), new UpstreamHandler());
          }
        });
    ChannelFuture f = b.connect(host, port);
    f.addListener(done -> {
      if (done.isSuccess()) {
        all.add(f.channel());
        ready.accept(f.channel(), null);
      } else {
        ready.accept(null, done.cause());
      }
    });
  }

  /** Gives a connection whose exchange ended cleanly back for reuse (called on its event loop). */
  void release(Channel ch) {
    if (closed || !ch.isActive()) {
      ch.close();
      return;
    }
    ch.pipeline().get(UpstreamHandler.class).exchange = null;
    idle.computeIfAbsent(ch.eventLoop(), l -> new ArrayDeque<>()).addLast(new Idle(ch, clock.nanoTime()));
  }

  /**
   * Stops reuse after a config change: idle connections close now, busy ones when their exchange
   * ends.
   */
  void retire() {
    closed = true;
    for (Map.Entry<EventLoop, ArrayDeque<Idle>> e : idle.entrySet()) {
      e.getKey().execute(() -> {
        Idle i;
        while ((i = e.getValue().poll()) != null) {
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

  /** Passes an upstream connection's events to the exchange using it; an idle one is closed on input. */
  static final class UpstreamHandler extends ChannelInboundHandlerAdapter {

    /** The exchange using this connection, or {@code null} while idle. Event loop only. */
    ProxyExchange exchange;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (exchange == null) {
        ReferenceCountUtil.release(msg);
        ctx.close();
        return;
      }
      exchange.upstreamRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      if (exchange != null) {
        exchange.upstreamReadComplete();
      }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
      if (exchange != null) {
        exchange.upstreamWritabilityChanged(ctx.channel().isWritable());
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (exchange != null) {
        exchange.upstreamFailed(null);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (exchange != null) {
        exchange.upstreamFailed(cause);
      }
      ctx.close();
    }
  }
}
