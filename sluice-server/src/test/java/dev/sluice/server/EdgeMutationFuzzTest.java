package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import dev.sluice.core.Clock;
import dev.sluice.testkit.ManualClock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.IntPredicate;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Mutation fuzzer for the edge port, in both directions, over real loopback sockets: mutated
 * client requests against a valid upstream, and valid requests against a scripted upstream
 * answering mutated responses. One server and one upstream serve every case; a case is one client
 * connection. After every case: exactly one response per request or a clean close; no 5xx for a
 * client's fault and nothing but the upstream's status, 502 or 504 for an upstream's; no ERROR
 * logged for a client's fault and no bug logged for an upstream's; no stack trace, class name or
 * internal address in a response; {@code sluice_edge_requests_active} back to 0 and no upstream
 * connection left half-used.
 *
 * <p>{@code -Dsluice.fuzz.cases=N} (default 10000), {@code -Dsluice.fuzz.seed=S} and {@code
 * -Dsluice.fuzz.case=I} (run case I of seed S alone, to reproduce a failure).
 */
class EdgeMutationFuzzTest {

  static final long SEED = Long.getLong("sluice.fuzz.seed", 0x511CE_F022L);
  static final int CASES = Integer.getInteger("sluice.fuzz.cases", 10_000);
  static final int ONLY = Integer.getInteger("sluice.fuzz.case", -1);
  static final int MAX_FAILING_CASES = Integer.getInteger("sluice.fuzz.max-failures", 40);
  static final boolean VERBOSE = Boolean.getBoolean("sluice.fuzz.verbose");
  static final Duration SETTLE = Duration.ofSeconds(2);

  /**
   * Sent after every mutated request: a line no HTTP/1.1 parser accepts in any state (as a request
   * line, a field, a chunk size or a chunk end), repeated past every size limit of the fuzzed
   * server, so whatever the mutation left open ends in an error and a close rather than a wait.
   */
  static final byte[] PADDING = "X X X\n".repeat(1_500).getBytes(StandardCharsets.ISO_8859_1);
  static final Pattern INTERNALS = Pattern.compile(
      "Exception|Error:|io\\.netty|java\\.|javax\\.|dev\\.sluice|com\\.linecorp|\\tat |Caused by|127\\.0\\.0\\.1:\\d+"
          + "|localhost:\\d+|/127\\.0\\.0\\.1");

  static FuzzUpstream upstream;
  static LogCapture logs;
  static Harness sluice;
  static EdgeServer edge;
  static int eventLoops;
  /** Requests the edge counts as active between cases: 0 unless an earlier case leaked some. */
  static int inFlightBase;

  @BeforeAll
  static void start() throws IOException {
    upstream = new FuzzUpstream();
    logs = LogCapture.attach();
    sluice = Harness.start(Harness.options("""
        upstream:
          url: http://127.0.0.1:%d
          timeout: 2s
        tiers:
          free:
            per-client: { burst: 1000000000, rate: 1000/s }
        costs:
          - { method: POST, path: "/fuzz/b", cost: 2 }
        """.formatted(upstream.port()), new ManualClock(1_000L))
        .maxDecisionBodyBytes(2048).maxProxyBodyBytes(4096));
    edge = edgeOf(sluice.server);
    eventLoops = Integer.getInteger(Transport.EVENT_LOOPS_PROPERTY, Runtime.getRuntime().availableProcessors());
  }

  @AfterAll
  static void stop() throws IOException {
    if (sluice != null) {
      sluice.close();
    }
    if (logs != null) {
      logs.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  /** The running edge, for its count of requests being answered (the requests_active gauge). */
  private static EdgeServer edgeOf(SluiceServer s) {
    try {
      java.lang.reflect.Field f = SluiceServer.class.getDeclaredField("edge");
      f.setAccessible(true);
      return (EdgeServer) f.get(s);
    } catch (ReflectiveOperationException e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void mutatedTrafficInBothDirectionsKeepsEveryInvariant() {
    Failures failures = new Failures();
    Map<String, Integer> statuses = new TreeMap<>();
    Clock clock = Clock.system();
    long started = clock.nanoTime();
    int from = ONLY >= 0 ? ONLY : 0;
    int to = ONLY >= 0 ? ONLY + 1 : CASES;
    int run = 0;
    for (int i = from; i < to && failures.cases() < MAX_FAILING_CASES; i++) {
      Case c = runCase(i);
      run++;
      if (VERBOSE) {
        System.out.println(c.describe() + "\n    failures: " + c.failures);
      }
      for (RawHttp.Response r : c.responses) {
        statuses.merge((c.upstreamSide ? "up " : "client ") + r.status(), 1, Integer::sum);
      }
      failures.add(c);
    }
    long millis = (clock.nanoTime() - started) / 1_000_000;
    System.out.printf("edge mutation fuzz: seed %d, %d cases in %d ms, statuses %s%n", SEED, run, millis, statuses);
    assertThat(failures.report()).as("edge mutation fuzz, seed " + SEED).isEmpty();
    if (ONLY < 0) {
      Double active = PrometheusText.parse(sluice.adminGet("/metrics").body()).value("sluice_edge_requests_active");
      assertThat(active).as("sluice_edge_requests_active after the run").isEqualTo(0.0);
    }
  }

  /** One case: what was sent, what came back, and every invariant it broke. */
  static final class Case {
    final int index;
    final boolean upstreamSide;
    String seed;
    List<String> ops = List.of();
    byte[] sent = new byte[0];
    byte[] script = new byte[0];
    byte[] received = new byte[0];
    List<RawHttp.Response> responses = List.of();
    /** The {@code X-Fuzz-Seq} numbers of the upstream's answers the client got, in order. */
    final List<Long> passedOn = new ArrayList<>();
    boolean parsed;
    final Map<String, String> failures = new LinkedHashMap<>();

    Case(int index, boolean upstreamSide) {
      this.index = index;
      this.upstreamSide = upstreamSide;
    }

    void fail(String kind, String detail) {
      failures.putIfAbsent(kind, detail);
    }

    String describe() {
      return "case " + index + " (seed " + SEED + ", " + (upstreamSide ? "upstream" : "client") + " side, " + seed
          + ", ops " + ops + ")\n    sent:     " + clip(sent) + (upstreamSide ? "\n    upstream: " + clip(script) : "")
          + "\n    received: " + clip(received)
          + "\n    reproduce: ./mvnw -B -ntp -pl sluice-server -am verify -Dtest=EdgeMutationFuzzTest"
          + " -Dsurefire.failIfNoSpecifiedTests=false -Dsluice.fuzz.seed=" + SEED + " -Dsluice.fuzz.case=" + index;
    }

    private static String clip(byte[] b) {
      String s = RawHttp.escape(b, 0, Math.min(b.length, 700));
      return b.length > 700 ? s + "...(" + b.length + " bytes)" : s;
    }
  }

  static Case runCase(int index) {
    Random r = new Random(mix(SEED + 0x9E3779B97F4A7C15L * (index + 1L)));
    Case c = new Case(index, r.nextBoolean());
    logs.drain();
    try {
      if (c.upstreamSide) {
        upstreamCase(c, r);
      } else {
        clientCase(c, r);
      }
    } catch (IOException e) {
      c.fail("client socket: " + e.getClass().getSimpleName(), e.toString());
    } catch (RuntimeException e) {
      java.io.StringWriter trace = new java.io.StringWriter();
      e.printStackTrace(new java.io.PrintWriter(trace));
      c.fail("the fuzzer itself failed: " + e, trace.toString());
    }
    settle(c);
    if (!c.upstreamSide && c.parsed) {
      List<Long> answered = upstream.answered();
      if (!c.passedOn.equals(answered)) {
        c.fail("upstream answers not passed on exactly once", "upstream answered " + answered + ", client got "
            + c.passedOn);
      }
    }
    for (FuzzUpstream.Violation v : upstream.takeViolations()) {
      c.fail(v.kind(), v.detail());
    }
    checkLogs(c);
    return c;
  }

  /** Murmur3's 64-bit finaliser: neighbouring case numbers get unrelated random streams. */
  static long mix(long z) {
    z = (z ^ z >>> 33) * 0xff51afd7ed558ccdL;
    z = (z ^ z >>> 33) * 0xc4ceb9fe1a85ec53L;
    return z ^ z >>> 33;
  }

  /** A mutated request (and padding) against the valid upstream. */
  static void clientCase(Case c, Random r) throws IOException {
    FuzzCorpus.Seed seed = FuzzCorpus.CLIENT.get(r.nextInt(FuzzCorpus.CLIENT.size()));
    HttpMutator.Result m = r.nextInt(20) == 0 ? new HttpMutator.Result(seed.bytes(), List.of(), false)
        : HttpMutator.mutate(seed.bytes(), r, false);
    c.seed = seed.name();
    c.ops = m.ops();
    c.sent = m.bytes();
    upstream.beginCase(null);
    c.received = converse(split(m.bytes(), 1 + r.nextInt(3)), true);
    boolean maybeHead = RawHttp.latin1(m.bytes(), 0, m.bytes().length).contains("HEAD");
    if (!parse(c, maybeHead ? null : i -> false)) {
      return;
    }
    int bound = RawHttp.requestLines(m.bytes()) + 1;
    if (c.responses.size() > bound) {
      c.fail("more responses than requests", c.responses.size() + " responses to at most " + bound + " requests");
    }
    for (RawHttp.Response res : c.responses) {
      int s = res.status();
      if (s >= 500 && s != 501 && s != 505) {
        c.fail("client fault answered " + s, firstLine(res));
      }
    }
    checkFraming(c, RawHttp.firstRequestFields(m.bytes()));
    for (RawHttp.Response res : c.responses) {
      String seq = res.field("x-fuzz-seq");
      if (seq != null) {
        c.passedOn.add(Long.parseLong(seq));
      }
    }
  }

  /**
   * A first request whose body length is ambiguous (RFC 9112 section 6.3: both Content-Length and
   * Transfer-Encoding, a coding other than chunked last, several Content-Lengths) or with
   * whitespace before a colon (section 5.1) must not leave the connection open for what follows
   * it: the answer to it is the last one (and a 400 or 501 where the RFC says the length cannot be
   * determined).
   */
  static void checkFraming(Case c, List<RawHttp.Field> fields) {
    if (fields == null || c.responses.isEmpty()) {
      return;
    }
    List<String> te = new ArrayList<>();
    int lengths = 0;
    boolean spaceBeforeColon = false;
    for (RawHttp.Field f : fields) {
      String name = f.name().strip().toLowerCase(java.util.Locale.ROOT);
      spaceBeforeColon |= !f.name().equals(f.name().stripTrailing());
      if (name.equals("transfer-encoding")) {
        te.add(f.value());
      } else if (name.equals("content-length")) {
        lengths += f.value().split(",", -1).length;
      }
    }
    String codings = String.join(",", te).toLowerCase(java.util.Locale.ROOT).replace(" ", "");
    boolean chunkedLast = codings.endsWith("chunked") && !codings.endsWith("xchunked");
    String why = spaceBeforeColon ? "whitespace before a colon"
        : !te.isEmpty() && !chunkedLast ? "Transfer-Encoding without chunked last"
        : !te.isEmpty() && lengths > 0 ? "Content-Length with Transfer-Encoding"
        : lengths > 1 ? "several Content-Lengths" : null;
    if (why == null) {
      return;
    }
    RawHttp.Response first = c.responses.get(0);
    boolean mustReject = spaceBeforeColon || !te.isEmpty() && !chunkedLast;
    if (c.responses.size() > 1 || mustReject && first.status() != 400 && first.status() != 501) {
      c.fail("ambiguous framing not rejected or closed: " + why, c.responses.size() + " responses, the first "
          + firstLine(first));
    }
  }

  /** Valid requests against a scripted upstream answering a mutated response. */
  static void upstreamCase(Case c, Random r) throws IOException {
    FuzzCorpus.Requests q = FuzzCorpus.UPSTREAM_REQUESTS.get(r.nextInt(FuzzCorpus.UPSTREAM_REQUESTS.size()));
    FuzzCorpus.Response seed = FuzzCorpus.RESPONSES.get(r.nextInt(FuzzCorpus.RESPONSES.size()));
    String method = q.methods().get(0);
    HttpMutator.Result m = r.nextInt(20) == 0 ? new HttpMutator.Result(seed.render(method), List.of(), false)
        : HttpMutator.mutate(seed.render(method), r, true);
    boolean close = m.truncated() || r.nextInt(3) == 0 || !RawHttp.startsWithWholeKeepAlive(m.bytes(),
        method.equals("HEAD"));
    int writes = 1 + r.nextInt(3);
    c.seed = q.name() + " <- " + seed.name() + (close ? " (then close)" : "");
    c.ops = m.ops();
    c.sent = q.bytes();
    c.script = m.bytes();
    upstream.beginCase((index, req) -> index == 0 ? new FuzzUpstream.Answer(m.bytes(), writes, close)
        : new FuzzUpstream.Answer(FuzzCorpus.secondAnswer(req.method()), 1, false));
    c.received = converse(List.of(q.bytes()), false);
    if (!parse(c, i -> i < q.methods().size() && q.methods().get(i).equals("HEAD"))) {
      return;
    }
    if (c.responses.size() > q.methods().size()) {
      c.fail("more responses than requests", c.responses.size() + " responses to " + q.methods().size() + " requests");
    }
    checkUpstreamAnswer(c, m.bytes(), method.equals("HEAD"));
    for (int i = 1; i < c.responses.size(); i++) {
      RawHttp.Response res = c.responses.get(i);
      if (res.status() / 100 == 2 && !"1".equals(res.field("x-fuzz-answer"))) {
        c.fail("second request got another answer", firstLine(res));
      }
    }
  }

  /**
   * Checks the client's answer to the request the upstream answered with {@code script}: a valid
   * answer is passed on whole, with its status and body; a head that never ended or is over the
   * limit gets 502 (or 504); anything else gets the status the upstream sent, or 502 or 504.
   */
  static void checkUpstreamAnswer(Case c, byte[] script, boolean head) {
    if (c.responses.isEmpty()) {
      return; // a clean close
    }
    RawHttp.Response got = c.responses.get(0);
    String text = RawHttp.latin1(script, 0, script.length);
    java.util.regex.Matcher blank = Pattern.compile("\n\r?\n").matcher(text);
    int headEnd = blank.find() ? blank.start() : -1;
    RawHttp.Response valid = text.matches("(?s).*HTTP/\\S+ 101.*") || headEnd > 15_000 ? null
        : RawHttp.firstResponse(script, head);
    if (valid != null && valid.complete()) {
      if (got.status() != valid.status() || !got.complete()
          || !java.util.Arrays.equals(got.body(), valid.body())) {
        c.fail("valid upstream answer not passed on", "upstream " + valid.status() + " with "
            + valid.body().length + " body bytes, client got " + firstLine(got) + " with " + got.body().length
            + (got.complete() ? "" : " (cut off)"));
      }
      return;
    }
    java.util.Set<Integer> allowed = new java.util.HashSet<>(List.of(502, 504));
    if (headEnd >= 0 && headEnd < 15_000) {
      java.util.regex.Matcher sm = Pattern.compile("HTTP/\\S+ +(\\d{1,9})").matcher(text);
      while (sm.find()) {
        allowed.add(Integer.parseInt(sm.group(1)));
      }
    }
    if (!allowed.contains(got.status()) && !(headEnd >= 15_000 && headEnd <= 20_000)) {
      c.fail("upstream fault answered " + got.status(), firstLine(got) + " (allowed: " + allowed + ")");
    }
  }

  /** Parses the received stream into {@code c.responses}; a malformed stream is a failure. */
  private static boolean parse(Case c, IntPredicate bodiless) {
    try {
      c.responses = RawHttp.responses(c.received, bodiless).finals();
      c.parsed = true;
    } catch (RawHttp.Malformed e) {
      c.fail("malformed response stream: " + e.kind(), e.getMessage());
      return false;
    }
    for (RawHttp.Response res : c.responses) {
      java.util.regex.Matcher leak = INTERNALS.matcher(res.text());
      if (leak.find()) {
        c.fail("internals in a response: " + leak.group(), firstLine(res) + " ... " + res.text().substring(
            Math.max(0, leak.start() - 80), Math.min(res.text().length(), leak.end() + 80)));
      }
    }
    return true;
  }

  private static String firstLine(RawHttp.Response res) {
    int eol = res.text().indexOf('\r');
    return eol < 0 ? res.text() : res.text().substring(0, eol);
  }

  /**
   * Waits until the case is over on every side: the edge answers nothing, holds no client
   * connection, and every upstream connection is idle between requests and no more are open than
   * one per event loop; then, after an upstream-side case, closes the upstream's connections so the
   * next case starts clean.
   */
  static void settle(Case c) {
    boolean ok = awaitCondition(SETTLE, () -> edge.inFlight() <= inFlightBase && edge.connections() == 0
        && upstream.allIdle() && upstream.open() <= eventLoops);
    if (!ok) {
      if (edge.inFlight() > inFlightBase) {
        c.fail("requests_active did not return to 0", "requests_active " + edge.inFlight() + " after the case, "
            + inFlightBase + " before it");
        inFlightBase = edge.inFlight(); // a leaked count would fail every later case: compare with it from now on
      }
      if (edge.connections() != 0) {
        c.fail("client connection left open", edge.connections() + " edge connections");
      }
      if (!upstream.allIdle() || upstream.open() > eventLoops) {
        c.fail("upstream connection left in use", upstream.describe());
      }
    }
    if (c.upstreamSide || !ok) {
      upstream.closeAll(SETTLE);
    }
  }

  static void checkLogs(Case c) {
    for (ILoggingEvent e : logs.drain()) {
      String line = LogCapture.describe(e);
      boolean netty = e.getLoggerName().startsWith("io.netty");
      if (line.contains("LEAK:")) {
        c.fail("a buffer leaked (reported during this case)", line);
      } else if (netty) {
        c.fail("netty logged " + e.getLevel(), line);
      } else if (e.getLevel().isGreaterOrEqual(Level.ERROR) && (!c.upstreamSide || looksLikeABug(e))) {
        c.fail("logged ERROR: " + e.getLoggerName() + ": " + e.getMessage(), line);
      }
    }
  }

  /** An upstream's fault may be logged at ERROR; an unexpected exception may not. */
  private static boolean looksLikeABug(ILoggingEvent e) {
    for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
      String n = t.getClassName();
      if (n.startsWith("java.lang.") || n.contains("IllegalReferenceCount")) {
        return true;
      }
    }
    return e.getMessage().contains("unexpected");
  }

  /** Splits {@code b} into {@code n} writes. */
  static List<byte[]> split(byte[] b, int n) {
    List<byte[]> out = new ArrayList<>();
    int from = 0;
    for (int i = 1; i <= n; i++) {
      int to = i == n ? b.length : b.length * i / n;
      out.add(java.util.Arrays.copyOfRange(b, from, to));
      from = to;
    }
    return out;
  }

  /**
   * Writes {@code writes} (then {@link #PADDING} when {@code pad}) on a new connection from another
   * thread and reads until the edge closes it; a connection still open after 10 s is a failure.
   */
  static byte[] converse(List<byte[]> writes, boolean pad) throws IOException {
    Socket s = new Socket();
    Thread writer = null;
    try {
      s.setTcpNoDelay(true);
      s.connect(new InetSocketAddress("127.0.0.1", sluice.server.edgePort()), 5_000);
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      writer = Thread.ofVirtual().start(() -> {
        try {
          for (byte[] w : writes) {
            out.write(w);
            out.flush();
          }
          if (pad) {
            out.write(PADDING);
            out.flush();
          }
        } catch (IOException closed) {
          // the edge closed first: fine, what it answered is read below
        }
      });
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[16_384];
      try {
        for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
          got.write(buf, 0, n);
        }
      } catch (SocketTimeoutException e) {
        throw new IOException("the edge neither answered nor closed within 10 s (got " + got.size() + " bytes: "
            + RawHttp.excerpt(got.toByteArray(), 0) + ")", e);
      } catch (SocketException reset) {
        // a reset after the edge closed with our padding unread: what came before it is complete
      }
      return got.toByteArray();
    } finally {
      s.close();
      if (writer != null) {
        try {
          writer.join(5_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  /** Polls {@code condition} every 0.2 ms until it holds or {@code timeout} passes; returns whether it held. */
  static boolean awaitCondition(Duration timeout, BooleanSupplier condition) {
    Clock clock = Clock.system();
    long deadline = clock.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (clock.nanoTime() > deadline) {
        return false;
      }
      java.util.concurrent.locks.LockSupport.parkNanos(200_000);
    }
    return true;
  }

  /** Failing cases grouped by kind: the first example of each and how often it happened. */
  static final class Failures {
    private final Map<String, String> first = new LinkedHashMap<>();
    private final Map<String, Integer> count = new LinkedHashMap<>();
    private int cases;

    void add(Case c) {
      if (c.failures.isEmpty()) {
        return;
      }
      cases++;
      for (Map.Entry<String, String> f : c.failures.entrySet()) {
        count.merge(f.getKey(), 1, Integer::sum);
        first.putIfAbsent(f.getKey(), f.getValue() + "\n    " + c.describe());
      }
    }

    int cases() {
      return cases;
    }

    String report() {
      StringBuilder b = new StringBuilder();
      for (Map.Entry<String, String> e : first.entrySet()) {
        b.append("\n- ").append(e.getKey()).append(" (").append(count.get(e.getKey())).append(" cases)\n    ")
            .append(e.getValue()).append('\n');
      }
      return b.toString();
    }
  }
}
