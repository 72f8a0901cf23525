package dev.sluice.cli.load;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A loopback HTTP server for load tests: {@code workers} threads, each request held {@code
 * serviceMillis}, answered 200; counts the requests and the client ids it saw.
 */
public final class TestServer implements AutoCloseable {

  private final HttpServer server;
  private final ExecutorService pool;
  /** Requests answered. */
  public final AtomicLong requests = new AtomicLong();
  /** Requests per value of the client id header. */
  public final Map<String, AtomicLong> clients = new ConcurrentHashMap<>();

  /** Starts on a free loopback port. */
  public TestServer(int workers, long serviceMillis) throws IOException {
    pool = Executors.newFixedThreadPool(workers);
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1024);
    server.setExecutor(pool);
    server.createContext("/", ex -> {
      try (ex) {
        ex.getRequestBody().readAllBytes();
        if (serviceMillis > 0) {
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(serviceMillis));
        }
        String id = ex.getRequestHeaders().getFirst("X-Client-ID");
        clients.computeIfAbsent(id == null ? "" : id, k -> new AtomicLong()).incrementAndGet();
        requests.incrementAndGet();
        byte[] body = "ok".getBytes();
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream out = ex.getResponseBody()) {
          out.write(body);
        }
      }
    });
    server.start();
  }

  /** Returns {@code http://127.0.0.1:PORT}. */
  public String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    pool.shutdownNow();
  }
}
