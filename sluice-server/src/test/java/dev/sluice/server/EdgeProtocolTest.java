package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.ManualClock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * HTTP/1.1 on the edge port over raw sockets: pipelined requests answered in order, chunked bodies
 * forwarded, HTTP/1.0 without keep-alive closed after one answer, methods other than POST on the
 * decision API, a port already in use.
 */
class EdgeProtocolTest {

  static TestUpstream upstream;
  static Harness sluice;

  @BeforeAll
  static void start() {
    upstream = new TestUpstream();
    sluice = Harness.start("""
        upstream:
          url: %s
          timeout: 5s
        tiers:
          free:
            per-client: { burst: 100, rate: 100/s }
        """.formatted(upstream.url()), new ManualClock(1_000L));
  }

  @AfterAll
  static void stop() {
    sluice.close();
    upstream.close();
  }

  /** Sends {@code raw} on one connection and reads {@code n} responses (or until the server closes). */
  static List<String> exchange(String raw, int n) throws IOException {
    try (Socket s = new Socket("127.0.0.1", sluice.server.edgePort())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(raw.getBytes(StandardCharsets.UTF_8));
      s.getOutputStream().flush();
      List<String> out = new ArrayList<>();
      InputStream in = s.getInputStream();
      for (int i = 0; i < n; i++) {
        String r = readResponse(in);
        if (r == null) {
          break;
        }
        out.add(r);
      }
      return out;
    }
  }

  /** Reads one response with a Content-Length body, or returns null at end of stream. */
  static String readResponse(InputStream in) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int headerEnd = -1;
    int length = 0;
    while (headerEnd < 0 || buf.size() < headerEnd + length) {
      int b = in.read();
      if (b < 0) {
        return buf.size() == 0 ? null : buf.toString(StandardCharsets.UTF_8);
      }
      buf.write(b);
      if (headerEnd < 0 && buf.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
        String head = buf.toString(StandardCharsets.US_ASCII).toLowerCase(Locale.ROOT);
        headerEnd = buf.size();
        int i = head.indexOf("content-length:");
        length = i < 0 ? 0 : Integer.parseInt(head.substring(i + 15, head.indexOf('\r', i)).strip());
      }
    }
    return buf.toString(StandardCharsets.UTF_8);
  }

  static String post(String path, String json) {
    return "POST " + path + " HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
        + json.getBytes(StandardCharsets.UTF_8).length + "\r\n\r\n" + json;
  }

  static String body(String response) {
    return response.substring(response.indexOf("\r\n\r\n") + 4);
  }

  @Test
  void pipelinedRequestsAreAnsweredInOrder() throws IOException {
    String decision = post("/v1/decisions", "{\"key\":\"pipe-a\"}");
    String proxied = "GET /echo/second?n=2 HTTP/1.1\r\nHost: x\r\nX-Client-ID: pipe-b\r\n\r\n";
    String feedback = post("/v1/feedback", "{\"key\":\"pipe-c\",\"latencyMs\":3,\"status\":200}");
    List<String> res = exchange(decision + proxied + feedback + proxied.replace("second?n=2", "fourth"), 4);

    assertThat(res).hasSize(4);
    assertThat(res.get(0)).startsWith("HTTP/1.1 200");
    assertThat(body(res.get(0))).contains("\"allowed\":true");
    assertThat(res.get(1)).startsWith("HTTP/1.1 200");
    assertThat(TestUpstream.echo(body(res.get(1)))).containsEntry("path", "/echo/second?n=2");
    assertThat(res.get(2)).startsWith("HTTP/1.1 202");
    assertThat(TestUpstream.echo(body(res.get(3)))).containsEntry("path", "/echo/fourth");
  }

  @Test
  void aChunkedBodyIsForwardedWhole() throws IOException {
    String req = "POST /echo/chunked HTTP/1.1\r\nHost: x\r\nX-Client-ID: chunky\r\n"
        + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n";
    List<String> res = exchange(req, 1);

    assertThat(res.get(0)).startsWith("HTTP/1.1 200");
    Map<String, Object> echo = TestUpstream.echo(body(res.get(0)));
    assertThat(echo).containsEntry("method", "POST").containsEntry("body", "hello, world");
  }

  @Test
  void aLargeChunkedBodyStreamsThroughWithBackPressure() throws IOException {
    StringBuilder raw = new StringBuilder("POST /echo/big HTTP/1.1\r\nHost: x\r\nX-Client-ID: big\r\n"
        + "Transfer-Encoding: chunked\r\n\r\n");
    String piece = "0123456789abcdef".repeat(512); // 8 KiB
    for (int i = 0; i < 128; i++) { // 1 MiB in all
      raw.append(Integer.toHexString(piece.length())).append("\r\n").append(piece).append("\r\n");
    }
    raw.append("0\r\n\r\n");
    List<String> res = exchange(raw.toString(), 1);

    assertThat(res.get(0)).startsWith("HTTP/1.1 200");
    Object body = TestUpstream.echo(body(res.get(0))).get("body");
    assertThat(body).isEqualTo(piece.repeat(128));
  }

  @Test
  void http10WithoutKeepAliveGetsOneAnswerAndAClose() throws IOException {
    String req = "GET /echo/old HTTP/1.0\r\nX-Client-ID: old-client\r\n\r\n";
    List<String> res = exchange(req + req, 2);

    assertThat(res).hasSize(1);
    assertThat(res.get(0)).startsWith("HTTP/1.0 200").containsIgnoringCase("connection: close");
  }

  @Test
  void theDecisionApiTakesOnlyPost() throws IOException {
    List<String> res = exchange("GET /v1/decisions HTTP/1.1\r\nHost: x\r\n\r\n", 1);

    assertThat(res.get(0)).startsWith("HTTP/1.1 405").containsIgnoringCase("allow: POST")
        .contains("application/problem+json");
  }

  @Test
  void aGarbledRequestGets400AndAClose() throws IOException {
    List<String> res = exchange("GET /echo/x HTTP/1.1\r\nHost: x\r\nBad Header\u0001: y\r\n\r\n", 2);

    assertThat(res).hasSize(1);
    assertThat(res.get(0)).startsWith("HTTP/1.1 400").contains("urn:sluice:problem:http-400");
  }

  @Test
  void aPipelinedRequestsContinueComesAfterTheAnswerBeforeIt() throws IOException {
    try (Socket s = new Socket("127.0.0.1", sluice.server.edgePort())) {
      s.setSoTimeout(10_000);
      String slow = "GET /delay/300 HTTP/1.1\r\nHost: x\r\nX-Client-ID: cont\r\n\r\n";
      String json = "{\"key\":\"cont\"}";
      String expecting = "POST /v1/decisions HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: "
          + json.length() + "\r\n\r\n";
      s.getOutputStream().write((slow + expecting).getBytes(StandardCharsets.UTF_8));
      InputStream in = s.getInputStream();

      RawHttp.Response first = RawHttp.read(in, false);
      assertThat(first.status()).as("the first answer comes first").isEqualTo(200);
      assertThat(first.body()).isEqualTo("late");
      assertThat(RawHttp.read(in, false).status()).isEqualTo(100);
      s.getOutputStream().write(json.getBytes(StandardCharsets.UTF_8));
      RawHttp.Response decision = RawHttp.read(in, false);
      assertThat(decision.status()).isEqualTo(200);
      assertThat(decision.body()).contains("\"allowed\":true");
    }
  }

  @Test
  void jsonNestedDeeperThanTheLimitGets400() throws IOException {
    String deep = "[".repeat(17) + "]".repeat(17);
    for (String path : List.of("/v1/decisions", "/v1/feedback")) {
      List<String> res = exchange(post(path, deep), 1);

      assertThat(res).as(path).hasSize(1);
      assertThat(res.get(0)).as(path).startsWith("HTTP/1.1 400").contains("urn:sluice:problem:bad-request")
          .contains("nested deeper than 16");
    }
  }

  @Test
  void contentLengthWithTransferEncodingGets400AndACloseAndTheBodyIsNotServed() throws IOException {
    int before = upstream.requests.get();
    String hidden = "GET /echo/smuggled HTTP/1.1\r\nHost: x\r\n\r\n";
    List<String> res = exchange("POST /echo/x HTTP/1.1\r\nHost: x\r\nX-Client-ID: cl-te\r\nContent-Length: "
        + (5 + hidden.length()) + "\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" + hidden, 2);

    assertThat(res).hasSize(1);
    assertThat(res.get(0)).startsWith("HTTP/1.1 400").containsIgnoringCase("connection: close");
    assertThat(upstream.requests.get()).isEqualTo(before);
  }

  @Test
  void aBadChunkSizeGets400AndEndsTheExchange() throws IOException {
    for (int i = 0; i < 3; i++) {
      List<String> res = exchange("POST /echo/x HTTP/1.1\r\nHost: x\r\nX-Client-ID: bad-chunk\r\n"
          + "Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n", 2);

      assertThat(res).hasSize(1);
      assertThat(res.get(0)).startsWith("HTTP/1.1 400");
    }
    Harness.await(java.time.Duration.ofSeconds(5), "sluice_edge_requests_active back to 0",
        () -> sluice.server.edgeRequestsActive() == 0);
  }

  @Test
  void anUnknownMajorVersionGets505() throws IOException {
    int before = upstream.requests.get();
    List<String> res = exchange("GET /echo/v HTTP/9.9\r\nHost: x\r\nX-Client-ID: v9\r\n\r\n", 2);

    assertThat(res).hasSize(1);
    assertThat(res.get(0)).startsWith("HTTP/1.1 505").contains("urn:sluice:problem:http-version");
    assertThat(upstream.requests.get()).isEqualTo(before);
  }

  @Test
  void aUriOverTheLimitGets414AndAHeaderBlockOverTheLimitGets431() throws IOException {
    List<String> uri = exchange("GET /echo/" + "u".repeat(9000) + " HTTP/1.1\r\nHost: x\r\n\r\n", 2);
    List<String> headers = exchange("GET /echo/x HTTP/1.1\r\nHost: x\r\nX-Big: " + "h".repeat(20_000)
        + "\r\n\r\n", 2);

    assertThat(uri).hasSize(1);
    assertThat(uri.get(0)).startsWith("HTTP/1.1 414").containsIgnoringCase("connection: close");
    assertThat(headers).hasSize(1);
    assertThat(headers.get(0)).startsWith("HTTP/1.1 431").containsIgnoringCase("connection: close");
  }

  @Test
  void anIdleConnectionIsClosedAfterTheIdleTimeout() throws IOException {
    try (Harness quick = Harness.start(Harness.options("""
            tiers:
              free:
                per-client: { burst: 5, rate: 5/s }
            """, new ManualClock(1_000L)).idleTimeout(java.time.Duration.ofMillis(300)));
        Socket s = new Socket("127.0.0.1", quick.server.edgePort())) {
      s.setSoTimeout(10_000);
      String json = "{\"key\":\"idle\"}";
      s.getOutputStream().write(post("/v1/decisions", json).getBytes(StandardCharsets.UTF_8));
      InputStream in = s.getInputStream();
      assertThat(readResponse(in)).startsWith("HTTP/1.1 200");
      Harness.await(java.time.Duration.ofSeconds(5), "the server to count the connection",
          () -> quick.server.edgeConnections() == 1);

      // Nothing more is sent: the server closes the connection (end of stream, not the 10 s read timeout).
      assertThat(in.read()).isEqualTo(-1);
      Harness.await(java.time.Duration.ofSeconds(5), "the connection to be gone",
          () -> quick.server.edgeConnections() == 0);
    }
  }

  @Test
  void aPortInUseFailsTheStartWithTheAddress() {
    String yaml = """
        server:
          bind: 127.0.0.1
          port: %d
          admin-port: 0
        tiers:
          free:
            per-client: { burst: 1, rate: 1/s }
        """.formatted(sluice.server.edgePort());
    assertThatThrownBy(() -> SluiceServer.start(ServerOptions.builder().configYaml(yaml).build()))
        .isInstanceOf(CompletionException.class)
        .hasMessageContaining("cannot listen on 127.0.0.1:" + sluice.server.edgePort());
  }
}
