package dev.sluice.server;

import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Requests in raw bytes, for the mutation fuzzer: how many request lines a mutated stream can hold,
 * the fields of its first request, and a strict reader for what the edge forwards to an upstream
 * (a malformed forward is a {@link StrictHttp.Malformed}). Stateless.
 */
final class RawRequests {

  private static final Pattern REQUEST_LINE = Pattern.compile("([!#$%&'*+.^_`|~0-9A-Za-z-]+) (\\S+) HTTP/1\\.1");
  private static final Pattern LOOSE_VERSION = Pattern.compile("\\S+/\\d+\\.\\d+");

  private RawRequests() {}

  /**
   * Returns how many lines of {@code raw} end the way a request line does (two words, then a
   * {@code NAME/D.D} version, then the line end): an upper bound on the requests a lenient server
   * can find in it, since a request may start anywhere a body ended, not only at a line start.
   */
  static int requestLines(byte[] raw) {
    int n = 0;
    int start = 0;
    for (int i = 0; i <= raw.length; i++) {
      if (i == raw.length || raw[i] == '\n') {
        if (endsLikeRequestLine(raw, start, i)) {
          n++;
        }
        start = i + 1;
      }
    }
    return n;
  }

  /** Whether the last word of {@code raw[from, to)} is a version and at least two words precede it. */
  private static boolean endsLikeRequestLine(byte[] raw, int from, int to) {
    int end = to;
    while (end > from && blank(raw[end - 1])) {
      end--;
    }
    int words = 0;
    int lastWord = -1;
    for (int i = end - 1; i >= from && words < 3; i--) {
      if (!blank(raw[i]) && (i == from || blank(raw[i - 1]))) {
        words++;
        if (words == 1) {
          lastWord = i;
        }
      }
    }
    return words == 3 && LOOSE_VERSION.matcher(StrictHttp.latin1(raw, lastWord, end)).matches();
  }

  private static boolean blank(byte b) {
    return b == ' ' || b == '\t' || b == 0x0b || b == 0x0c || b == '\r';
  }

  /**
   * Returns the header fields of the first request in {@code raw} when its head is cleanly
   * delimited (CRLF line ends, no bare CR or LF, an empty line) and every field line has a colon;
   * names are returned as sent, with any whitespace before the colon. Otherwise {@code null}.
   */
  static List<StrictHttp.Field> firstRequestFields(byte[] raw) {
    String text = StrictHttp.latin1(raw, 0, raw.length);
    int end = text.indexOf("\r\n\r\n");
    if (end < 0) {
      return null;
    }
    String[] lines = text.substring(0, end).split("\r\n", -1);
    List<StrictHttp.Field> out = new ArrayList<>();
    for (int i = 0; i < lines.length; i++) {
      String l = lines[i];
      if (l.indexOf('\r') >= 0 || l.indexOf('\n') >= 0 || i > 0 && (l.indexOf(':') <= 0 || l.charAt(0) == ' '
          || l.charAt(0) == '\t')) {
        return null;
      }
      if (i > 0) {
        int colon = l.indexOf(':');
        out.add(new StrictHttp.Field(l.substring(0, colon), l.substring(colon + 1).strip()));
      }
    }
    return out;
  }

  /**
   * A request as an upstream received it.
   *
   * @param method the method
   * @param target the request target
   * @param fields the header fields in order
   * @param body the body (decoded from chunks)
   * @param chunked whether it came chunked
   */
  record Request(String method, String target, List<StrictHttp.Field> fields, byte[] body, boolean chunked) {

    /** Returns every value of {@code name} (case-insensitive). */
    List<String> all(String name) {
      List<String> out = new ArrayList<>();
      for (StrictHttp.Field f : fields) {
        if (f.name().equalsIgnoreCase(name)) {
          out.add(f.value());
        }
      }
      return out;
    }
  }

  /**
   * Reads one request from {@code in}, strictly; returns {@code null} when the stream ends before
   * its first byte. {@code started} runs once the first byte arrived.
   *
   * @throws StrictHttp.Malformed when the bytes are not an HTTP/1.1 request a proxy may forward
   * @throws EOFException when the stream ends inside the request
   */
  static Request readRequest(InputStream in, Runnable started) throws IOException, StrictHttp.Malformed {
    int first = in.read();
    if (first < 0) {
      return null;
    }
    started.run();
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    head.write(first);
    int last4 = first;
    while (last4 != 0x0d0a0d0a) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("the stream ended in a request head");
      }
      head.write(b);
      last4 = last4 << 8 | b;
      if (head.size() > 65_536) {
        throw new StrictHttp.Malformed("forwarded a request head over 64 KiB", "");
      }
    }
    byte[] h = head.toByteArray();
    int eol = StrictHttp.lineEnd(h, 0);
    String line = StrictHttp.latin1(h, 0, eol);
    Matcher m = REQUEST_LINE.matcher(line);
    if (!m.matches()) {
      throw new StrictHttp.Malformed("forwarded a bad request line", line);
    }
    List<StrictHttp.Field> fields = new ArrayList<>();
    StrictHttp.fields(h, eol + 2, fields);
    List<String> te = valuesOf(fields, "transfer-encoding");
    List<String> cl = valuesOf(fields, "content-length");
    if (!te.isEmpty() && !cl.isEmpty()) {
      throw new StrictHttp.Malformed("forwarded both Transfer-Encoding and Content-Length", "");
    }
    if (te.size() > 1 || cl.size() > 1) {
      throw new StrictHttp.Malformed("forwarded Transfer-Encoding or Content-Length twice", "");
    }
    if (!te.isEmpty()) {
      if (!te.get(0).equalsIgnoreCase("chunked")) {
        throw new StrictHttp.Malformed("forwarded Transfer-Encoding other than chunked", te.get(0));
      }
      return new Request(m.group(1), m.group(2), fields, readChunked(in), true);
    }
    long n = 0;
    if (!cl.isEmpty()) {
      if (!cl.get(0).matches("\\d{1,18}")) {
        throw new StrictHttp.Malformed("forwarded an invalid Content-Length", cl.get(0));
      }
      n = Long.parseLong(cl.get(0));
    }
    return new Request(m.group(1), m.group(2), fields, in.readNBytes((int) Math.min(n, 1 << 20)), false);
  }

  private static byte[] readChunked(InputStream in) throws IOException, StrictHttp.Malformed {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    while (true) {
      String line = readLine(in);
      Matcher m = StrictHttp.CHUNK_SIZE.matcher(line);
      if (!m.matches()) {
        throw new StrictHttp.Malformed("forwarded a bad chunk size line", line);
      }
      int size = Integer.parseInt(m.group(1), 16);
      if (size == 0) {
        while (!readLine(in).isEmpty()) {
          // trailer fields are read and dropped
        }
        return body.toByteArray();
      }
      byte[] data = in.readNBytes(size);
      if (data.length < size) {
        throw new EOFException("the stream ended in a chunk");
      }
      body.write(data);
      if (!readLine(in).isEmpty()) {
        throw new StrictHttp.Malformed("forwarded chunk data not followed by CRLF", "");
      }
    }
  }

  private static String readLine(InputStream in) throws IOException, StrictHttp.Malformed {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    int prev = -1;
    while (true) {
      int b = in.read();
      if (b < 0) {
        throw new EOFException("the stream ended in a line");
      }
      if (prev == '\r' && b == '\n') {
        byte[] l = line.toByteArray();
        return StrictHttp.latin1(l, 0, l.length - 1);
      }
      line.write(b);
      prev = b;
      if (line.size() > 65_536) {
        throw new StrictHttp.Malformed("forwarded a line over 64 KiB", "");
      }
    }
  }

  private static List<String> valuesOf(List<StrictHttp.Field> fields, String name) {
    List<String> out = new ArrayList<>();
    for (StrictHttp.Field f : fields) {
      if (f.name().equalsIgnoreCase(name)) {
        out.add(f.value());
      }
    }
    return out;
  }
}
