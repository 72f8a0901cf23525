package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Clock;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * An upstream that closes a kept-alive connection, without {@code Connection: close}, as the edge
 * reuses it: a safe request without a body is sent once more on a new connection; anything else,
 * or a connection that sent a byte of a response, answers 502.
 */
class StaleUpstreamRetryTest {

  /** The upstream reads the request and closes the connection without a byte. */
  static final ScriptedUpstream.Answer CLOSE_SILENTLY = new ScriptedUpstream.Answer(new byte[0], true);

  static final String GET = "GET /x HTTP/1.1\r\nHost: x\r\nX-Client-ID: c\r\n\r\n";

  /** Sends {@code first}, then {@code second} on the same client connection; returns both responses. */
  static List<RawHttp.Response> exchange(Harness sluice, String first, String second) throws IOException {
    try (Socket s = new Socket("127.0.0.1", sluice.server.edgePort())) {
      s.setSoTimeout(10_000);
      InputStream in = s.getInputStream();
      s.getOutputStream().write(first.getBytes(StandardCharsets.ISO_8859_1));
      RawHttp.Response a = RawHttp.read(in, false);
      s.getOutputStream().write(second.getBytes(StandardCharsets.ISO_8859_1));
      RawHttp.Response b = RawHttp.read(in, false);
      return List.of(a, b);
    }
  }

  static Harness start(ScriptedUpstream upstream) {
    return Harness.start("upstream: { url: \"" + upstream.url() + "\" }\n" + UpstreamFailureTest.TIERS,
        Clock.system());
  }

  static double retries(Harness sluice) {
    Double n = PrometheusText.parse(sluice.adminGet("/metrics").body()).value("sluice_upstream_retries_total");
    return n == null ? 0 : n;
  }

  static void awaitQuiet(Harness sluice) {
    Harness.await(Duration.ofSeconds(5), "no request active", () -> sluice.server.edgeRequestsActive() == 0);
    Harness.await(Duration.ofSeconds(5), "no upstream connection busy",
        () -> sluice.server.upstreamConnectionsBusy() == 0);
  }

  @Test
  void aGetOnAStaleConnectionIsRetriedOnceOnANewOne() throws IOException {
    try (ScriptedUpstream upstream = new ScriptedUpstream(); Harness sluice = start(upstream)) {
      upstream.script(List.of(ScriptedUpstream.OK, CLOSE_SILENTLY));

      List<RawHttp.Response> res = exchange(sluice, GET, GET);

      assertThat(res.get(0).status()).isEqualTo(200);
      assertThat(res.get(1).status()).isEqualTo(200);
      assertThat(res.get(1).body()).isEqualTo("ok");
      assertThat(upstream.connections.get()).isEqualTo(2);
      assertThat(upstream.received).extracting(ScriptedUpstream.Received::connection).containsExactly(1, 1, 2);
      assertThat(upstream.received).extracting(ScriptedUpstream.Received::requestLine)
          .containsOnly("GET /x HTTP/1.1");
      assertThat(upstream.received.stream().toList().get(2).headers("x-forwarded-for"))
          .as("the retried head is the forwarded one, not forwarded twice").containsExactly("127.0.0.1");
      assertThat(retries(sluice)).isEqualTo(1.0);
      awaitQuiet(sluice);
    }
  }

  @Test
  void aRetryThatMeetsAnotherSilentCloseIsNotRetriedAgain() throws IOException {
    try (ScriptedUpstream upstream = new ScriptedUpstream(); Harness sluice = start(upstream)) {
      upstream.script(List.of(ScriptedUpstream.OK, CLOSE_SILENTLY, CLOSE_SILENTLY));

      List<RawHttp.Response> res = exchange(sluice, GET, GET);

      assertThat(res.get(1).status()).isEqualTo(502);
      assertThat(upstream.connections.get()).isEqualTo(2);
      assertThat(retries(sluice)).isEqualTo(1.0);
      awaitQuiet(sluice);
    }
  }

  @Test
  void aPostOnAStaleConnectionIsNotRetried() throws IOException {
    for (String post : List.of("POST /x HTTP/1.1\r\nHost: x\r\nX-Client-ID: c\r\nContent-Length: 0\r\n\r\n",
        "POST /x HTTP/1.1\r\nHost: x\r\nX-Client-ID: c\r\nContent-Length: 3\r\n\r\nabc")) {
      try (ScriptedUpstream upstream = new ScriptedUpstream(); Harness sluice = start(upstream)) {
        upstream.script(List.of(ScriptedUpstream.OK, CLOSE_SILENTLY));

        List<RawHttp.Response> res = exchange(sluice, GET, post);

        assertThat(res.get(1).status()).as(post).isEqualTo(502);
        assertThat(upstream.connections.get()).isEqualTo(1);
        assertThat(retries(sluice)).isZero();
        awaitQuiet(sluice);
      }
    }
  }

  @Test
  void aGetWhoseConnectionSentPartOfAResponseIsNotRetried() throws IOException {
    try (ScriptedUpstream upstream = new ScriptedUpstream(); Harness sluice = start(upstream)) {
      upstream.script(List.of(ScriptedUpstream.OK, ScriptedUpstream.Answer.thenClose("HTTP/1.1 200 OK\r\nContent-Le")));

      List<RawHttp.Response> res = exchange(sluice, GET, GET);

      assertThat(res.get(1).status()).isEqualTo(502);
      assertThat(upstream.connections.get()).isEqualTo(1);
      assertThat(retries(sluice)).isZero();
      awaitQuiet(sluice);
    }
  }

  @Test
  void aGetWithABodyIsNotRetried() throws IOException {
    try (ScriptedUpstream upstream = new ScriptedUpstream(); Harness sluice = start(upstream)) {
      upstream.script(List.of(ScriptedUpstream.OK, CLOSE_SILENTLY));

      List<RawHttp.Response> res = exchange(sluice, GET,
          "GET /x HTTP/1.1\r\nHost: x\r\nX-Client-ID: c\r\nContent-Length: 2\r\n\r\nhi");

      assertThat(res.get(1).status()).isEqualTo(502);
      assertThat(upstream.connections.get()).isEqualTo(1);
      assertThat(retries(sluice)).isZero();
      awaitQuiet(sluice);
    }
  }

  @Test
  void aFreshConnectionThatClosesSilentlyIsNotRetried() throws IOException {
    try (ScriptedUpstream upstream = new ScriptedUpstream(); Harness sluice = start(upstream)) {
      upstream.script(List.of(CLOSE_SILENTLY));

      List<RawHttp.Response> res = exchange(sluice, GET, GET);

      assertThat(res.get(0).status()).isEqualTo(502);
      assertThat(res.get(1).status()).as("the follow-up, on a new connection").isEqualTo(200);
      assertThat(upstream.connections.get()).isEqualTo(2);
      assertThat(retries(sluice)).isZero();
      awaitQuiet(sluice);
    }
  }
}
