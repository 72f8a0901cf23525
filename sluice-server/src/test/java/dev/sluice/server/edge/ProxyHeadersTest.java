package dev.sluice.server.edge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Decision;
import dev.sluice.core.Level;
import dev.sluice.core.Limit;
import dev.sluice.server.admission.Admission;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

/**
 * The head rewriting on its own, for what the end-to-end tests leave out: the response side's
 * hop-by-hop fields, how a response is framed for each client version and status, the base path
 * and an appended {@code X-Forwarded-For}.
 */
class ProxyHeadersTest {

  static final Admission.Verdict ADMITTED = new Admission.Verdict("free", 1,
      new Decision(true, 9, 0, 1_000_000_000L, Level.CLIENT, Limit.of(10, 10), Decision.Reason.ADMITTED));

  static HttpResponse response(int status, String... fields) {
    HttpResponse res = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(status));
    for (int i = 0; i < fields.length; i += 2) {
      res.headers().add(fields[i], fields[i + 1]);
    }
    return res;
  }

  @Test
  void theUpstreamRequestHasTheUpstreamsHostTheForwardedFieldsAndTheBasePath() {
    HttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/a?q=1");
    req.headers().add("Host", "edge.example").add("X-Forwarded-For", "203.0.113.9")
        .add("Expect", "100-continue").add("Connection", "X-Secret").add("X-Secret", "s")
        .add("Transfer-Encoding", "chunked").add("X-Kept", "k");

    assertThat(ProxyHeaders.toUpstream(req, "up:8080", "/base", "10.0.0.1")).isSameAs(req);

    assertThat(req.uri()).isEqualTo("/base/a?q=1");
    assertThat(req.headers().getAll("host")).containsExactly("up:8080");
    assertThat(req.headers().getAll("x-forwarded-for")).containsExactly("203.0.113.9, 10.0.0.1");
    assertThat(req.headers().get("x-forwarded-proto")).isEqualTo("http");
    assertThat(req.headers().get("x-forwarded-host")).isEqualTo("edge.example");
    assertThat(req.headers().getAll("transfer-encoding")).containsExactly("chunked");
    assertThat(req.headers().get("x-kept")).isEqualTo("k");
    assertThat(req.headers().contains("expect") || req.headers().contains("connection")
        || req.headers().contains("x-secret")).isFalse();
  }

  @Test
  void anHttp10RequestWithoutHostGoesAsHttp11WithoutForwardedHost() {
    HttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_0, HttpMethod.GET, "/a");

    ProxyHeaders.toUpstream(req, "up", "", "::1");

    assertThat(req.protocolVersion()).isEqualTo(HttpVersion.HTTP_1_1);
    assertThat(req.uri()).isEqualTo("/a");
    assertThat(req.headers().get("x-forwarded-for")).isEqualTo("::1");
    assertThat(req.headers().contains("x-forwarded-host")).isFalse();
  }

  @Test
  void theResponseLosesHopByHopFieldsAndGainsTheRateLimitFields() {
    HttpResponse res = response(200, "Connection", "X-Internal, keep-alive", "Connection", "X-Other",
        "X-Internal", "i", "X-Other", "o", "Keep-Alive", "timeout=5", "Upgrade", "h2c", "TE", "trailers",
        "Content-Length", "3", "X-Kept", "k", "RateLimit", "\"theirs\";r=1;t=1");

    assertThat(ProxyHeaders.toClient(res, ADMITTED, false, HttpVersion.HTTP_1_1, false)).isFalse();

    assertThat(res.headers().names()).containsExactlyInAnyOrder("Content-Length", "X-Kept", "TE", "ratelimit",
        "ratelimit-policy");
    assertThat(res.headers().getAll("ratelimit")).containsExactly("\"free\";r=9;t=1");
  }

  @Test
  void aBodyWithoutLengthIsChunkedForHttp11AndEndsWithTheConnectionForHttp10() {
    HttpResponse toHttp11 = response(200);
    assertThat(ProxyHeaders.toClient(toHttp11, ADMITTED, false, HttpVersion.HTTP_1_1, false)).isFalse();
    assertThat(toHttp11.headers().get("transfer-encoding")).isEqualTo("chunked");
    assertThat(toHttp11.headers().contains("connection")).isFalse();

    HttpResponse toHttp10 = response(200);
    assertThat(ProxyHeaders.toClient(toHttp10, ADMITTED, false, HttpVersion.HTTP_1_0, false)).isTrue();
    assertThat(toHttp10.protocolVersion()).isEqualTo(HttpVersion.HTTP_1_0);
    assertThat(toHttp10.headers().contains("transfer-encoding")).isFalse();
    assertThat(toHttp10.headers().get("connection")).isEqualTo("close");
  }

  @Test
  void aBodilessResponseIsNotFramedAndAnHttp10ClientIsToldKeepAlive() {
    for (HttpResponse res : new HttpResponse[] {response(204), response(304)}) {
      assertThat(ProxyHeaders.toClient(res, ADMITTED, false, HttpVersion.HTTP_1_0, false)).isFalse();
      assertThat(res.headers().contains("transfer-encoding")).isFalse();
      assertThat(res.headers().get("connection")).isEqualTo("keep-alive");
    }
    HttpResponse toHead = response(200, "Transfer-Encoding", "chunked");
    assertThat(ProxyHeaders.toClient(toHead, ADMITTED, true, HttpVersion.HTTP_1_1, false)).isFalse();
    assertThat(toHead.headers().contains("transfer-encoding")).isFalse();
  }

  @Test
  void aConnectionClosingAnywaySaysCloseToEitherVersion() {
    HttpResponse toHttp11 = response(200, "Content-Length", "0");
    assertThat(ProxyHeaders.toClient(toHttp11, ADMITTED, false, HttpVersion.HTTP_1_1, true)).isFalse();
    assertThat(toHttp11.headers().get("connection")).isEqualTo("close");

    HttpResponse toHttp10 = response(200, "Content-Length", "0", "Connection", "keep-alive");
    assertThat(ProxyHeaders.toClient(toHttp10, ADMITTED, false, HttpVersion.HTTP_1_0, true)).isFalse();
    assertThat(toHttp10.headers().getAll("connection")).containsExactly("close");
  }

  @Test
  void contentLengthNamedInConnectionStillFramesTheMessageBothWays() {
    HttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/a");
    req.headers().add("Host", "edge").add("Connection", "Content-Length, X-Gone").add("Content-Length", "20")
        .add("X-Gone", "g");
    ProxyHeaders.toUpstream(req, "up", "", "10.0.0.1");
    assertThat(req.headers().get("Content-Length")).as("the body must not become a second request").isEqualTo("20");
    assertThat(req.headers().contains("X-Gone")).isFalse();

    HttpResponse res = response(200, "Connection", "content-length", "Content-Length", "5");
    assertThat(ProxyHeaders.toClient(res, ADMITTED, false, HttpVersion.HTTP_1_1, false)).isFalse();
    assertThat(res.headers().get("Content-Length")).isEqualTo("5");
    assertThat(res.headers().contains("Transfer-Encoding")).isFalse();
  }
}
