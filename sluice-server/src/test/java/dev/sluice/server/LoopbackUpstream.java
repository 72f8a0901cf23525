package dev.sluice.server;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What the hand-written test upstreams share: a {@link ServerSocket} on 127.0.0.1 and an ephemeral
 * port, an accept loop that numbers connections and serves each on a thread of its own, and a
 * {@link #close} that closes the listener and every open connection. Subclasses say how a
 * connection is served.
 */
abstract class LoopbackUpstream implements AutoCloseable {

  private final ServerSocket server;
  private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
  /** Connections accepted so far. */
  final AtomicInteger connections = new AtomicInteger();

  /** Listens with room for {@code backlog} pending connections; call {@link #start} when ready. */
  LoopbackUpstream(int backlog) {
    try {
      server = new ServerSocket(0, backlog, InetAddress.getLoopbackAddress());
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /** Starts accepting on a daemon thread named {@code name}. */
  final void start(String name) {
    Thread.ofPlatform().daemon().name(name).start(this::accept);
  }

  /** Returns {@code http://127.0.0.1:PORT}. */
  final String url() {
    return "http://127.0.0.1:" + server.getLocalPort();
  }

  private void accept() {
    while (!server.isClosed()) {
      Socket s;
      try {
        s = server.accept();
      } catch (IOException closed) {
        return;
      }
      int n = connections.incrementAndGet();
      sockets.add(s);
      Thread.ofVirtual().start(() -> {
        try {
          serve(s, n);
        } finally {
          sockets.remove(s);
        }
      });
    }
  }

  /** Serves connection number {@code n} until it ends, and closes it. */
  abstract void serve(Socket s, int n);

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException ignored) {
      // closing anyway
    }
    for (Socket s : sockets) {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    }
  }
}
