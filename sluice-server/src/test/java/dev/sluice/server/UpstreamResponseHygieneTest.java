package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What an upstream sends that the edge must not pass on as it came, found by {@link
 * EdgeMutationFuzzTest}: bytes after a complete response (they answered the next pipelined
 * request), fields or a reason phrase a client could misread (a bare CR, a NUL, a name that is not
 * a token), and an HTTP/1.0 response with both a length and chunked coding (the length was
 * forwarded with a body it did not describe).
 */
class UpstreamResponseHygieneTest {

  @RegisterExtension
  static final ScriptedEdge edge = new ScriptedEdge();

  /** Sends {@code raw} on a new connection and returns every byte until the edge closes it. */
  static byte[] exchange(String raw) throws IOException {
    return edge.exchange(raw);
  }

  static List<StrictHttp.Response> responses(byte[] stream) throws StrictHttp.Malformed {
    return StrictHttp.responses(stream, i -> false).finals();
  }

  @Test
  void bytesAfterACompleteResponseNeverAnswerTheNextRequest() throws Exception {
    String pipelined = "GET /one HTTP/1.1\r\nHost: edge\r\n\r\nGET /two HTTP/1.1\r\nHost: edge\r\nConnection: close\r\n\r\n";
    for (boolean close : List.of(true, false)) {
      byte[] first = ("HTTP/1.1 304 Not Modified\r\nETag: \"v1\"\r\n\r\n"
          + "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi").getBytes(StandardCharsets.ISO_8859_1);
      edge.upstream().beginCase((index, req) -> index == 0 ? new FuzzUpstream.Answer(first, 1, close, false)
          : new FuzzUpstream.Answer(FuzzCorpus.secondAnswer(req.method()), 1, false, false));

      List<StrictHttp.Response> res = responses(exchange(pipelined));

      assertThat(res).as("then close: %s", close).hasSize(2);
      assertThat(res.get(0).status()).isEqualTo(304);
      assertThat(res.get(1).status()).isEqualTo(200);
      assertThat(res.get(1).field("x-fuzz-answer")).as("the answer to /two, not the bytes after /one's").isEqualTo("1");
      assertThat(new String(res.get(1).body(), StandardCharsets.ISO_8859_1)).isEqualTo("second");
      assertThat(edge.upstream().requests()).isEqualTo(2);
      assertThat(edge.upstream().closeScripted(true, Duration.ofSeconds(5))).isTrue();
    }
  }

  @Test
  void fieldsAClientCouldMisreadAre502() throws Exception {
    List<String> heads = List.of(
        "HTTP/1.1 200 OK\r\n\rX-Injected: 1\r\nContent-Length: 2\r\n\r\nok",
        "HTTP/1.1 200 OK\r\nX-Value: a\u0000b\r\nContent-Length: 2\r\n\r\nok",
        "HTTP/1.1 200 OK\r\nTransfer-\"Encoding: chunked\r\nContent-Length: 2\r\n\r\nok",
        "HTTP/1.1 200 \u000eOK\r\nContent-Length: 2\r\n\r\nok",
        "HTTP/1.1 200 OK\r\n\tfolded-onto-nothing\r\nContent-Length: 2\r\n\r\nok");
    for (String head : heads) {
      byte[] bytes = head.getBytes(StandardCharsets.ISO_8859_1);
      edge.upstream().beginCase((index, req) -> new FuzzUpstream.Answer(bytes, 1, true, false));

      List<StrictHttp.Response> res = responses(exchange("GET /x HTTP/1.1\r\nHost: edge\r\nConnection: close\r\n\r\n"));

      assertThat(res).as(StrictHttp.escape(bytes, 0, bytes.length)).hasSize(1);
      assertThat(res.get(0).status()).as(StrictHttp.escape(bytes, 0, bytes.length)).isEqualTo(502);
    }
  }

  @Test
  void anHttp10ResponseWithLengthAndChunkedIsForwardedWithoutTheLength() throws Exception {
    byte[] first = "HTTP/1.0 200 OK\r\nContent-Length: 0\r\nTransfer-Encoding: chunked\r\n\r\n4\r\ndata\r\n0\r\n\r\n"
        .getBytes(StandardCharsets.ISO_8859_1);
    edge.upstream().beginCase((index, req) -> index == 0 ? new FuzzUpstream.Answer(first, 1, false, false)
        : new FuzzUpstream.Answer(FuzzCorpus.secondAnswer(req.method()), 1, false, false));

    List<StrictHttp.Response> res = responses(exchange("GET /one HTTP/1.1\r\nHost: edge\r\n\r\n"
        + "GET /two HTTP/1.1\r\nHost: edge\r\nConnection: close\r\n\r\n"));

    assertThat(res).hasSize(2);
    assertThat(res.get(0).field("content-length")).as("the length the body does not have").isNull();
    assertThat(new String(res.get(0).body(), StandardCharsets.ISO_8859_1)).isEqualTo("data");
    assertThat(res.get(1).field("x-fuzz-answer")).isEqualTo("1");
    assertThat(edge.upstream().closeScripted(true, Duration.ofSeconds(5))).isTrue();
  }
}
