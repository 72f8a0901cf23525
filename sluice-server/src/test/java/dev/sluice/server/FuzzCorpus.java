package dev.sluice.server;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The valid messages the mutation fuzzer starts from: client requests to the edge (proxied GET,
 * POST with a length or chunked, HEAD, the decision and feedback APIs, pipelined pairs, HTTP/1.0,
 * {@code Expect}, hop-by-hop fields, an absolute-form target) and upstream responses (length, chunked with and without
 * trailers, close-delimited, HTTP/1.0, 204, 304, 1xx before the final answer, {@code Connection:
 * close}, error statuses). Immutable.
 */
final class FuzzCorpus {

  private FuzzCorpus() {}

  /**
   * A named valid message.
   *
   * @param name what it is
   * @param bytes the raw message
   */
  record Seed(String name, byte[] bytes) {
    Seed(String name, String text) {
      this(name, text.getBytes(StandardCharsets.ISO_8859_1));
    }
  }

  /**
   * Requests an upstream-direction case sends unmutated.
   *
   * @param name what it is
   * @param methods the method of each request, in order
   * @param bytes the raw requests; the last one closes the connection
   */
  record Requests(String name, List<String> methods, byte[] bytes) {
    Requests(String name, List<String> methods, String text) {
      this(name, methods, text.getBytes(StandardCharsets.ISO_8859_1));
    }
  }

  /**
   * An upstream response seed.
   *
   * @param name what it is
   * @param head status line(s) and fields, through the empty line
   * @param body the body as sent (already chunked where the head says so)
   */
  record Response(String name, String head, String body) {

    /** Returns the bytes an upstream sends for a request with {@code method}: no body for HEAD. */
    byte[] render(String method) {
      return (method.equals("HEAD") ? head : head + body).getBytes(StandardCharsets.ISO_8859_1);
    }
  }

  private static final String GET = "GET /fuzz/a?q=1 HTTP/1.1\r\nHost: edge\r\nX-Client-ID: fz\r\nAccept: */*\r\n\r\n";
  private static final String POST = "POST /fuzz/b HTTP/1.1\r\nHost: edge\r\nX-Client-ID: fz\r\n"
      + "Content-Type: text/plain\r\nContent-Length: 11\r\n\r\nhello world";
  private static final String DECISION = post("/v1/decisions",
      "{\"key\":\"fz\",\"tier\":\"free\",\"method\":\"GET\",\"path\":\"/a\",\"cost\":1}");

  static final List<Seed> CLIENT = List.of(
      new Seed("get", GET),
      new Seed("post-length", POST),
      new Seed("post-chunked", "POST /fuzz/c HTTP/1.1\r\nHost: edge\r\nX-Client-ID: fz\r\n"
          + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"),
      new Seed("post-chunked-trailer", "POST /fuzz/c HTTP/1.1\r\nHost: edge\r\nTransfer-Encoding: chunked\r\n"
          + "Trailer: X-T\r\n\r\n5;ext=1\r\nhello\r\n0\r\nX-T: t\r\n\r\n"),
      new Seed("head", "HEAD /fuzz/h HTTP/1.1\r\nHost: edge\r\nX-Client-ID: fz\r\n\r\n"),
      new Seed("decision", DECISION),
      new Seed("decision-chunked", "POST /v1/decisions HTTP/1.1\r\nHost: edge\r\nContent-Type: application/json\r\n"
          + "Transfer-Encoding: chunked\r\n\r\nc\r\n{\"key\":\"fz\"}\r\n0\r\n\r\n"),
      new Seed("decision-deep", post("/v1/decisions", "[".repeat(16) + "]".repeat(16))),
      new Seed("feedback", post("/v1/feedback", "{\"key\":\"fz\",\"latencyMs\":3,\"status\":200}")),
      new Seed("feedback-deep", post("/v1/feedback", "[{\"key\":" + "{\"a\":".repeat(15) + "1" + "}".repeat(15) + "}]")),
      new Seed("pipelined", GET + POST),
      new Seed("pipelined-api", DECISION + GET),
      new Seed("http10", "GET /fuzz/old HTTP/1.0\r\nX-Client-ID: fz\r\n\r\n"),
      new Seed("http10-keepalive", "GET /fuzz/old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n"
          + "GET /fuzz/old2 HTTP/1.0\r\n\r\n"),
      new Seed("expect", "POST /fuzz/e HTTP/1.1\r\nHost: edge\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\nbody"),
      new Seed("hop-by-hop", "GET /fuzz/hop HTTP/1.1\r\nHost: edge\r\nConnection: X-Fuzz-Hop, keep-alive\r\n"
          + "X-Fuzz-Hop: 1\r\nKeep-Alive: timeout=5\r\n\r\n"),
      new Seed("delete", "DELETE /fuzz/d HTTP/1.1\r\nHost: edge\r\nContent-Length: 0\r\n\r\n"),
      new Seed("absolute-form", "GET http://edge:80/fuzz/abs?q=1 HTTP/1.1\r\nHost: other\r\n\r\n"),
      new Seed("expect-chunked", "POST /fuzz/e HTTP/1.1\r\nHost: edge\r\nExpect: 100-continue\r\n"
          + "Transfer-Encoding: chunked\r\n\r\n4\r\nbody\r\n0\r\n\r\n"),
      new Seed("head-pipelined", "HEAD /fuzz/h HTTP/1.1\r\nHost: edge\r\n\r\n" + GET));

  static final List<Requests> UPSTREAM_REQUESTS = List.of(
      new Requests("get", List.of("GET"), "GET /fuzz/u HTTP/1.1\r\nHost: edge\r\nX-Client-ID: fz-up\r\n"
          + "Connection: close\r\n\r\n"),
      new Requests("head", List.of("HEAD"), "HEAD /fuzz/u HTTP/1.1\r\nHost: edge\r\nConnection: close\r\n\r\n"),
      new Requests("post-length", List.of("POST"), "POST /fuzz/u HTTP/1.1\r\nHost: edge\r\nContent-Length: 3\r\n"
          + "Connection: close\r\n\r\nabc"),
      new Requests("post-chunked", List.of("POST"), "POST /fuzz/u HTTP/1.1\r\nHost: edge\r\n"
          + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n3\r\nabc\r\n0\r\n\r\n"),
      new Requests("http10", List.of("GET"), "GET /fuzz/u HTTP/1.0\r\n\r\n"),
      new Requests("pipelined", List.of("GET", "GET"), "GET /fuzz/u1 HTTP/1.1\r\nHost: edge\r\n\r\n"
          + "GET /fuzz/u2 HTTP/1.1\r\nHost: edge\r\nConnection: close\r\n\r\n"),
      new Requests("pipelined-head", List.of("HEAD", "GET"), "HEAD /fuzz/u1 HTTP/1.1\r\nHost: edge\r\n\r\n"
          + "GET /fuzz/u2 HTTP/1.1\r\nHost: edge\r\nConnection: close\r\n\r\n"));

  static final List<Response> RESPONSES = List.of(
      length("length", "HTTP/1.1 200 OK", "Content-Type: text/plain\r\nETag: \"v1\"\r\n", "upstream body"),
      new Response("chunked", "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n",
          "5\r\nhello\r\n7\r\n, world\r\n0\r\n\r\n"),
      new Response("chunked-trailers", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nTrailer: X-Sum\r\n\r\n",
          "4;name=v\r\ndata\r\n0\r\nX-Sum: 1\r\n\r\n"),
      new Response("close-delimited", "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n",
          "until the end"),
      new Response("http10", "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\n", "old upstream"),
      new Response("no-content", "HTTP/1.1 204 No Content\r\nX-R: 1\r\n\r\n", ""),
      new Response("not-modified", "HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\n\r\n", ""),
      new Response("continue", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n", "ok"),
      new Response("early-hints", "HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n"
          + "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n", "2\r\nok\r\n0\r\n\r\n"),
      length("connection-close", "HTTP/1.1 200 OK", "Connection: close\r\n", "bye!!"),
      length("not-found", "HTTP/1.1 404 Not Found", "Content-Type: application/json\r\n", "{\"error\":\"no\"}"),
      length("unavailable", "HTTP/1.1 503 Service Unavailable", "Retry-After: 1\r\n", "busy"),
      length("empty", "HTTP/1.1 200 OK", "", ""),
      length("redirect", "HTTP/1.1 301 Moved Permanently", "Location: /elsewhere\r\n", ""));

  /** Returns the valid answer to the second request of a pipelined pair, marked as such. */
  static byte[] secondAnswer(String method) {
    return length("second", "HTTP/1.1 200 OK", "X-Fuzz-Answer: 1\r\n", "second").render(method);
  }

  private static Response length(String name, String statusLine, String fields, String body) {
    return new Response(name, statusLine + "\r\n" + fields + "Content-Length: " + body.length() + "\r\n\r\n", body);
  }

  private static String post(String path, String json) {
    return "POST " + path + " HTTP/1.1\r\nHost: edge\r\nContent-Type: application/json\r\nContent-Length: "
        + json.length() + "\r\n\r\n" + json;
  }
}
