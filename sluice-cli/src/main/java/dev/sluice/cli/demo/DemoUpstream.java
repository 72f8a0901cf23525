package dev.sluice.cli.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.sluice.core.Clock;
import dev.sluice.sim.LiveBackend;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * The demo's "rating API": real HTTP on a loopback port (the JDK's HTTP server), answering every
 * GET with a small JSON rating after the work the simulator's backend model draws. Its requests
 * wait in one FIFO queue for a fixed pool of workers (the model's workers), so latency grows with
 * load exactly as queueing makes it; the model's schedule (by second since {@link #startClock})
 * and {@link #slowdown} scale the service time. Records its own latency, queue wait included.
 * Thread-safe; {@link #close} stops the server and its workers.
 */
public final class DemoUpstream implements AutoCloseable {

  private final LiveBackend model;
  private final Clock clock;
  private final HttpServer server;
  private final ExecutorService workers;
  private final Recorder latency = new Recorder(TimeUnit.MINUTES.toMicros(10), 2);
  private final AtomicLong served = new AtomicLong();
  private final AtomicLong start;
  private volatile double slowdown = 1;

  /** Starts the upstream on 127.0.0.1:{@code port} (0 = a free port) with {@code model}'s workers. */
  public DemoUpstream(LiveBackend model, Clock clock, int port) throws IOException {
    this.model = model;
    this.clock = clock;
    this.start = new AtomicLong(clock.nanoTime());
    this.workers = Executors.newFixedThreadPool(model.workers(0), Thread.ofPlatform().name("demo-upstream-", 0)
        .daemon(true).factory());
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
    server.createContext("/", this::handle);
    // Each exchange is queued with the time it arrived: the latency recorded includes the wait.
    server.setExecutor(task -> {
      long arrived = clock.nanoTime();
      workers.execute(() -> {
        task.run();
        latency.recordValue(Math.max(1, Math.min(TimeUnit.MINUTES.toMicros(10), (clock.nanoTime() - arrived) / 1000)));
      });
    });
    server.start();
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      ex.getRequestBody().readAllBytes();
      int second = (int) ((clock.nanoTime() - start.get()) / 1_000_000_000L);
      long work = Math.round(model.serviceNanos(second, 1) * slowdown);
      LockSupport.parkNanos(work); // the request's work, holding this worker
      long n = served.incrementAndGet();
      byte[] body = ("{\"item\":" + (n % 997) + ",\"rating\":" + (1 + n % 5) + "}").getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(200, body.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    }
  }

  /** Makes now second 0 of the model's schedule. */
  public void startClock() {
    start.set(clock.nanoTime());
  }

  /** Multiplies every service time by {@code factor} from now on, on top of the schedule (1 = none). */
  public void slowdown(double factor) {
    if (!(factor > 0) || Double.isInfinite(factor)) {
      throw new IllegalArgumentException("slowdown: " + factor + " (expected: a finite factor > 0)");
    }
    this.slowdown = factor;
  }

  /** Returns the latency histogram since the last call (queue wait plus work, microseconds). */
  public Histogram intervalLatency() {
    return latency.getIntervalHistogram();
  }

  /** Returns the requests answered so far. */
  public long served() {
    return served.get();
  }

  /** Returns the port it listens on. */
  public int port() {
    return server.getAddress().getPort();
  }

  /** Returns its base URL, {@code http://127.0.0.1:PORT}. */
  public String url() {
    return "http://127.0.0.1:" + port();
  }

  /** Stops listening, ends the requests being worked on, and stops the workers. */
  @Override
  public void close() {
    server.stop(0);
    workers.shutdownNow();
    try {
      workers.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
