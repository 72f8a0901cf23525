package dev.sluice.server.edge;

import dev.sluice.core.Clock;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The edge port: HTTP/1.1 on Netty, serving {@code POST /v1/decisions}, {@code POST /v1/feedback}
 * and the reverse proxy for every other path. It runs directly on Netty rather than Armeria (which
 * serves the admin port) because the edge's per-request cost is what limits throughput on small
 * machines: see "Edge server" in {@code docs/benchmarks.md}. Thread-safe.
 */
public final class EdgeServer implements AutoCloseable {

  /**
   * Limits of the edge port.
   *
   * @param maxDecisionBodyBytes largest decision or feedback body (413 above)
   * @param maxProxyBodyBytes largest proxied body (413 above; 0 = no limit)
   * @param idleTimeout a client connection that neither sends nor receives anything for this long
   *     is closed: an idle keep-alive connection, or a request whose head or body stopped arriving.
   *     A proxied request waiting on the upstream is bounded by {@code upstream.timeout} instead.
   */
  public record Options(int maxDecisionBodyBytes, long maxProxyBodyBytes, Duration idleTimeout) {}

  /** The longest request line, in bytes (414 above). */
  static final int MAX_REQUEST_LINE = 8192;
  /** The largest header block, in bytes, without line ends (431 above). */
  static final int MAX_HEADER_BLOCK = 16384;
  /** The largest piece of a body passed on at once, in bytes (bodies are streamed, not limited by it). */
  static final int MAX_BODY_PIECE = 65536;

  private static final HttpDecoderConfig DECODER = new HttpDecoderConfig()
      .setMaxInitialLineLength(MAX_REQUEST_LINE).setMaxHeaderSize(MAX_HEADER_BLOCK).setMaxChunkSize(MAX_BODY_PIECE);

  private final Edge edge;
  private final Options options;
  private final Transport transport;
  private final Clock network;
  private final DecisionService decisions;
  private final FeedbackService feedback;
  private final PredictService predictions;
  private final ChannelGroup connections = new DefaultChannelGroup("edge", GlobalEventExecutor.INSTANCE);
  private final AtomicInteger inFlight = new AtomicInteger();
  private Channel listener;

  /**
   * Serves {@code edge} on {@code transport}; {@code network} times upstream calls and shutdown
   * (real time, unlike the limiter's clock, which tests replace).
   */
  public EdgeServer(Edge edge, Options options, Transport transport, Clock network) {
    this.edge = edge;
    this.options = options;
    this.transport = transport;
    this.network = network;
    this.decisions = new DecisionService(edge);
    this.feedback = new FeedbackService(edge);
    this.predictions = new PredictService(edge);
  }

  Edge edge() {
    return edge;
  }

  Options options() {
    return options;
  }

  /** Returns the clock upstream latencies are measured with. */
  Clock network() {
    return network;
  }

  DecisionService decisions() {
    return decisions;
  }

  FeedbackService feedback() {
    return feedback;
  }

  PredictService predictions() {
    return predictions;
  }

  void exchangeStarted() {
    inFlight.incrementAndGet();
  }

  void exchangeEnded() {
    inFlight.decrementAndGet();
  }

  /** Returns the requests being answered now. */
  public int inFlight() {
    return inFlight.get();
  }

  /** Returns the open client connections. */
  public int connections() {
    return connections.size();
  }

  /**
   * Binds {@code address} and starts accepting.
   *
   * @throws java.util.concurrent.CompletionException with the cause if the port cannot be bound
   */
  public void start(InetSocketAddress address) {
    ServerBootstrap b = new ServerBootstrap().group(transport.group()).channel(transport.serverChannel())
        .option(ChannelOption.SO_BACKLOG, 1024)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            EdgeServer.this.initChannel(ch);
          }
        });
    io.netty.channel.ChannelFuture bound = b.bind(address).awaitUninterruptibly();
    if (!bound.isSuccess()) {
      Throwable c = bound.cause();
      throw new java.util.concurrent.CompletionException(new java.io.IOException("cannot listen on "
          + address.getHostString() + ":" + address.getPort() + ": " + c.getMessage(), c));
    }
    listener = bound.channel();
  }

  /** Sets up a client connection's pipeline. */
  void initChannel(Channel ch) {
    connections.add(ch);
    ch.pipeline().addLast(new IdleStateHandler(0, 0, options.idleTimeout().toMillis(), TimeUnit.MILLISECONDS),
        new EdgeCodec(DECODER), new EdgeConnection(this));
  }

  /** Returns the bound port, or -1 before {@link #start} and after {@link #close}. */
  public int port() {
    Channel l = listener;
    return l != null && l.isActive() && l.localAddress() instanceof InetSocketAddress a ? a.getPort() : -1;
  }

  /**
   * Stops accepting, keeps serving open connections for {@code quiet}, waits up to {@code timeout}
   * for the requests in flight, then closes every connection.
   */
  public void stop(Duration quiet, Duration timeout) {
    long deadline = network.nanoTime() + timeout.toNanos();
    if (listener != null) {
      listener.close().awaitUninterruptibly();
    }
    sleepUntil(network.nanoTime() + quiet.toNanos(), () -> false);
    sleepUntil(deadline, () -> inFlight.get() <= 0);
    connections.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
  }

  private void sleepUntil(long deadline, java.util.function.BooleanSupplier done) {
    long now;
    while (!done.getAsBoolean() && (now = network.nanoTime()) < deadline) {
      java.util.concurrent.locks.LockSupport.parkNanos(Math.min(10_000_000L, deadline - now));
    }
  }

  @Override
  public void close() {
    stop(Duration.ZERO, Duration.ZERO);
  }
}
