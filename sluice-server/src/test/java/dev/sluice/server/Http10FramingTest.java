package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Request framing on HTTP/1.0, found by {@link EdgeMutationFuzzTest} (seed 1, case 25364): Netty
 * refuses two {@code Content-Length} fields on HTTP/1.1 only and reads an HTTP/1.0 body by the
 * first, so {@code Content-Length: 0} then {@code Content-Length: 20} hid a second request in what
 * a hop in front read as the first one's body.
 */
class Http10FramingTest {

  @RegisterExtension
  static final ScriptedEdge edge = new ScriptedEdge();

  static byte[] exchange(String raw) throws IOException {
    return edge.exchange(raw);
  }

  @Test
  void twoContentLengthsOnHttp10Are400AndClose() throws Exception {
    String hidden = "GET /hidden HTTP/1.0\r\n\r\n";
    for (String second : List.of("0", String.valueOf(hidden.length()))) {
      edge.upstream().beginCase(null);
      String raw = "POST /visible HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 0\r\nContent-Length: " + second
          + "\r\n\r\n" + hidden;

      List<StrictHttp.Response> res = StrictHttp.responses(exchange(raw), i -> false).finals();

      assertThat(res).as("Content-Length: 0 and %s", second).hasSize(1);
      assertThat(res.get(0).status()).isEqualTo(400);
      assertThat(edge.upstream().requests()).as("nothing forwarded").isZero();
    }
  }
}
