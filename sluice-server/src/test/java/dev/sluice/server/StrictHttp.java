package dev.sluice.server;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Strict HTTP/1.1 response framing for the mutation fuzzer: splits a raw byte stream the edge sent
 * into responses (status line, fields, a body framed by {@code Content-Length}, chunked coding or
 * the end of the stream; none for HEAD, 1xx, 204 and 304). Anything RFC 9112 does not allow a
 * sender to produce is an error: the edge is the sender being checked. Requests are in {@link
 * RawRequests}. Stateless.
 */
final class StrictHttp {

  private static final Pattern STATUS_LINE = Pattern.compile("HTTP/1\\.([01]) (\\d{3}) ([^\\x00-\\x08\\x0a-\\x1f\\x7f]*)");
  static final Pattern CHUNK_SIZE = Pattern.compile("([0-9A-Fa-f]{1,7})(;[^\\x00-\\x08\\x0a-\\x1f\\x7f]*)?");

  private StrictHttp() {}

  /** A message framing error in bytes the edge sent: a fixed kind, and where and what. */
  static final class Malformed extends Exception {
    private final String kind;

    Malformed(String kind, String detail) {
      super(kind + (detail.isEmpty() ? "" : ": " + detail), null, false, false);
      this.kind = kind;
    }

    /** Returns what is wrong, without where: the same for every instance of one problem. */
    String kind() {
      return kind;
    }
  }

  /** One header field as sent. */
  record Field(String name, String value) {}

  /**
   * One response found in a stream.
   *
   * @param offset where its status line starts in the stream
   * @param status the status code
   * @param version {@code HTTP/1.0} or {@code HTTP/1.1}
   * @param fields the header fields in order
   * @param body the body bytes (decoded from chunks)
   * @param complete false when the stream ended inside the body (an abort)
   * @param closes the connection must end after it ({@code Connection: close}, or HTTP/1.0 without
   *     keep-alive, or a body delimited by the close)
   * @param text the response's bytes as ISO-8859-1, for content checks
   */
  record Response(int offset, int status, String version, List<Field> fields, byte[] body, boolean complete,
      boolean closes, String text) {

    /** Returns the first value of {@code name} (case-insensitive), or {@code null}. */
    String field(String name) {
      for (Field f : fields) {
        if (f.name().equalsIgnoreCase(name)) {
          return f.value();
        }
      }
      return null;
    }
  }

  /**
   * The responses found in a stream.
   *
   * @param finals the final (non-1xx) responses, in order
   * @param interim how many 1xx responses came before them
   */
  record Responses(List<Response> finals, int interim) {}

  /**
   * Splits {@code stream} into responses. {@code bodiless.test(i)} says whether the request the
   * {@code i}-th final response answers was a HEAD; when it is {@code null} a HEAD is guessed from
   * what follows a head that announces a body (nothing, or the next status line).
   *
   * @throws Malformed at the first byte no HTTP/1.1 sender may send
   */
  static Responses responses(byte[] stream, IntPredicate bodiless) throws Malformed {
    return responses(stream, bodiless, Integer.MAX_VALUE);
  }

  /**
   * Returns the first final response in {@code s} when everything up to its end is valid (what
   * follows it is not looked at), else {@code null}.
   */
  static Response firstResponse(byte[] s, boolean head) {
    try {
      List<Response> r = responses(s, i -> head, 1).finals();
      return r.isEmpty() ? null : r.get(0);
    } catch (Malformed m) {
      return null;
    }
  }

  private static Responses responses(byte[] stream, IntPredicate bodiless, int max) throws Malformed {
    List<Response> finals = new ArrayList<>();
    int interim = 0;
    int p = 0;
    while (p < stream.length && finals.size() < max) {
      int start = p;
      int eol = lineEnd(stream, p);
      if (eol < 0) {
        throw new Malformed("status line without CRLF", "at " + p + ": " + excerpt(stream, p));
      }
      String line = latin1(stream, p, eol);
      Matcher m = STATUS_LINE.matcher(line);
      if (!m.matches()) {
        throw new Malformed("not a status line", "at " + p + ": " + excerpt(stream, p));
      }
      int status = Integer.parseInt(m.group(2));
      if (status < 100 || status > 599) {
        throw new Malformed("status " + status + " outside 100..599", "at " + p);
      }
      String version = "HTTP/1." + m.group(1);
      p = eol + 2;
      List<Field> fields = new ArrayList<>();
      p = fields(stream, p, fields);
      if (p < 0) {
        throw new Malformed("response head cut off", excerpt(stream, start));
      }
      if (status < 200) {
        if (value(fields, "content-length") != null || value(fields, "transfer-encoding") != null) {
          throw new Malformed("1xx response with a body length", status + " at " + start);
        }
        interim++;
        continue;
      }
      boolean head = bodiless != null ? bodiless.test(finals.size())
          : p == stream.length || startsWith(stream, p, "HTTP/1.");
      Body body = body(stream, p, status, head, fields);
      p = body.end;
      boolean closes = body.untilClose || connectionCloses(version, fields);
      finals.add(new Response(start, status, version, List.copyOf(fields), body.bytes, body.complete, closes,
          latin1(stream, start, p)));
      if ((closes || !body.complete) && p < stream.length) {
        throw new Malformed("bytes after a response that " + (body.complete ? "closes the connection" : "was cut off"),
            "at " + p + ": " + excerpt(stream, p));
      }
    }
    return new Responses(finals, interim);
  }

  private record Body(byte[] bytes, int end, boolean complete, boolean untilClose) {}

  private static Body body(byte[] s, int p, int status, boolean head, List<Field> fields) throws Malformed {
    String te = value(fields, "transfer-encoding");
    String cl = value(fields, "content-length");
    if (count(fields, "transfer-encoding") > 1 || count(fields, "content-length") > 1) {
      throw new Malformed("Transfer-Encoding or Content-Length sent twice", "at " + p);
    }
    if (te != null && cl != null) {
      throw new Malformed("both Transfer-Encoding and Content-Length", "at " + p);
    }
    if (te != null && status == 204) {
      throw new Malformed("Transfer-Encoding on a 204", "at " + p);
    }
    if (cl != null && !cl.matches("\\d{1,18}")) {
      throw new Malformed("invalid Content-Length", cl + " at " + p);
    }
    if (head || status == 204 || status == 304) {
      return new Body(new byte[0], p, true, false);
    }
    if (te != null) {
      if (!te.equalsIgnoreCase("chunked")) {
        throw new Malformed("Transfer-Encoding other than chunked", te + " at " + p);
      }
      return chunked(s, p);
    }
    if (cl != null) {
      long n = Long.parseLong(cl);
      int end = (int) Math.min(s.length, p + n);
      return new Body(java.util.Arrays.copyOfRange(s, p, end), end, end == p + n, false);
    }
    return new Body(java.util.Arrays.copyOfRange(s, p, s.length), s.length, true, true);
  }

  private static Body chunked(byte[] s, int p) throws Malformed {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    while (true) {
      int eol = lineEnd(s, p);
      if (eol < 0) {
        checkTruncated(s, p, "a chunk size");
        return new Body(out.toByteArray(), s.length, false, false);
      }
      Matcher m = CHUNK_SIZE.matcher(latin1(s, p, eol));
      if (!m.matches()) {
        throw new Malformed("bad chunk size line", "at " + p + ": " + excerpt(s, p));
      }
      int size = Integer.parseInt(m.group(1), 16);
      p = eol + 2;
      if (size == 0) {
        int end = fields(s, p, new ArrayList<>());
        return end < 0 ? new Body(out.toByteArray(), s.length, false, false) : new Body(out.toByteArray(), end, true, false);
      }
      if (p + size + 2 > s.length) {
        out.write(s, p, Math.min(size, s.length - p));
        checkTruncated(s, Math.min(s.length, p + size), "a chunk end");
        return new Body(out.toByteArray(), s.length, false, false);
      }
      out.write(s, p, size);
      p += size;
      if (s[p] != '\r' || s[p + 1] != '\n') {
        throw new Malformed("chunk data not followed by CRLF", "at " + p);
      }
      p += 2;
    }
  }

  /** A cut in the middle of a line is fine at the end of the stream, a bare LF is not. */
  private static void checkTruncated(byte[] s, int p, String what) throws Malformed {
    for (int i = p; i < s.length; i++) {
      if (s[i] == '\n') {
        throw new Malformed("bare LF", "in " + what + " at " + i);
      }
    }
  }

  /**
   * Reads header fields from {@code p} through the empty line; returns the index after it, or -1
   * when the stream ends first.
   */
  static int fields(byte[] s, int p, List<Field> out) throws Malformed {
    while (true) {
      int eol = lineEnd(s, p);
      if (eol < 0) {
        checkTruncated(s, p, "a header block");
        return -1;
      }
      if (eol == p) {
        return p + 2;
      }
      int colon = -1;
      for (int i = p; i < eol; i++) {
        if (s[i] == ':') {
          colon = i;
          break;
        }
      }
      if (colon <= p) {
        throw new Malformed("header line without a name", "at " + p + ": " + excerpt(s, p));
      }
      for (int i = p; i < colon; i++) {
        if (!isTchar(s[i])) {
          throw new Malformed("header name not a token", "byte 0x" + Integer.toHexString(s[i] & 0xff) + " at " + i + ": "
              + excerpt(s, p));
        }
      }
      for (int i = colon + 1; i < eol; i++) {
        int b = s[i] & 0xff;
        if (b < 0x20 && b != '\t' || b == 0x7f) {
          throw new Malformed("control byte in a header value", "byte 0x" + Integer.toHexString(b) + " at " + i + ": "
              + excerpt(s, p));
        }
      }
      out.add(new Field(latin1(s, p, colon), latin1(s, colon + 1, eol).strip()));
      p = eol + 2;
    }
  }

  /** Returns the index of the CR of the next CRLF, or -1; a bare LF or CR before it is malformed. */
  static int lineEnd(byte[] s, int p) throws Malformed {
    for (int i = p; i < s.length; i++) {
      if (s[i] == '\n') {
        throw new Malformed("bare LF", "at " + i + ": " + excerpt(s, p));
      }
      if (s[i] == '\r') {
        if (i + 1 == s.length) {
          return -1;
        }
        if (s[i + 1] != '\n') {
          throw new Malformed("bare CR", "at " + i + ": " + excerpt(s, p));
        }
        return i;
      }
    }
    return -1;
  }

  private static boolean isTchar(byte b) {
    return b >= '0' && b <= '9' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || "!#$%&'*+-.^_`|~".indexOf(b) >= 0;
  }

  private static boolean connectionCloses(String version, List<Field> fields) {
    boolean close = false;
    boolean keepAlive = false;
    for (Field f : fields) {
      if (f.name().equalsIgnoreCase("connection")) {
        for (String token : f.value().split(",")) {
          String t = token.strip().toLowerCase(Locale.ROOT);
          close |= t.equals("close");
          keepAlive |= t.equals("keep-alive");
        }
      }
    }
    return close || version.equals("HTTP/1.0") && !keepAlive;
  }

  private static String value(List<Field> fields, String name) {
    for (Field f : fields) {
      if (f.name().equalsIgnoreCase(name)) {
        return f.value();
      }
    }
    return null;
  }

  private static int count(List<Field> fields, String name) {
    int n = 0;
    for (Field f : fields) {
      if (f.name().equalsIgnoreCase(name)) {
        n++;
      }
    }
    return n;
  }

  static boolean startsWith(byte[] s, int p, String prefix) {
    if (s.length - p < prefix.length()) {
      return false;
    }
    for (int i = 0; i < prefix.length(); i++) {
      if (s[p + i] != prefix.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  static String latin1(byte[] s, int from, int to) {
    return new String(s, from, to - from, StandardCharsets.ISO_8859_1);
  }

  /** Returns up to 80 bytes from {@code p}, with control bytes escaped. */
  static String excerpt(byte[] s, int p) {
    return escape(s, p, Math.min(s.length, p + 80));
  }

  /** Returns {@code s[from, to)} with CR, LF, TAB and other control bytes escaped. */
  static String escape(byte[] s, int from, int to) {
    StringBuilder b = new StringBuilder();
    for (int i = from; i < to; i++) {
      int c = s[i] & 0xff;
      switch (c) {
        case '\r' -> b.append("\\r");
        case '\n' -> b.append("\\n");
        case '\t' -> b.append("\\t");
        case '\\' -> b.append("\\\\");
        default -> {
          if (c < 0x20 || c >= 0x7f) {
            b.append(String.format("\\x%02x", c));
          } else {
            b.append((char) c);
          }
        }
      }
    }
    return b.toString();
  }
}
