package dev.sluice.server;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A test upstream with a fixed pool of workers that counts the requests it sees at once. A request
 * is seen from the moment its head has been read until its response is about to be written (so
 * once Sluice reads a response, the upstream no longer counts it); requests beyond the workers wait
 * in the pool's queue, still seen. A worker serves a request in {@link #serviceTime} (its work) or,
 * while the upstream {@link #hold holds}, only once it is {@link #release released}; the answer is
 * 200 {@code ok}, keep-alive. Bodiless requests only. {@link #workers} swaps the pool for one of
 * another size (queued requests finish on the old one), as a backend that loses half its workers.
 */
final class PoolUpstream extends LoopbackUpstream {

  private static final byte[] OK =
      "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.ISO_8859_1);

  private final AtomicInteger seen = new AtomicInteger();
  private final AtomicInteger maxSeen = new AtomicInteger();
  /** Requests worked on so far (each is answered just after). */
  final AtomicInteger served = new AtomicInteger();
  private final Object gate = new Object();
  private boolean held;
  private volatile long serviceNanos;
  private volatile ExecutorService pool;

  /** An upstream with {@code workers} workers on 127.0.0.1 and an ephemeral port. */
  PoolUpstream(int workers) {
    super(200);
    pool = Executors.newFixedThreadPool(workers);
    start("pool-upstream");
  }

  /** Returns the requests seen now (read and not yet answered). */
  int seen() {
    return seen.get();
  }

  /** Returns the most requests seen at once since the start or the last {@link #resetMax}. */
  int maxSeen() {
    return maxSeen.get();
  }

  /** Starts counting the most requests seen at once from the number seen now. */
  void resetMax() {
    maxSeen.set(seen.get());
  }

  /** Sets how long a worker works on a request. */
  void serviceTime(java.time.Duration d) {
    serviceNanos = d.toNanos();
  }

  /** Makes workers keep every request until {@link #release}. */
  void hold() {
    synchronized (gate) {
      held = true;
    }
  }

  /** Lets workers answer again, the requests they kept first. */
  void release() {
    synchronized (gate) {
      held = false;
      gate.notifyAll();
    }
  }

  /** Replaces the pool with one of {@code n} workers; requests already queued finish on the old one. */
  void workers(int n) {
    ExecutorService old = pool;
    pool = Executors.newFixedThreadPool(n);
    old.shutdown();
  }

  @Override
  void serve(Socket s, int n) {
    try (s) {
      InputStream in = s.getInputStream();
      OutputStream out = s.getOutputStream();
      while (true) {
        String head = RawHttp.readHead(in, 1 << 16);
        if (head == null) {
          return;
        }
        List<String> length = new ScriptedUpstream.Received(head, "", 0).headers("content-length");
        if (!length.isEmpty()) {
          in.readNBytes(Integer.parseInt(length.get(0)));
        }
        int now = seen.incrementAndGet();
        maxSeen.accumulateAndGet(now, Math::max);
        Future<?> work = null;
        while (work == null) {
          try {
            work = pool.submit(this::work);
          } catch (java.util.concurrent.RejectedExecutionException swapped) {
            // workers() shut this pool down just now: the new one takes it
          }
        }
        work.get();
        out.write(OK);
        out.flush();
      }
    } catch (IOException | ExecutionException gone) {
      // the edge closed the connection
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** One request's work: kept while held, then the service time; it is no longer seen after. */
  private void work() {
    try {
      synchronized (gate) {
        while (held) {
          gate.wait();
        }
      }
      long nanos = serviceNanos;
      if (nanos > 0) {
        LockSupport.parkNanos(nanos); // the simulated work of the request
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      seen.decrementAndGet();
      served.incrementAndGet();
    }
  }

  @Override
  public void close() {
    release();
    super.close();
    pool.shutdownNow();
  }
}
