package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testkit.ManualClock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Request framing on HTTP/1.0, found by {@link EdgeMutationFuzzTest} (seed 1, case 25364): Netty
 * refuses two {@code Content-Length} fields on HTTP/1.1 only and reads an HTTP/1.0 body by the
 * first, so {@code Content-Length: 0} then {@code Content-Length: 20} hid a second request in what
 * a hop in front read as the first one's body.
 */
class Http10FramingTest {

  static FuzzUpstream upstream;
  static Harness sluice;

  @BeforeAll
  static void start() throws IOException {
    upstream = new FuzzUpstream();
    sluice = Harness.start("""
        upstream:
          url: http://127.0.0.1:%d
          timeout: 5s
        tiers:
          free:
            per-client: { burst: 1000000, rate: 1000/s }
        """.formatted(upstream.port()), new ManualClock(1_000L));
  }

  @AfterAll
  static void stop() throws IOException {
    sluice.close();
    upstream.close();
  }

  static byte[] exchange(String raw) throws IOException {
    try (Socket s = new Socket("127.0.0.1", sluice.server.edgePort())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(raw.getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      InputStream in = s.getInputStream();
      try {
        in.transferTo(got);
      } catch (SocketException reset) {
        // what came before it is complete
      }
      return got.toByteArray();
    }
  }

  @Test
  void twoContentLengthsOnHttp10Are400AndClose() throws Exception {
    String hidden = "GET /hidden HTTP/1.0\r\n\r\n";
    for (String second : List.of("0", String.valueOf(hidden.length()))) {
      upstream.beginCase(null);
      String raw = "POST /visible HTTP/1.0\r\nConnection: keep-alive\r\nContent-Length: 0\r\nContent-Length: " + second
          + "\r\n\r\n" + hidden;

      List<StrictHttp.Response> res = StrictHttp.responses(exchange(raw), i -> false).finals();

      assertThat(res).as("Content-Length: 0 and %s", second).hasSize(1);
      assertThat(res.get(0).status()).isEqualTo(400);
      assertThat(upstream.requests()).as("nothing forwarded").isZero();
    }
  }
}
