package dev.sluice.server.edge;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The edge port's event loops and socket types: epoll when the native transport loads (Linux),
 * else NIO. Upstream connections of a client connection are opened on that connection's event
 * loop, so a proxied request never changes threads.
 *
 * @param group the event loops
 * @param serverChannel the listening socket type
 * @param channel the connected socket type
 */
public record Transport(EventLoopGroup group, Class<? extends ServerChannel> serverChannel,
    Class<? extends Channel> channel) {

  /** System property overriding the number of edge event loops (default: one per core). */
  public static final String EVENT_LOOPS_PROPERTY = "sluice.edge.event-loops";

  /** Creates the event loops: {@code sluice.edge.event-loops}, else one per available core. */
  public static Transport create() {
    int threads = Integer.getInteger(EVENT_LOOPS_PROPERTY, Runtime.getRuntime().availableProcessors());
    DefaultThreadFactory threads0 = new DefaultThreadFactory("sluice-edge", true);
    if (Epoll.isAvailable()) {
      return new Transport(new MultiThreadIoEventLoopGroup(Math.max(1, threads), threads0,
          EpollIoHandler.newFactory()), EpollServerSocketChannel.class, EpollSocketChannel.class);
    }
    return new Transport(new MultiThreadIoEventLoopGroup(Math.max(1, threads), threads0,
        NioIoHandler.newFactory()), NioServerSocketChannel.class, NioSocketChannel.class);
  }
}
