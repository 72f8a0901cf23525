package dev.sluice.server.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.ManualClock;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Reuse and expiry of pooled upstream connections, over real loopback sockets. */
class UpstreamPoolTest {

  private final ManualClock clock = new ManualClock();
  private final List<Socket> accepted = new CopyOnWriteArrayList<>();
  private ServerSocket upstream;
  private Thread acceptor;
  private Transport transport;
  private UpstreamPool pool;
  private EventLoop loop;

  @BeforeEach
  void start() throws IOException {
    upstream = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    acceptor = Thread.ofVirtual().start(() -> {
      while (!upstream.isClosed()) {
        try {
          accepted.add(upstream.accept());
        } catch (IOException e) {
          return;
        }
      }
    });
    transport = Transport.create();
    loop = transport.group().next();
    pool = new UpstreamPool(URI.create("http://127.0.0.1:" + upstream.getLocalPort()), transport,
        Duration.ofSeconds(10), Duration.ofSeconds(30), clock);
  }

  @AfterEach
  void stop() throws Exception {
    pool.close();
    upstream.close();
    for (Socket s : accepted) {
      s.close();
    }
    acceptor.join(Duration.ofSeconds(5));
    transport.group().shutdownGracefully(0, 0, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
  }

  @Test
  void aConnectionReleasedWithinTheIdleTimeoutIsReused() throws Exception {
    Channel first = acquire();
    release(first);
    clock.advance(Duration.ofSeconds(29));

    assertThat(acquire()).isSameAs(first);
  }

  @Test
  void aConnectionIdleForTheIdleTimeoutIsClosedAndReplaced() throws Exception {
    Channel first = acquire();
    release(first);
    clock.advance(Duration.ofSeconds(30));

    Channel second = acquire();

    assertThat(second).isNotSameAs(first);
    assertThat(first.closeFuture().await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(second.isActive()).isTrue();
  }

  @Test
  void theMostRecentlyReleasedConnectionIsReusedFirst() throws Exception {
    Channel a = acquire();
    Channel b = acquire();
    release(a);
    clock.advance(Duration.ofSeconds(1));
    release(b);

    assertThat(acquire()).isSameAs(b);
    assertThat(acquire()).isSameAs(a);
  }

  private Channel acquire() throws Exception {
    CompletableFuture<Channel> ready = new CompletableFuture<>();
    loop.execute(() -> pool.acquire(loop, (ch, err) -> {
      if (err != null) {
        ready.completeExceptionally(err);
      } else {
        ready.complete(ch);
      }
    }));
    return ready.get(5, TimeUnit.SECONDS);
  }

  private void release(Channel ch) throws Exception {
    loop.submit(() -> pool.release(ch)).get(5, TimeUnit.SECONDS);
  }
}
