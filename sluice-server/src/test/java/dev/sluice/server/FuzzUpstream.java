package dev.sluice.server;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A scripted HTTP/1.1 upstream on a loopback {@link ServerSocket}, one virtual thread per
 * connection. It reads each request the edge forwards strictly (a malformed forward is recorded
 * as a violation) and answers it from the current {@link Script}, or, with none, with a valid
 * {@code 200} whose {@code X-Fuzz-Seq} field numbers it. It knows which of its connections are
 * idle (waiting for a request, no byte of one read), reading a request, or answering, so a test
 * can tell whether the edge left one half-used. Thread-safe.
 */
final class FuzzUpstream implements AutoCloseable {

  /** How a connection stands, as the upstream sees it. */
  enum State { IDLE, READING, ANSWERING }

  /**
   * What to write for one request, and whether to close afterwards.
   *
   * @param bytes the raw response bytes (possibly malformed)
   * @param writes how many separate writes to split them into (flushed each)
   * @param close close the connection once written
   * @param reset close it with a TCP reset rather than a FIN
   */
  record Answer(byte[] bytes, int writes, boolean close, boolean reset) {}

  /**
   * Something the edge forwarded that no proxy may forward.
   *
   * @param kind what, the same for every instance of one problem
   * @param detail where and how
   */
  record Violation(String kind, String detail) {}

  /** Chooses the answer to the {@code index}-th request of a case (counted from 0). */
  interface Script {
    Answer answer(int index, RawRequests.Request request);
  }

  private final ServerSocket listener;
  private final Thread acceptor;
  private final Set<Conn> conns = ConcurrentHashMap.newKeySet();
  private final AtomicLong seq = new AtomicLong();
  private final AtomicInteger caseRequests = new AtomicInteger();
  private final Queue<Long> caseAnswered = new ConcurrentLinkedQueue<>();
  private final Queue<Violation> violations = new ConcurrentLinkedQueue<>();
  private volatile Script script;
  private volatile boolean closed;

  FuzzUpstream() throws IOException {
    listener = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
    acceptor = Thread.ofPlatform().daemon().name("fuzz-upstream-accept").start(this::accept);
  }

  int port() {
    return listener.getLocalPort();
  }

  /** Starts a case: {@code s} answers its requests ({@code null}: valid answers); counters reset. */
  void beginCase(Script s) {
    script = s;
    caseRequests.set(0);
    caseAnswered.clear();
    violations.clear();
  }

  /** Returns the requests received since {@link #beginCase}. */
  int requests() {
    return caseRequests.get();
  }

  /** Returns the {@code X-Fuzz-Seq} numbers of the default answers written in full this case. */
  List<Long> answered() {
    return List.copyOf(caseAnswered);
  }

  /** Returns and clears what the edge forwarded that no proxy may forward. */
  List<Violation> takeViolations() {
    List<Violation> out = List.copyOf(violations);
    violations.clear();
    return out;
  }

  /** Returns the open connections. */
  int open() {
    return conns.size();
  }

  /** Returns whether every open connection is idle between requests. */
  boolean allIdle() {
    for (Conn c : conns) {
      if (c.state != State.IDLE) {
        return false;
      }
    }
    return true;
  }

  /** Describes the open connections' states, for failure messages. */
  String describe() {
    StringBuilder b = new StringBuilder();
    for (Conn c : conns) {
      b.append(c.state).append(' ');
    }
    return conns.size() + " open: " + b.toString().strip();
  }

  /**
   * Closes from this side every open connection that wrote a scripted answer ({@code all}: every
   * open connection) and waits until the edge has seen each close (its side closed too), so no
   * later case meets a connection that went through a broken exchange or is going away. Returns
   * whether they all closed in time.
   */
  boolean closeScripted(boolean all, java.time.Duration timeout) {
    List<Conn> closing = new java.util.ArrayList<>();
    for (Conn c : conns) {
      if (all || c.scripted) {
        c.shutdownOutput();
        closing.add(c);
      }
    }
    return EdgeMutationFuzzTest.awaitCondition(timeout, () -> closing.stream().noneMatch(conns::contains));
  }

  private void accept() {
    while (!closed) {
      try {
        Socket s = listener.accept();
        s.setTcpNoDelay(true);
        s.setSoTimeout(30_000);
        Conn c = new Conn(s);
        conns.add(c);
        Thread.ofVirtual().name("fuzz-upstream-conn").start(c::serve);
      } catch (IOException e) {
        if (!closed) {
          violations.add(new Violation("upstream accept failed", e.toString()));
        }
      }
    }
  }

  /** The valid answer to {@code req}: 200, {@code Content-Length}, numbered. */
  private Answer defaultAnswer(RawRequests.Request req, long n) {
    String body = "fuzz-ok " + n + "\n";
    String head = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + body.length()
        + "\r\nX-Fuzz-Seq: " + n + "\r\n\r\n";
    String text = req.method().equals("HEAD") ? head : head + body;
    return new Answer(text.getBytes(StandardCharsets.ISO_8859_1), 1, false, false);
  }

  private void check(RawRequests.Request req) {
    for (String hop : List.of("connection", "keep-alive", "proxy-connection", "upgrade", "trailer")) {
      if (!req.all(hop).isEmpty()) {
        violations.add(new Violation("forwarded the hop-by-hop field " + hop, req.all(hop).toString()));
      }
    }
    for (String te : req.all("te")) {
      if (!te.toLowerCase(Locale.ROOT).equals("trailers")) {
        violations.add(new Violation("forwarded TE other than trailers", te));
      }
    }
    if (req.all("host").size() != 1) {
      violations.add(new Violation("forwarded no Host or several", req.all("host").toString()));
    }
  }

  /** One accepted connection. */
  private final class Conn {
    private final Socket socket;
    private volatile State state = State.IDLE;
    /** Whether it wrote an answer from a script (which may have left it in any state). */
    private volatile boolean scripted;

    Conn(Socket socket) {
      this.socket = socket;
    }

    void shutdownOutput() {
      try {
        socket.shutdownOutput();
      } catch (IOException ignored) {
        // already closed
      }
    }

    void serve() {
      try (socket) {
        InputStream in = new BufferedInputStream(socket.getInputStream());
        OutputStream out = socket.getOutputStream();
        while (true) {
          RawRequests.Request req;
          try {
            req = RawRequests.readRequest(in, () -> state = State.READING);
          } catch (StrictHttp.Malformed m) {
            violations.add(new Violation(m.kind(), m.getMessage()));
            return;
          }
          if (req == null) {
            return;
          }
          state = State.ANSWERING;
          check(req);
          int index = caseRequests.getAndIncrement();
          Script s = script;
          long n = seq.incrementAndGet();
          Answer a = s == null ? defaultAnswer(req, n) : s.answer(index, req);
          scripted |= s != null;
          write(out, a);
          if (s == null) {
            caseAnswered.add(n);
          }
          if (a.reset()) {
            socket.setSoLinger(true, 0);
          }
          if (a.close() || a.reset()) {
            return;
          }
          state = State.IDLE;
        }
      } catch (EOFException | SocketException gone) {
        // the edge closed the connection, in a request or between two
      } catch (IOException e) {
        violations.add(new Violation("upstream connection failed", e.toString()));
      } finally {
        conns.remove(this);
      }
    }

    private void write(OutputStream out, Answer a) throws IOException {
      byte[] b = a.bytes();
      int writes = Math.max(1, Math.min(a.writes(), b.length));
      int from = 0;
      for (int i = 1; i <= writes; i++) {
        int to = i == writes ? b.length : (int) ((long) b.length * i / writes);
        out.write(b, from, to - from);
        out.flush();
        from = to;
      }
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    listener.close();
    for (Conn c : conns) {
      c.shutdownOutput();
    }
    acceptor.interrupt();
  }
}
