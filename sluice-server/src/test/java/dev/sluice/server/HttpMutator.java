package dev.sluice.server;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Mutates a valid HTTP/1.1 message (a request or a response) the way a broken or hostile peer
 * would: byte flips and insertions, deleted and duplicated lines, CRLF to LF, obs-fold, whitespace
 * before the colon, extra and repeated framing fields, changed lengths and chunk sizes, odd
 * versions, methods and status codes, huge fields, truncation. Each operator names itself in {@link Result#ops()} so
 * a failure reads as a recipe. Deterministic for a given {@link Random}. Stateless.
 */
final class HttpMutator {

  private static final Pattern NUMBER_IN_FRAMING = Pattern.compile(
      "(?im)^(content-length[ \\t]*:[ \\t]*)(\\d+)|^([0-9a-f]+)(?=[;\\r\\n])");
  private static final Pattern STATUS = Pattern.compile("^(HTTP/\\S+ )(\\d+)");
  private static final Pattern FRAMING_LINE = Pattern.compile("(?im)^(content-length|transfer-encoding)[^\\n]*\\n");
  private static final byte[] INTERESTING = {'\r', '\n', ' ', '\t', ':', 0, 0x7f, (byte) 0x80, (byte) 0xff, '0', '9',
      ';', ',', '"', '\u000b', 'a', '-', '/', '%'};
  private static final List<String> NUMBERS = List.of("0", "1", "-1", "+5", "0005", "99999999999999999999",
      "18446744073709551616", "ffffffffffffffff1", "0x10", "1 2", "5,5", "", " 3", "4096", "65537", "7fffffff", "80000000",
      "1;ext", "1;a=\"b\"", "1 ;x", "2147483648");
  private static final List<String> VERSIONS = List.of("HTTP/1.0", "HTTP/9.9", "HTTP/2.0", "HTTP/1.2", "http/1.1",
      "HTTP/1", "HTTP/1.1 x", "HTTP/01.1", "HTTP/1.10", "XTTP/1.1", "");
  private static final List<String> STATUSES = List.of("100", "101", "102", "103", "199", "204", "205", "304", "999",
      "2000", "0", "-1", "20", "600", "099", "abc", "2OO", "200 ", "404", "502");
  private static final List<String> METHODS = List.of("HEAD", "OPTIONS", "CONNECT", "TRACE", "BREW", "get", "G ET",
      "PRI", "DELETE", "PUT", "PATCH", "", "GET\u0000");
  private static final List<String> REQUEST_FIELDS = List.of("Transfer-Encoding: chunked", "Content-Length: 5",
      "Content-Length: 0", "Transfer-Encoding: gzip, chunked", "Transfer-Encoding: chunked, gzip",
      "Transfer-Encoding: identity", "Transfer-Encoding: xchunked", "Transfer-Encoding:\tchunked",
      "Transfer-Encoding : chunked", "Content-Length: 5, 5", "Content-Length: +5", "Connection: close",
      "Connection: keep-alive", "Connection: X-Fuzz-Hop", "X-Fuzz-Hop: 1", "Expect: 100-continue", "Expect: magic",
      "Upgrade: h2c", "Upgrade: websocket", "Host: a", "Host: ", "Host: a b", "X-Client-ID: fuzz-other",
      "X-Client-ID: ", "X-API-Key: k", "Trailer: X-T", "TE: trailers", "TE: gzip", "Keep-Alive: timeout=1",
      "Proxy-Connection: close", "Content-Type: application/json", "X-Forwarded-For: 10.0.0.1, ::1, junk",
      "Authorization: Bearer x", " folded: yes", "\tX-Tab: 1", "X-Empty:", ":no-name", "X-\u00e9: 1");
  private static final List<String> RESPONSE_FIELDS = List.of("Transfer-Encoding: chunked", "Content-Length: 0",
      "Content-Length: 3", "Content-Length: 99999", "Content-Length: 3, 3", "Content-Length: -1",
      "Transfer-Encoding: gzip", "Transfer-Encoding: chunked, gzip", "Connection: close", "Connection: keep-alive",
      "Connection: X-Up-Hop", "X-Up-Hop: 1", "Keep-Alive: timeout=0", "Proxy-Connection: close", "Upgrade: h2c",
      "Trailer: X-T", "Set-Cookie: a=b", "Content-Type: text/html", "Content-Type:", " folded: yes",
      "X-Space : 1", "\u0000Nul: 1", "X-\u00ff: 1");

  private HttpMutator() {}

  /**
   * A mutated message.
   *
   * @param bytes the mutated bytes
   * @param ops the operators applied, in order
   * @param truncated whether one of them cut the message short
   */
  record Result(byte[] bytes, List<String> ops, boolean truncated) {}

  /** Applies one to four operators to {@code seed}; {@code response} selects the field and number lists. */
  static Result mutate(byte[] seed, Random r, boolean response) {
    byte[] b = seed;
    List<String> ops = new ArrayList<>();
    boolean truncated = false;
    int n = 1 + (r.nextInt(8) == 0 ? 3 : r.nextInt(3));
    for (int i = 0; i < n && b.length > 0; i++) {
      int op = r.nextInt(20);
      switch (op) {
        case 0 -> {
          int at = r.nextInt(b.length);
          int bit = r.nextInt(8);
          b = b.clone();
          b[at] ^= (byte) (1 << bit);
          ops.add("flip(" + at + "," + bit + ")");
        }
        case 1 -> {
          int at = r.nextInt(b.length + 1);
          byte x = INTERESTING[r.nextInt(INTERESTING.length)];
          b = splice(b, at, at, new byte[] {x});
          ops.add("insert(" + at + ",0x" + Integer.toHexString(x & 0xff) + ")");
        }
        case 2 -> {
          int at = r.nextInt(b.length);
          int len = 1 + r.nextInt(Math.min(8, b.length - at));
          b = splice(b, at, at + len, new byte[0]);
          ops.add("delete(" + at + "," + len + ")");
        }
        case 3 -> {
          int at = r.nextInt(b.length);
          int len = 1 + r.nextInt(Math.min(32, b.length - at));
          b = splice(b, at, at, java.util.Arrays.copyOfRange(b, at, at + len));
          ops.add("duplicate(" + at + "," + len + ")");
        }
        case 4 -> {
          int[] line = framingLine(b, r);
          boolean framing = line != null;
          if (!framing) {
            line = line(b, r);
          }
          b = splice(b, line[1], line[1], java.util.Arrays.copyOfRange(b, line[0], line[1]));
          ops.add((framing ? "repeatFraming(" : "duplicateLine(") + line[0] + ")");
        }
        case 5 -> {
          int[] line = line(b, r);
          b = splice(b, line[0], line[1], new byte[0]);
          ops.add("deleteLine(" + line[0] + ")");
        }
        case 6 -> {
          boolean all = r.nextBoolean();
          b = replace(b, "\r\n", "\n", all ? -1 : r.nextInt(8));
          ops.add(all ? "crlfToLfAll" : "crlfToLf");
        }
        case 7 -> {
          String to = r.nextBoolean() ? "\r" : "\r\r\n";
          b = replace(b, "\r\n", to, r.nextInt(8));
          ops.add("crlfTo(" + StrictHttp.escape(to.getBytes(StandardCharsets.ISO_8859_1), 0, to.length()) + ")");
        }
        case 8 -> {
          int[] line = line(b, r);
          String fold = r.nextBoolean() ? " " : "\t";
          b = splice(b, line[0], line[0], ("\r\n" + fold).getBytes(StandardCharsets.ISO_8859_1));
          ops.add("obsFold(" + line[0] + ")");
        }
        case 9 -> {
          int colon = indexOf(b, (byte) ':', r);
          if (colon >= 0) {
            b = splice(b, colon, colon, (r.nextBoolean() ? " " : "\t").getBytes(StandardCharsets.ISO_8859_1));
            ops.add("spaceBeforeColon(" + colon + ")");
          }
        }
        case 10, 11 -> {
          Result m = number(b, r);
          if (m != null) {
            b = m.bytes();
            ops.addAll(m.ops());
          }
        }
        case 12, 13 -> {
          List<String> fields = response ? RESPONSE_FIELDS : REQUEST_FIELDS;
          String f = fields.get(r.nextInt(fields.size()));
          int at = afterFirstLine(b);
          b = splice(b, at, at, (f + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
          ops.add("addField(" + f + ")");
        }
        case 14 -> {
          int at = r.nextInt(b.length);
          b = java.util.Arrays.copyOf(b, at);
          truncated = true;
          ops.add("truncate(" + at + ")");
        }
        case 15 -> {
          String v = VERSIONS.get(r.nextInt(VERSIONS.size()));
          b = replace(b, response ? "HTTP/1.1 " : "HTTP/1.1\r\n", response ? v + " " : v + "\r\n", 0);
          ops.add("version(" + v + ")");
        }
        case 16 -> {
          if (response) {
            String s = STATUSES.get(r.nextInt(STATUSES.size()));
            Matcher m = STATUS.matcher(StrictHttp.latin1(b, 0, b.length));
            if (m.find()) {
              b = splice(b, m.start(2), m.end(2), s.getBytes(StandardCharsets.ISO_8859_1));
              ops.add("status(" + s + ")");
            }
          } else {
            String m = METHODS.get(r.nextInt(METHODS.size()));
            int sp = indexOf(b, (byte) ' ', null);
            if (sp >= 0) {
              b = splice(b, 0, sp, m.getBytes(StandardCharsets.ISO_8859_1));
              ops.add("method(" + StrictHttp.escape(m.getBytes(StandardCharsets.ISO_8859_1), 0, m.length()) + ")");
            }
          }
        }
        case 17 -> {
          int size = List.of(9_000, 17_000, 70_000, 100_000).get(r.nextInt(4));
          int at = afterFirstLine(b);
          b = splice(b, at, at, ("X-Big: " + "b".repeat(size) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
          ops.add("hugeField(" + size + ")");
        }
        case 18 -> {
          if (response) {
            byte[] extra = List.of("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi", "garbage\r\n\r\n", "\r\n", "0\r\n\r\n")
                .get(r.nextInt(4)).getBytes(StandardCharsets.ISO_8859_1);
            b = splice(b, b.length, b.length, extra);
            ops.add("append(" + StrictHttp.escape(extra, 0, extra.length) + ")");
          } else {
            int q = indexOf(b, (byte) ' ', null);
            List<String> targets = List.of("/" + "u".repeat(9_000), "*", "http://other/x", "/%zz", "/a#frag", "/a b",
                "//x", "/\u00e9", "http://edge:99999/x", "HTTPS://edge/x", "http:///x", "http://[::1]:8/x",
                "http://e%41/x?q", "ftp://edge/x", "edge:80");
            String t = targets.get(r.nextInt(targets.size()));
            int end = q < 0 ? -1 : indexFrom(b, (byte) ' ', q + 1);
            if (end > q) {
              b = splice(b, q + 1, end, t.getBytes(StandardCharsets.ISO_8859_1));
              ops.add("target(" + (t.length() > 40 ? t.substring(0, 12) + "...(" + t.length() + ")" : t) + ")");
            }
          }
        }
        default -> {
          int at = r.nextInt(b.length + 1);
          int len = 1 + r.nextInt(4);
          byte[] junk = new byte[len];
          for (int k = 0; k < len; k++) {
            junk[k] = INTERESTING[r.nextInt(INTERESTING.length)];
          }
          b = splice(b, at, Math.min(b.length, at + len), junk);
          ops.add("overwrite(" + at + "," + StrictHttp.escape(junk, 0, len) + ")");
        }
      }
    }
    return new Result(b, List.copyOf(ops), truncated);
  }

  /** Replaces a Content-Length value or a chunk size with an edge-case number. */
  private static Result number(byte[] b, Random r) {
    Matcher m = NUMBER_IN_FRAMING.matcher(StrictHttp.latin1(b, 0, b.length));
    List<int[]> spans = new ArrayList<>();
    while (m.find()) {
      int g = m.group(2) != null ? 2 : 3;
      spans.add(new int[] {m.start(g), m.end(g)});
    }
    if (spans.isEmpty()) {
      return null;
    }
    int[] span = spans.get(r.nextInt(spans.size()));
    String old = StrictHttp.latin1(b, span[0], span[1]);
    String to = switch (r.nextInt(4)) {
      case 0 -> Long.toString(Math.max(0, parse(old) + (r.nextBoolean() ? 1 : -1)));
      case 1 -> Long.toString(parse(old) * 2 + 1);
      default -> NUMBERS.get(r.nextInt(NUMBERS.size()));
    };
    return new Result(splice(b, span[0], span[1], to.getBytes(StandardCharsets.ISO_8859_1)),
        List.of("number(" + old + "->" + to + ")"), false);
  }

  private static long parse(String s) {
    try {
      return Long.parseLong(s);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /**
   * Returns {@code [start, endIncludingLf)} of a {@code Content-Length} or {@code Transfer-Encoding}
   * line half the time there is one, else {@code null}.
   */
  private static int[] framingLine(byte[] b, Random r) {
    if (r.nextBoolean()) {
      return null;
    }
    Matcher m = FRAMING_LINE.matcher(StrictHttp.latin1(b, 0, b.length));
    List<int[]> lines = new ArrayList<>();
    while (m.find()) {
      lines.add(new int[] {m.start(), m.end()});
    }
    return lines.isEmpty() ? null : lines.get(r.nextInt(lines.size()));
  }

  /** Returns {@code [start, endIncludingLf)} of a random line. */
  private static int[] line(byte[] b, Random r) {
    List<Integer> starts = new ArrayList<>();
    starts.add(0);
    for (int i = 0; i < b.length - 1; i++) {
      if (b[i] == '\n') {
        starts.add(i + 1);
      }
    }
    int s = starts.get(r.nextInt(starts.size()));
    int e = indexFrom(b, (byte) '\n', s);
    return new int[] {s, e < 0 ? b.length : e + 1};
  }

  private static int afterFirstLine(byte[] b) {
    int lf = indexFrom(b, (byte) '\n', 0);
    return lf < 0 ? b.length : lf + 1;
  }

  private static int indexOf(byte[] b, byte x, Random r) {
    List<Integer> at = new ArrayList<>();
    for (int i = 0; i < b.length; i++) {
      if (b[i] == x) {
        if (r == null) {
          return i;
        }
        at.add(i);
      }
    }
    return at.isEmpty() ? -1 : at.get(r.nextInt(at.size()));
  }

  private static int indexFrom(byte[] b, byte x, int from) {
    for (int i = from; i < b.length; i++) {
      if (b[i] == x) {
        return i;
      }
    }
    return -1;
  }

  /** Replaces occurrence {@code which} of {@code from} (or every one when negative) with {@code to}. */
  private static byte[] replace(byte[] b, String from, String to, int which) {
    String s = StrictHttp.latin1(b, 0, b.length);
    if (which < 0) {
      return s.replace(from, to).getBytes(StandardCharsets.ISO_8859_1);
    }
    List<Integer> at = new ArrayList<>();
    for (int i = s.indexOf(from); i >= 0; i = s.indexOf(from, i + 1)) {
      at.add(i);
    }
    if (at.isEmpty()) {
      return b;
    }
    int i = at.get(which % at.size());
    return (s.substring(0, i) + to + s.substring(i + from.length())).getBytes(StandardCharsets.ISO_8859_1);
  }

  static byte[] splice(byte[] b, int from, int to, byte[] with) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(b.length + with.length);
    out.write(b, 0, from);
    out.write(with, 0, with.length);
    out.write(b, to, b.length - to);
    return out.toByteArray();
  }
}
