package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.sluice.core.ManualClock;
import dev.sluice.server.ScriptedUpstream.Answer;
import dev.sluice.server.ScriptedUpstream.Received;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

/**
 * The edge's HTTP/1.1 conformance table, over raw sockets against a real edge and a scripted
 * loopback upstream. Each row is the raw bytes a client sends (and, for upstream-side rows, the
 * raw bytes the upstream answers with), the status the client must get, and whether the
 * connection stays open: an open connection must serve a follow-up request, a closed one must end
 * without another byte. After every row no request is active on the edge, no upstream connection
 * is busy, and nothing was logged at ERROR. The policies behind the rows are in {@code
 * docs/server.md} ("HTTP/1.1 on the edge port").
 */
class EdgeConformanceTest {

  static final String CONFIG = """
      upstream:
        url: %s
        timeout: 5s
      tiers:
        free:
          per-client: { burst: 1000000, rate: 1000000/s }
      """;
  static final String FOLLOW_UP = "GET /follow-up HTTP/1.1\r\nHost: x\r\nX-Client-ID: conf\r\n\r\n";
  static final String H = "Host: x\r\nX-Client-ID: conf\r\n";

  static ScriptedUpstream upstream;
  static Harness sluice;
  static ListAppender<ILoggingEvent> logged;

  @BeforeAll
  static void start() {
    upstream = new ScriptedUpstream();
    sluice = Harness.start(CONFIG.formatted(upstream.url()), new ManualClock(1_000L));
    logged = new ListAppender<>();
    logged.start();
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).addAppender(logged);
  }

  @AfterAll
  static void stop() {
    ((Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME)).detachAppender(logged);
    sluice.close();
    upstream.close();
  }

  /** What a row's check sees. */
  record Outcome(RawHttp.Response response, List<Received> received) {}

  @FunctionalInterface
  interface Check {
    void verify(Outcome o);
  }

  /**
   * One row of the table.
   *
   * @param name what the row is about
   * @param request the raw bytes the client sends first
   * @param afterContinue bytes sent once a 100 (Continue) arrived, or null when none is expected
   * @param answers the upstream's scripted answers (empty: 200 {@code ok} to everything)
   * @param head whether the request is HEAD (the response has no body)
   * @param status the status the client must get
   * @param open whether the connection must stay open
   * @param discardsUpstream whether the upstream connection the request went on must be closed
   * @param check more assertions
   */
  record Row(String name, String request, String afterContinue, List<Answer> answers, boolean head, int status,
      boolean open, boolean discardsUpstream, Check check) {

    Row upstream(Answer... a) {
      return new Row(name, request, afterContinue, List.of(a), head, status, open, true, check);
    }

    Row keepsUpstream() {
      return new Row(name, request, afterContinue, answers, head, status, open, false, check);
    }

    Row thenSend(String body) {
      return new Row(name, request, body, answers, head, status, open, discardsUpstream, check);
    }

    Row headRequest() {
      return new Row(name, request, afterContinue, answers, true, status, open, discardsUpstream, check);
    }

    Row check(Check c) {
      Check before = check;
      return new Row(name, request, afterContinue, answers, head, status, open, discardsUpstream, o -> {
        before.verify(o);
        c.verify(o);
      });
    }

    @Override
    public String toString() {
      return name;
    }
  }

  static Row row(String name, String request, int status, boolean open) {
    return new Row(name, request, null, List.of(), false, status, open, false, o -> {});
  }

  /** The upstream got no whole request (a streamed head whose body never completed is not one). */
  static final Check NOTHING_FORWARDED = o -> assertThat(o.received()).as("requests the upstream got").isEmpty();

  static Check forwarded(Check more) {
    return o -> {
      assertThat(o.received()).as("requests the upstream got").hasSize(1);
      more.verify(o);
    };
  }

  static Check problem(String type) {
    return o -> assertThat(o.response().body()).contains("\"type\":\"urn:sluice:problem:" + type + "\"");
  }

  static final Check INCOMPLETE = o -> assertThat(o.response().complete()).as("body complete").isFalse();

  static String big(char c, int n) {
    return String.valueOf(c).repeat(n);
  }

  static Stream<Row> rows() {
    String post5 = "POST /p HTTP/1.1\r\n" + H;
    String smuggled = "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n";
    return Stream.of(
        // Baseline.
        row("plain GET is proxied", "GET /a HTTP/1.1\r\n" + H + "\r\n", 200, true)
            .check(forwarded(o -> assertThat(o.received().get(0).requestLine()).isEqualTo("GET /a HTTP/1.1"))),
        row("POST with Content-Length is proxied", post5 + "Content-Length: 5\r\n\r\nhello", 200, true)
            .check(forwarded(o -> assertThat(o.received().get(0).body()).isEqualTo("hello"))),
        row("chunked POST is proxied", post5 + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 200, true)
            .check(forwarded(o -> assertThat(o.received().get(0).body()).isEqualTo("hello"))),

        // Body framing and smuggling vectors.
        row("Content-Length with Transfer-Encoding", post5 + "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "0\r\n\r\n", 400, false).check(NOTHING_FORWARDED).check(problem("conflicting-framing")),
        row("Transfer-Encoding with Content-Length hiding a request", post5
            + "Transfer-Encoding: chunked\r\nContent-Length: 44\r\n\r\n0\r\n\r\n" + smuggled, 400, false)
            .check(NOTHING_FORWARDED),
        row("two different Content-Lengths", post5 + "Content-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
            400, false).check(NOTHING_FORWARDED),
        row("the same Content-Length twice", post5 + "Content-Length: 5\r\nContent-Length: 5\r\n\r\nhello",
            400, false).check(NOTHING_FORWARDED),
        row("a Content-Length list", post5 + "Content-Length: 5, 5\r\n\r\nhello", 400, false)
            .check(NOTHING_FORWARDED),
        row("a signed Content-Length", post5 + "Content-Length: +5\r\n\r\nhello", 400, false)
            .check(NOTHING_FORWARDED),
        row("a hex Content-Length", post5 + "Content-Length: 0x5\r\n\r\nhello", 400, false)
            .check(NOTHING_FORWARDED),
        row("Transfer-Encoding gzip (chunked not last)", post5 + "Transfer-Encoding: gzip\r\n\r\n" + smuggled,
            400, false).check(NOTHING_FORWARDED).check(problem("bad-transfer-encoding")),
        row("Transfer-Encoding chunked, gzip (chunked not last)", post5 + "Transfer-Encoding: chunked, gzip\r\n\r\n"
            + "5\r\nhello\r\n0\r\n\r\n", 400, false).check(NOTHING_FORWARDED),
        row("Transfer-Encoding gzip, chunked (a coding Sluice does not implement)", post5
            + "Transfer-Encoding: gzip, chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 400, false)
            .check(NOTHING_FORWARDED).check(problem("bad-transfer-encoding")),
        row("Transfer-Encoding chunked, chunked", post5 + "Transfer-Encoding: chunked, chunked\r\n\r\n"
            + "5\r\nhello\r\n0\r\n\r\n", 400, false).check(NOTHING_FORWARDED),
        row("two Transfer-Encoding: chunked fields", post5 + "Transfer-Encoding: chunked\r\n"
            + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", 400, false).check(NOTHING_FORWARDED),
        row("Transfer-Encoding identity", post5 + "Transfer-Encoding: identity\r\n\r\n", 400, false)
            .check(NOTHING_FORWARDED),
        row("Transfer-Encoding Chunked (case-insensitive) is accepted", post5 + "Transfer-Encoding: Chunked\r\n\r\n"
            + "5\r\nhello\r\n0\r\n\r\n", 200, true)
            .check(forwarded(o -> assertThat(o.received().get(0).body()).isEqualTo("hello"))),
        row("Transfer-Encoding on HTTP/1.0", "POST /p HTTP/1.0\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n"
            + "5\r\nhello\r\n0\r\n\r\n", 400, false).check(NOTHING_FORWARDED),
        row("obs-fold in a header", "GET /a HTTP/1.1\r\n" + H + "X-Folded: one\r\n two\r\n\r\n", 400, false)
            .check(NOTHING_FORWARDED).check(problem("obs-fold")),
        row("obs-fold continuing Transfer-Encoding", post5 + "Transfer-Encoding:\r\n chunked\r\n\r\n"
            + "5\r\nhello\r\n0\r\n\r\n", 400, false).check(NOTHING_FORWARDED),
        row("bare LF line endings", "GET /a HTTP/1.1\nHost: x\nX-Client-ID: conf\n\n", 400, false)
            .check(NOTHING_FORWARDED),
        row("a bare LF ending one header line", "GET /a HTTP/1.1\r\nHost: x\nX-Client-ID: conf\r\n\r\n", 400, false)
            .check(NOTHING_FORWARDED),
        row("whitespace before the colon", "GET /a HTTP/1.1\r\n" + H + "Transfer-Encoding : chunked\r\n\r\n",
            400, false).check(NOTHING_FORWARDED),
        row("a NUL in a header value", "GET /a HTTP/1.1\r\n" + H + "X-Bad: a\u0000b\r\n\r\n", 400, false)
            .check(NOTHING_FORWARDED),
        row("a control character in a header value", "GET /a HTTP/1.1\r\n" + H + "X-Bad: a\u0001b\r\n\r\n", 400,
            false).check(NOTHING_FORWARDED),
        row("a chunk extension is accepted", post5 + "Transfer-Encoding: chunked\r\n\r\n"
            + "5;name=value\r\nhello\r\n0\r\n\r\n", 200, true)
            .check(forwarded(o -> assertThat(o.received().get(0).body()).isEqualTo("hello"))),
        row("a bare LF in a chunk extension", post5 + "Transfer-Encoding: chunked\r\n\r\n5;ext\nhello\r\n0\r\n\r\n",
            400, false).check(NOTHING_FORWARDED),
        row("a lone CR in a chunk extension", post5 + "Transfer-Encoding: chunked\r\n\r\n5;a\rb\r\nhello\r\n0\r\n\r\n",
            400, false).check(NOTHING_FORWARDED),
        row("text after a chunk size", post5 + "Transfer-Encoding: chunked\r\n\r\n5 junk\r\nhello\r\n0\r\n\r\n",
            400, false).check(NOTHING_FORWARDED),
        row("a chunk size that overflows", post5 + "Transfer-Encoding: chunked\r\n\r\n"
            + "ffffffffffffffffff\r\nhello\r\n0\r\n\r\n", 400, false).check(NOTHING_FORWARDED),
        row("a chunk size that wraps to 0 in 32 bits, hiding a request", post5 + "Transfer-Encoding: chunked\r\n\r\n"
            + "100000000\r\n\r\n" + smuggled, 400, false).check(NOTHING_FORWARDED),
        row("a negative chunk size", post5 + "Transfer-Encoding: chunked\r\n\r\n-5\r\nhello\r\n0\r\n\r\n",
            400, false).check(NOTHING_FORWARDED),
        row("a non-hex chunk size", post5 + "Transfer-Encoding: chunked\r\n\r\n5g\r\nhello\r\n0\r\n\r\n",
            400, false).check(NOTHING_FORWARDED),
        row("whitespace before a chunk size", post5 + "Transfer-Encoding: chunked\r\n\r\n 5\r\nhello\r\n0\r\n\r\n",
            400, false).check(NOTHING_FORWARDED),
        row("chunk data longer than its size", post5 + "Transfer-Encoding: chunked\r\n\r\n3\r\nhello\r\n0\r\n\r\n",
            400, false).check(NOTHING_FORWARDED),

        // Request line, Host, versions, limits.
        row("missing Host on HTTP/1.1", "GET /a HTTP/1.1\r\nX-Client-ID: conf\r\n\r\n", 400, false)
            .check(NOTHING_FORWARDED).check(problem("missing-host")),
        row("two Host fields", "GET /a HTTP/1.1\r\nHost: a\r\nHost: b\r\nX-Client-ID: conf\r\n\r\n", 400, false)
            .check(NOTHING_FORWARDED),
        row("HTTP/1.0 without Host or keep-alive", "GET /a HTTP/1.0\r\nX-Client-ID: conf\r\n\r\n", 200, false)
            .check(o -> assertThat(o.response().head()).startsWith("HTTP/1.0 200")),
        row("HTTP/1.0 with keep-alive", "GET /a HTTP/1.0\r\nConnection: keep-alive\r\nX-Client-ID: conf\r\n\r\n",
            200, true).check(o -> assertThat(o.response().header("connection")).isEqualToIgnoringCase("keep-alive")),
        row("HTTP/1.1 with Connection: close", "GET /a HTTP/1.1\r\n" + H + "Connection: close\r\n\r\n", 200, false),
        row("HTTP/1.2 is served as HTTP/1.1", "GET /a HTTP/1.2\r\n" + H + "\r\n", 200, true)
            .check(o -> assertThat(o.response().head()).startsWith("HTTP/1.1 200")),
        row("HTTP/9.9 gets 505", "GET / HTTP/9.9\r\n" + H + "\r\n", 505, false).check(NOTHING_FORWARDED),
        row("HTTP/2.0 in an HTTP/1 request line gets 505", "GET / HTTP/2.0\r\n" + H + "\r\n", 505, false)
            .check(NOTHING_FORWARDED),
        row("HTTP/0.9 gets 505", "GET / HTTP/0.9\r\n" + H + "\r\n", 505, false).check(NOTHING_FORWARDED),
        row("a request line without a version", "GET /\r\n\r\n", 400, false).check(NOTHING_FORWARDED),
        row("a URI over the limit gets 414", "GET /" + big('u', 9000) + " HTTP/1.1\r\n" + H + "\r\n", 414, false)
            .check(NOTHING_FORWARDED),
        row("a header block over the limit gets 431", "GET /a HTTP/1.1\r\n" + H + "X-Big: " + big('h', 20_000)
            + "\r\n\r\n", 431, false).check(NOTHING_FORWARDED),
        row("CONNECT", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", 405, false)
            .check(NOTHING_FORWARDED).check(o -> assertThat(o.response().header("allow")).isEmpty()),
        row("asterisk-form", "OPTIONS * HTTP/1.1\r\n" + H + "\r\n", 400, true).check(NOTHING_FORWARDED),
        row("absolute-form is proxied in origin-form", "GET http://example.com/abs?q=1 HTTP/1.1\r\n" + H + "\r\n",
            200, true).check(forwarded(o -> {
              Received r = o.received().get(0);
              assertThat(r.requestLine()).isEqualTo("GET /abs?q=1 HTTP/1.1");
              assertThat(r.headers("x-forwarded-host")).containsExactly("example.com");
            })),
        row("absolute-form with another scheme", "GET ftp://example.com/x HTTP/1.1\r\n" + H + "\r\n", 400, true)
            .check(NOTHING_FORWARDED),
        row("HEAD gets a head without a body", "HEAD /h HTTP/1.1\r\n" + H + "\r\n", 200, true).headRequest()
            .upstream(Answer.of("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n")).keepsUpstream(),
        row("HEAD answered by Sluice gets no body", "HEAD /v1/decisions HTTP/1.1\r\n" + H + "\r\n", 405, true).headRequest(),
        row("an early answer drains a small body and keeps the connection",
            "PUT /v1/decisions HTTP/1.1\r\n" + H + "Content-Length: 5\r\n\r\nhello", 405, true),
        row("an early answer with over 64 KiB of body still to come closes",
            "PUT /v1/decisions HTTP/1.1\r\n" + H + "Content-Length: 100000000\r\n\r\nhello", 405, false),
        row("an early answer to a chunked body closes (its size is unknown)",
            "PUT /v1/decisions HTTP/1.1\r\n" + H + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n", 405, false),

        // Expect, hop-by-hop headers, pipelining.
        row("Expect: 100-continue gets 100, then the answer", post5 + "Expect: 100-continue\r\nContent-Length: 5\r\n\r\n",
            200, true).thenSend("hello")
            .check(forwarded(o -> {
              assertThat(o.received().get(0).body()).isEqualTo("hello");
              assertThat(o.received().get(0).headers("expect")).isEmpty();
            })),
        row("Expect: 100-continue refused at once (413) without a 100", post5
            + "Expect: 100-continue\r\nContent-Length: 20000000\r\n\r\n", 413, false).check(NOTHING_FORWARDED),
        row("Expect: 100-continue without a body is answered without a 100", "GET /a HTTP/1.1\r\n" + H
            + "Expect: 100-continue\r\n\r\n", 200, true).check(forwarded(o -> {})),
        row("an unknown expectation gets 417", "GET /a HTTP/1.1\r\n" + H + "Expect: teapot\r\n\r\n", 417, true)
            .check(NOTHING_FORWARDED),
        row("hop-by-hop headers named in Connection are not forwarded", "GET /a HTTP/1.1\r\n" + H
            + "Connection: X-Secret, keep-alive\r\nKeep-Alive: timeout=5\r\nX-Secret: s\r\nX-Kept: k\r\n"
            + "Proxy-Connection: keep-alive\r\nTE: trailers\r\nUpgrade: h2c\r\n\r\n", 200, true)
            .check(forwarded(o -> {
              Received r = o.received().get(0);
              assertThat(r.headers("x-secret")).isEmpty();
              assertThat(r.headers("keep-alive")).isEmpty();
              assertThat(r.headers("proxy-connection")).isEmpty();
              assertThat(r.headers("upgrade")).isEmpty();
              assertThat(r.headers("connection")).isEmpty();
              assertThat(r.headers("te")).containsExactly("trailers");
              assertThat(r.headers("x-kept")).containsExactly("k");
            })),
        row("hop-by-hop headers named in a second Connection field are not forwarded", "GET /a HTTP/1.1\r\n" + H
            + "Connection: keep-alive\r\nConnection: X-One\r\nX-One: 1\r\n\r\n", 200, true)
            .check(forwarded(o -> assertThat(o.received().get(0).headers("x-one")).isEmpty())),
        row("a request pipelined after an error is not served", post5
            + "Content-Length: 1\r\nContent-Length: 2\r\n\r\nx" + smuggled, 400, false).check(NOTHING_FORWARDED),
        row("a request pipelined after a 413 is not served", post5 + "Content-Length: 20000000\r\n\r\n" + smuggled,
            413, false).check(NOTHING_FORWARDED),
        row("a request pipelined after Connection: close is not served", "GET /a HTTP/1.1\r\n" + H
            + "Connection: close\r\n\r\n" + smuggled, 200, false).check(forwarded(o -> {})),

        // The upstream's side.
        row("upstream answers garbage", "GET /a HTTP/1.1\r\n" + H + "\r\n", 502, true)
            .upstream(Answer.of("not http\r\n\r\n")),
        row("upstream answers a status code out of range", "GET /a HTTP/1.1\r\n" + H + "\r\n", 502, true)
            .upstream(Answer.of("HTTP/1.1 99999 Nope\r\nContent-Length: 0\r\n\r\n")),
        row("upstream answers a status code that is not a number", "GET /a HTTP/1.1\r\n" + H + "\r\n", 502, true)
            .upstream(Answer.of("HTTP/1.1 2x0 OK\r\nContent-Length: 0\r\n\r\n")),
        row("upstream answers a head over the limit", "GET /a HTTP/1.1\r\n" + H + "\r\n", 502, true)
            .upstream(Answer.of("HTTP/1.1 200 OK\r\nX-Huge: " + big('z', 100_000) + "\r\nContent-Length: 2\r\n\r\nok")),
        row("upstream answers two different Content-Lengths", "GET /a HTTP/1.1\r\n" + H + "\r\n", 502, true)
            .upstream(Answer.of("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok")),
        row("upstream answers 101 without being asked to switch", "GET /a HTTP/1.1\r\n" + H + "\r\n", 502, true)
            .upstream(Answer.of("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\nConnection: upgrade\r\n\r\n")),
        row("upstream ends the body early (Content-Length larger than sent)", "GET /a HTTP/1.1\r\n" + H + "\r\n",
            200, false).upstream(Answer.thenClose("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly ten..")).check(INCOMPLETE),
        row("upstream closes mid-chunk", "GET /a HTTP/1.1\r\n" + H + "\r\n", 200, false)
            .upstream(Answer.thenClose("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\na\r\nhalf")).check(INCOMPLETE),
        row("upstream sends a bad chunk after the head", "GET /a HTTP/1.1\r\n" + H + "\r\n", 200, false)
            .upstream(Answer.of("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\nzz\r\n\r\n"))
            .check(INCOMPLETE),
        row("upstream sends 100 and 103 before the answer", "GET /a HTTP/1.1\r\n" + H + "\r\n", 200, true)
            .upstream(Answer.of("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfinal")).keepsUpstream()
            .check(o -> assertThat(o.response().body()).isEqualTo("final")),
        row("upstream sends 103 before the answer to HEAD", "HEAD /h HTTP/1.1\r\n" + H + "\r\n", 200, true).headRequest()
            .upstream(Answer.of("HTTP/1.1 103 Early Hints\r\nLink: </s.css>\r\n\r\n"
                + "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n")).keepsUpstream(),
        row("upstream answers Connection: close", "GET /a HTTP/1.1\r\n" + H + "\r\n", 200, true)
            .upstream(Answer.thenClose("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 3\r\n\r\nbye"))
            .check(o -> assertThat(o.response().body()).isEqualTo("bye")),
        // A POST: a GET meeting a reused connection that closes silently is retried (StaleUpstreamRetryTest).
        row("upstream closes without answering", "POST /a HTTP/1.1\r\n" + H + "Content-Length: 0\r\n\r\n", 502,
            true).upstream(Answer.thenClose("")),
        row("upstream ends a body without a length by closing", "GET /a HTTP/1.1\r\n" + H + "\r\n", 200, true)
            .upstream(Answer.thenClose("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end"))
            .check(o -> {
              assertThat(o.response().body()).isEqualTo("until the end");
              assertThat(o.response().header("transfer-encoding")).isEqualTo("chunked");
            }),
        row("upstream answers with Content-Length and Transfer-Encoding", "GET /a HTTP/1.1\r\n" + H + "\r\n", 200,
            true).upstream(Answer.of("HTTP/1.1 200 OK\r\nContent-Length: 99\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "2\r\nok\r\n0\r\n\r\n")).check(o -> {
                  assertThat(o.response().body()).isEqualTo("ok");
                  assertThat(o.response().header("content-length")).isNull();
                }));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("rows")
  void row(Row row) throws IOException {
    upstream.reset();
    upstream.script(row.answers());
    logged.list.clear();
    try (Socket s = new Socket("127.0.0.1", sluice.server.edgePort())) {
      s.setSoTimeout(10_000);
      OutputStream out = s.getOutputStream();
      InputStream in = s.getInputStream();
      out.write(row.request().getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      if (row.afterContinue() != null) {
        RawHttp.Response interim = RawHttp.read(in, row.head());
        assertThat(interim).as("the interim response").isNotNull();
        assertThat(interim.status()).as(interim.head()).isEqualTo(100);
        out.write(row.afterContinue().getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
      }
      RawHttp.Response res = RawHttp.read(in, row.head());
      assertThat(res).as("a response").isNotNull();
      assertThat(res.status()).as(res.head() + "\r\n\r\n" + res.body()).isEqualTo(row.status());
      assertNoInternals(res);
      if (res.status() >= 400 && !row.head()) {
        assertThat(res.header("content-type")).startsWith("application/problem+json");
      }
      if (res.status() >= 500 && res.status() != 505) { // 505 answers the client's own request line
        assertThat(res.header("x-request-id")).isNotBlank();
        assertThat(res.body()).contains("\"requestId\":\"" + res.header("x-request-id") + "\"");
      }
      List<Received> received = new ArrayList<>(upstream.received);
      if (row.open()) {
        row.check().verify(new Outcome(res, received));
        out.write(FOLLOW_UP.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        RawHttp.Response next = RawHttp.read(in, false);
        assertThat(next).as("the follow-up's response on the same connection").isNotNull();
        assertThat(next.status()).as(next.head()).isEqualTo(200);
        assertThat(next.body()).isEqualTo("ok");
      } else {
        assertThat(RawHttp.closed(in)).as("the connection closed").isTrue();
        row.check().verify(new Outcome(res, new ArrayList<>(upstream.received)));
      }
      if (row.discardsUpstream() && !received.isEmpty()) {
        int conn = received.get(0).connection();
        Harness.await(Duration.ofSeconds(5), "upstream connection " + conn + " to be closed",
            () -> upstream.ended.contains(conn));
      }
    }
    Harness.await(Duration.ofSeconds(5), "no request active on the edge", () -> sluice.server.edgeRequestsActive() == 0);
    Harness.await(Duration.ofSeconds(5), "no upstream connection busy", () -> sluice.server.upstreamConnectionsBusy() == 0);
    assertThat(logged.list.stream().filter(e -> e.getLevel().isGreaterOrEqual(Level.ERROR))
        .map(ILoggingEvent::getFormattedMessage)).as("ERROR logs").isEmpty();
  }

  static void assertNoInternals(RawHttp.Response res) {
    assertThat(res.head() + res.body()).doesNotContain("Exception", "127.0.0.1", "io.netty", "java.");
  }
}
