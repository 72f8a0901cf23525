package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the edge makes of a request it forwards, found by {@link EdgeMutationFuzzTest}: {@code TE}
 * is kept only when it is {@code trailers}, and that was decided on the first {@code TE} field
 * alone, so {@code TE: trailers} then {@code TE: gzip} forwarded both (seed 5, case 62508); an
 * absolute-form target's authority becomes {@code Host}, and one holding a DEL failed that with an
 * exception, a 500 and an ERROR (seed 6, case 65207).
 */
class ForwardedRequestTest {

  @RegisterExtension
  static final ScriptedEdge edge = new ScriptedEdge();
  static final List<RawRequests.Request> received = new CopyOnWriteArrayList<>();

  /** Sends {@code head} and returns the request the upstream got. */
  static RawRequests.Request forwarded(String head) throws IOException {
    received.clear();
    edge.upstream().beginCase((index, req) -> {
      received.add(req);
      return new FuzzUpstream.Answer(FuzzCorpus.secondAnswer(req.method()), 1, false, false);
    });
    try (Socket s = new Socket("127.0.0.1", edge.sluice().server.edgePort())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(head.getBytes(StandardCharsets.ISO_8859_1));
      InputStream in = s.getInputStream();
      in.transferTo(java.io.OutputStream.nullOutputStream());
    }
    assertThat(received).hasSize(1);
    return received.get(0);
  }

  @Test
  void teIsForwardedOnlyWhenEveryFieldIsTrailers() throws IOException {
    String base = "GET /x HTTP/1.1\r\nHost: edge\r\nConnection: close\r\n";

    assertThat(forwarded(base + "TE: trailers\r\nTE: gzip\r\n\r\n").all("te")).isEmpty();
    assertThat(forwarded(base + "TE: gzip\r\nTE: trailers\r\n\r\n").all("te")).isEmpty();
    assertThat(forwarded(base + "TE: trailers\r\n\r\n").all("te")).containsExactly("trailers");
  }

  @Test
  void anAbsoluteTargetWhoseAuthorityCannotBeAHostIs400() throws Exception {
    for (String authority : List.of("\u007fther", "a b", "a\"b", "user@host")) {
      edge.upstream().beginCase(null);
      String raw = "GET http://" + authority + "/x HTTP/1.1\r\nHost: edge\r\nConnection: close\r\n\r\n";
      byte[] got;
      try (Socket s = new Socket("127.0.0.1", edge.sluice().server.edgePort())) {
        s.setSoTimeout(10_000);
        s.getOutputStream().write(raw.getBytes(StandardCharsets.ISO_8859_1));
        got = s.getInputStream().readAllBytes();
      }

      List<StrictHttp.Response> res = StrictHttp.responses(got, i -> false).finals();
      assertThat(res).as(authority).hasSize(1);
      assertThat(res.get(0).status()).as(authority).isEqualTo(400);
      assertThat(edge.upstream().requests()).isZero();
    }
  }
}
