package dev.sluice.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A fake upstream on a loopback server socket: each whole request it reads (head, then a
 * body framed by {@code Content-Length} or chunked) is recorded, and answered with the next scripted
 * raw response, or with {@link #OK} when none is queued. A request cut short by the end of the
 * connection is not a request (an upstream would not act on it) and is not recorded. A scripted answer may close the
 * connection after writing. One thread per connection; everything closes with {@link #close}.
 */
final class ScriptedUpstream extends LoopbackUpstream {

  /**
   * One raw answer.
   *
   * @param bytes what is written, exactly
   * @param close whether the connection is closed after writing (without reading anything else)
   */
  record Answer(byte[] bytes, boolean close) {

    static Answer of(String raw) {
      return new Answer(raw.getBytes(StandardCharsets.ISO_8859_1), false);
    }

    static Answer thenClose(String raw) {
      return new Answer(raw.getBytes(StandardCharsets.ISO_8859_1), true);
    }
  }

  /**
   * One request as the upstream read it.
   *
   * @param head the request line and header lines, CRLF-separated, without the empty line
   * @param body the body, de-chunked
   * @param connection the number of the connection it came on (1 for the first accepted)
   */
  record Received(String head, String body, int connection) {

    /** Returns the request line. */
    String requestLine() {
      return head.substring(0, head.indexOf("\r\n") < 0 ? head.length() : head.indexOf("\r\n"));
    }

    /** Returns every value of header {@code name} (case-insensitive), in order. */
    List<String> headers(String name) {
      List<String> out = new ArrayList<>();
      String[] lines = head.split("\r\n");
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        if (colon > 0 && lines[i].substring(0, colon).equalsIgnoreCase(name)) {
          out.add(lines[i].substring(colon + 1).strip());
        }
      }
      return out;
    }
  }

  /** The answer when nothing is scripted: 200 with body {@code ok}, keep-alive. */
  static final Answer OK = Answer.of("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok");

  private final Queue<Answer> script = new ConcurrentLinkedQueue<>();
  /** Requests read so far, in order. */
  final Queue<Received> received = new ConcurrentLinkedQueue<>();
  /** Numbers of the connections that have ended (closed by either side). */
  final Set<Integer> ended = ConcurrentHashMap.newKeySet();

  ScriptedUpstream() {
    super(50);
    start("scripted-upstream");
  }

  /** Queues answers for the next requests, in order; later requests get {@link #OK}. */
  void script(List<Answer> answers) {
    script.addAll(answers);
  }

  /** Forgets the script and the requests received. */
  void reset() {
    script.clear();
    received.clear();
  }

  @Override
  void serve(Socket s, int n) {
    try (s) {
      s.setSoTimeout(30_000);
      InputStream in = s.getInputStream();
      OutputStream out = s.getOutputStream();
      while (true) {
        Received r = readRequest(in, n);
        if (r == null) {
          return; // the connection ended, before a request or in the middle of one
        }
        received.add(r);
        Answer a = script.poll();
        if (a == null) {
          a = OK;
        }
        out.write(a.bytes());
        out.flush();
        if (a.close()) {
          return;
        }
      }
    } catch (IOException gone) {
      // The edge closed the connection (on purpose, in most scripts).
    } finally {
      ended.add(n);
    }
  }

  private static Received readRequest(InputStream in, int connection) throws IOException {
    String head = RawHttp.readHead(in, 1 << 20);
    if (head == null) {
      return null;
    }
    Received r = new Received(head, "", connection);
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    List<String> te = r.headers("transfer-encoding");
    List<String> cl = r.headers("content-length");
    if (!te.isEmpty() && te.get(te.size() - 1).toLowerCase(Locale.ROOT).endsWith("chunked")) {
      if (!RawHttp.readChunked(in, body)) {
        return null;
      }
    } else if (!cl.isEmpty()) {
      int n = Integer.parseInt(cl.get(0));
      byte[] b = in.readNBytes(n);
      if (b.length < n) {
        return null;
      }
      body.write(b);
    }
    return new Received(head, body.toString(StandardCharsets.ISO_8859_1), connection);
  }
}
