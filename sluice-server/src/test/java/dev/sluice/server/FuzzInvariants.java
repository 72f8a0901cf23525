package dev.sluice.server;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.IntPredicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The invariants the edge mutation fuzzer checks on each {@link FuzzCase}, each recording what it
 * finds broken on the case. Stateless.
 */
final class FuzzInvariants {

  /** Text no response may carry: a stack trace, a class or package name, an internal address. */
  static final Pattern INTERNALS = Pattern.compile(
      "Exception|Error:|io\\.netty|java\\.|javax\\.|dev\\.sluice|com\\.linecorp|\\tat |Caused by|127\\.0\\.0\\.1:\\d+"
          + "|localhost:\\d+|/127\\.0\\.0\\.1");
  /** Heads up to this size are within the edge's limit on upstream header blocks (16 KiB)... */
  static final int HEAD_SURELY_WITHIN = 15_000;
  /** ... and heads from this size on are over it. */
  static final int HEAD_SURELY_OVER = 20_000;

  private static final Pattern SWITCHING = Pattern.compile("HTTP/\\S+ 101");
  /** A status line as a lenient parser splits it: any of SP, HTAB, VT, FF and CR between the parts. */
  private static final Pattern STATUS_CODE = Pattern.compile("(?i)HTTP/[^ \\t\\x0b\\x0c\\r\\n]+[ \\t\\x0b\\x0c\\r]+(\\d{1,9})");

  private FuzzInvariants() {}

  /**
   * Parses {@code c.received} into {@code c.responses}: the stream must be valid HTTP/1.1 with
   * nothing after a response that closes, and no response may show internals. Returns whether it
   * parsed.
   */
  static boolean parse(FuzzCase c, IntPredicate bodiless) {
    try {
      c.responses = StrictHttp.responses(c.received, bodiless).finals();
      c.parsed = true;
    } catch (StrictHttp.Malformed e) {
      c.fail("malformed response stream: " + e.kind(), e.getMessage());
      return false;
    }
    for (StrictHttp.Response res : c.responses) {
      Matcher leak = INTERNALS.matcher(res.text());
      if (leak.find()) {
        c.fail("internals in a response: " + leak.group(), firstLine(res) + " ... " + res.text().substring(
            Math.max(0, leak.start() - 80), Math.min(res.text().length(), leak.end() + 80)));
      }
    }
    return true;
  }

  /**
   * A mutated request against a valid upstream: no more responses than request lines (and the one
   * error that ends the connection), no 5xx but 501 and 505 (a client's fault is a 4xx), and
   * ambiguous framing never leaves the connection open.
   */
  static void clientFault(FuzzCase c) {
    int bound = RawRequests.requestLines(c.sent) + 1;
    if (c.responses.size() > bound) {
      c.fail("more responses than requests", c.responses.size() + " responses to at most " + bound + " requests");
    }
    for (StrictHttp.Response res : c.responses) {
      int s = res.status();
      if (s >= 500 && s != 501 && s != 505) {
        c.fail("client fault answered " + s, firstLine(res));
      }
      String seq = res.field("x-fuzz-seq");
      if (seq != null) {
        c.passedOn.add(Long.parseLong(seq));
      }
    }
    framing(c, RawRequests.firstRequestFields(c.sent));
  }

  /**
   * A first request whose body length is ambiguous (RFC 9112 section 6.3: both Content-Length and
   * Transfer-Encoding, a coding other than chunked last, several Content-Lengths) or with
   * whitespace before a colon (section 5.1) must not leave the connection open for what follows
   * it: the answer to it is the last one (and an error status where the RFC says the length cannot
   * be determined or the field must be rejected).
   */
  static void framing(FuzzCase c, List<StrictHttp.Field> fields) {
    if (fields == null || c.responses.isEmpty()) {
      return;
    }
    List<String> te = new ArrayList<>();
    int lengths = 0;
    boolean spaceBeforeColon = false;
    for (StrictHttp.Field f : fields) {
      String name = f.name().strip().toLowerCase(Locale.ROOT);
      spaceBeforeColon |= !f.name().equals(f.name().stripTrailing());
      if (name.equals("transfer-encoding")) {
        te.add(f.value());
      } else if (name.equals("content-length")) {
        lengths += f.value().split(",", -1).length;
      }
    }
    String codings = String.join(",", te).toLowerCase(Locale.ROOT).replace(" ", "").replace("\t", "");
    boolean chunkedLast = codings.equals("chunked") || codings.endsWith(",chunked");
    String why = spaceBeforeColon ? "whitespace before a colon"
        : !te.isEmpty() && !chunkedLast ? "Transfer-Encoding without chunked last"
        : !te.isEmpty() && lengths > 0 ? "Content-Length with Transfer-Encoding"
        : lengths > 1 ? "several Content-Lengths" : null;
    if (why == null) {
      return;
    }
    StrictHttp.Response first = c.responses.get(0);
    boolean mustReject = spaceBeforeColon || !te.isEmpty() && !chunkedLast;
    boolean rejected = first.status() >= 400; // 4xx, or 501 or 505 (other 5xx fail elsewhere)
    if (c.responses.size() > 1 || mustReject && !rejected) {
      c.fail("ambiguous framing not rejected or closed: " + why, c.responses.size() + " responses, the first "
          + firstLine(first));
    }
  }

  /**
   * Valid requests against an upstream answering the first with {@code c.script}: no more
   * responses than requests; a valid answer passed on whole (status and body); a head that never
   * ended or is over the limit answered 502 (or 504); anything else answered with a status the
   * upstream sent, or 502 or 504; an empty script before a retryable request may instead give the
   * second answer (the edge retried on a new connection); a later 2xx is the upstream's answer to
   * that later request.
   * {@code reset}: the upstream reset the connection after its answer.
   */
  static void upstreamFault(FuzzCase c, List<String> methods, boolean reset) {
    if (c.responses.size() > methods.size()) {
      c.fail("more responses than requests", c.responses.size() + " responses to " + methods.size() + " requests");
    }
    for (int i = 1; i < c.responses.size(); i++) {
      StrictHttp.Response res = c.responses.get(i);
      if (res.status() / 100 == 2 && !"1".equals(res.field("x-fuzz-answer"))) {
        c.fail("a later request got another answer", firstLine(res));
      }
    }
    if (c.responses.isEmpty()) {
      return; // a clean close
    }
    StrictHttp.Response got = c.responses.get(0);
    StrictHttp.Response valid = validAnswer(c.script, methods.get(0).equals("HEAD"));
    if (valid != null && !(reset && valid.closes())) { // a body delimited by a reset is not whole
      if (got.status() != valid.status() || !got.complete() || !Arrays.equals(got.body(), valid.body())) {
        c.fail("valid upstream answer not passed on", "upstream " + valid.status() + " with "
            + valid.body().length + " body bytes, client got " + firstLine(got) + " with " + got.body().length
            + (got.complete() ? "" : " (cut off)"));
      }
      return;
    }
    if (c.script.length == 0 && retryable(c.sent, methods.get(0)) && got.status() == 200
        && "1".equals(got.field("x-fuzz-answer"))) {
      return; // not a byte on a (maybe reused) connection: retried on a new one, which gave the second answer
    }
    String text = StrictHttp.latin1(c.script, 0, c.script.length);
    int head = headLength(c.script);
    Set<Integer> allowed = new HashSet<>(List.of(502, 504));
    if (head >= 0 && head < HEAD_SURELY_WITHIN) {
      Matcher sm = STATUS_CODE.matcher(text);
      while (sm.find()) {
        allowed.add(Integer.parseInt(sm.group(1)));
      }
    }
    if (!allowed.contains(got.status()) && !(head >= HEAD_SURELY_WITHIN && head < HEAD_SURELY_OVER)) {
      c.fail("upstream fault answered " + got.status(), firstLine(got) + " (allowed: " + allowed + ")");
    }
  }

  /**
   * Whether the edge may send the first request in {@code sent} again after a stale upstream
   * connection: a safe method and no body (docs/server.md, Proxy).
   */
  static boolean retryable(byte[] sent, String method) {
    String text = StrictHttp.latin1(sent, 0, sent.length).toLowerCase(Locale.ROOT);
    int end = text.indexOf("\r\n\r\n");
    String head = end < 0 ? text : text.substring(0, end);
    return List.of("GET", "HEAD", "OPTIONS", "TRACE").contains(method) && !head.contains("transfer-encoding")
        && !Pattern.compile("content-length:[ \t]*0*[1-9]").matcher(head).find();
  }

  /**
   * Returns the first response in {@code script} when it is valid and whole (after any 1xx but 101,
   * which switches protocols), with a head within the limit; else {@code null}. A 205 is never
   * taken as valid: RFC 9110 forbids it content, so a proxy may drop what follows its head.
   */
  static StrictHttp.Response validAnswer(byte[] script, boolean head) {
    String text = StrictHttp.latin1(script, 0, script.length);
    int h = headLength(script);
    if (h < 0 || h >= HEAD_SURELY_WITHIN || SWITCHING.matcher(text).find()) {
      return null;
    }
    StrictHttp.Response r = StrictHttp.firstResponse(script, head);
    return r != null && r.complete() && r.status() != 205 ? r : null;
  }

  /** Returns where the first empty line (LF or CRLF) starts, or -1 when the head never ends. */
  static int headLength(byte[] script) {
    for (int i = 0; i + 1 < script.length; i++) {
      if (script[i] == '\n' && (script[i + 1] == '\n' || script[i + 1] == '\r' && i + 2 < script.length
          && script[i + 2] == '\n')) {
        return i;
      }
    }
    return -1;
  }

  /**
   * Nothing logged at WARN or above by Netty (a warning there is a promise or buffer misused), no
   * buffer leak report, and no ERROR at all for a client's fault; an upstream's fault may be
   * logged at ERROR, an unexpected exception may not.
   */
  static void logs(FuzzCase c, List<ILoggingEvent> events) {
    for (ILoggingEvent e : events) {
      String line = LogCapture.describe(e);
      if (line.contains("LEAK:")) {
        c.fail("a buffer leaked (reported during this case)", line);
      } else if (e.getLoggerName().startsWith("io.netty")) {
        c.fail("netty logged " + e.getLevel(), line);
      } else if (e.getLevel().isGreaterOrEqual(Level.ERROR) && (!c.upstreamSide || looksLikeABug(e))) {
        c.fail("logged ERROR: " + e.getLoggerName() + ": " + e.getMessage(), line);
      }
    }
  }

  private static boolean looksLikeABug(ILoggingEvent e) {
    for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
      String n = t.getClassName();
      if (n.startsWith("java.lang.") || n.contains("IllegalReferenceCount")) {
        return true;
      }
    }
    return e.getMessage().contains("unexpected");
  }

  static String firstLine(StrictHttp.Response res) {
    int eol = res.text().indexOf('\r');
    return eol < 0 ? res.text() : res.text().substring(0, eol);
  }
}
