package dev.sluice.server;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * HTTP/1.1 read by hand from a socket, for tests that must see exactly what went over the wire:
 * heads, bodies framed by {@code Content-Length}, chunked or the end of the connection, interim
 * responses, and whether the peer closed. A reset connection counts as closed.
 */
final class RawHttp {

  private RawHttp() {}

  /**
   * One response as read.
   *
   * @param head the status line and header lines, CRLF-separated
   * @param status the status code
   * @param body the body (de-chunked), as ISO-8859-1 text
   * @param complete whether the body ended as its framing says (not cut by the end of the connection)
   */
  record Response(String head, int status, String body, boolean complete) {

    /** Returns the first value of header {@code name} (case-insensitive), or null. */
    String header(String name) {
      List<String> all = headers(name);
      return all.isEmpty() ? null : all.get(0);
    }

    /** Returns every value of header {@code name} (case-insensitive). */
    List<String> headers(String name) {
      return new ScriptedUpstream.Received(head, "", 0).headers(name);
    }
  }

  /**
   * Reads a head up to (and without) the empty line; returns null if the stream ends (or is
   * reset) before the first byte, and what was read if it ends later.
   */
  static String readHead(InputStream in, int max) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int state = 0; // bytes of "\r\n\r\n" matched
    while (state < 4) {
      int b;
      try {
        b = in.read();
      } catch (SocketException reset) {
        b = -1;
      }
      if (b < 0) {
        return buf.size() == 0 ? null : buf.toString(StandardCharsets.ISO_8859_1);
      }
      buf.write(b);
      if (buf.size() > max) {
        throw new IOException("head larger than " + max + " bytes");
      }
      state = b == (state % 2 == 0 ? '\r' : '\n') ? state + 1 : b == '\r' ? 1 : 0;
    }
    String s = buf.toString(StandardCharsets.ISO_8859_1);
    return s.substring(0, s.length() - 4);
  }

  /** Reads a chunked body into {@code out}; returns false if the stream ended first. */
  static boolean readChunked(InputStream in, ByteArrayOutputStream out) throws IOException {
    while (true) {
      String line = readLine(in);
      if (line == null) {
        return false;
      }
      int semi = line.indexOf(';');
      int size = Integer.parseInt((semi < 0 ? line : line.substring(0, semi)).strip(), 16);
      if (size == 0) {
        while (true) {
          String trailer = readLine(in);
          if (trailer == null) {
            return false;
          }
          if (trailer.isEmpty()) {
            return true;
          }
        }
      }
      byte[] data = readUpTo(in, size);
      out.write(data);
      if (data.length < size || readLine(in) == null) {
        return false;
      }
    }
  }

  private static String readLine(InputStream in) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    while (true) {
      int b;
      try {
        b = in.read();
      } catch (SocketException reset) {
        return null;
      }
      if (b < 0) {
        return null;
      }
      if (b == '\n') {
        String s = buf.toString(StandardCharsets.ISO_8859_1);
        return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
      }
      buf.write(b);
    }
  }

  private static byte[] readUpTo(InputStream in, int n) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    byte[] chunk = new byte[8192];
    while (buf.size() < n) {
      int r;
      try {
        r = in.read(chunk, 0, Math.min(chunk.length, n - buf.size()));
      } catch (SocketException reset) {
        r = -1;
      }
      if (r < 0) {
        break;
      }
      buf.write(chunk, 0, r);
    }
    return buf.toByteArray();
  }

  /**
   * Reads one response (an interim 1xx is one response too); returns null when the connection
   * ends before its first byte.
   *
   * @param head whether it answers a HEAD request (no body whatever the headers say)
   */
  static Response read(InputStream in, boolean head) throws IOException {
    String h = readHead(in, 1 << 20);
    if (h == null) {
      return null;
    }
    String statusLine = h.substring(0, h.indexOf("\r\n") < 0 ? h.length() : h.indexOf("\r\n"));
    String[] parts = statusLine.split(" ", 3);
    int status = Integer.parseInt(parts[1]);
    Response r = new Response(h, status, "", true);
    if (head || status < 200 || status == 204 || status == 304) {
      return r;
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    boolean complete;
    String te = r.header("transfer-encoding");
    String cl = r.header("content-length");
    if (te != null && te.toLowerCase(Locale.ROOT).contains("chunked")) {
      complete = readChunked(in, body);
    } else if (cl != null) {
      int n = Integer.parseInt(cl);
      byte[] data = readUpTo(in, n);
      body.write(data);
      complete = data.length == n;
    } else {
      body.write(readUpTo(in, Integer.MAX_VALUE));
      complete = true;
    }
    return new Response(h, status, body.toString(StandardCharsets.ISO_8859_1), complete);
  }

  /** Reads responses until a final (non-1xx) one; returns them all, or what came before the end. */
  static List<Response> readFinal(InputStream in, boolean head) throws IOException {
    List<Response> out = new ArrayList<>();
    Response r;
    do {
      r = read(in, head);
      if (r != null) {
        out.add(r);
      }
    } while (r != null && r.status() < 200);
    return out;
  }

  /**
   * Returns whether the peer has closed the connection: the next read ends the stream or is
   * reset. Fails when the peer sends anything instead; the socket's read timeout bounds the wait.
   */
  static boolean closed(InputStream in) throws IOException {
    try {
      int b = in.read();
      if (b >= 0) {
        byte[] more = in.readNBytes(Math.min(200, in.available()));
        throw new AssertionError("expected the connection to close, got: " + (char) b
            + new String(more, StandardCharsets.ISO_8859_1));
      }
      return true;
    } catch (SocketTimeoutException stillOpen) {
      return false;
    } catch (SocketException reset) {
      return true;
    }
  }
}
