package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.linecorp.armeria.common.AggregatedHttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.Server;
import dev.sluice.core.ManualClock;
import dev.sluice.server.observe.RequestTrace;
import dev.sluice.server.observe.Tracing;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Traces of proxied requests over real sockets, exported to the SDK's in-memory exporter: an
 * admitted request is a {@code sluice.request} span with the children {@code sluice.decision}
 * (tier, cost, decision, refill rate) and {@code sluice.upstream}, whose context reaches the
 * upstream in {@code traceparent}; a denied one has no upstream span and names the level that
 * denied; a caller's sampled {@code traceparent} makes the request span its child. With
 * {@code observability.otlp.endpoint} the spans reach a loopback collector as OTLP/HTTP protobuf;
 * with the default config (no {@code observability}) nothing is traced.
 */
@Timeout(60)
class TracingTest {

  private static final String CONFIG = """
      upstream: { url: "%s" }
      tiers:
        free:
          per-client: { burst: 1, rate: 1/s }
      """;

  @Test
  void aProxiedRequestIsASpanTreeAndADeniedOneNamesTheLevel() {
    InMemorySpanExporter exporter = InMemorySpanExporter.create();
    try (TestUpstream upstream = new TestUpstream();
        Harness sluice = Harness.start(Harness.options(CONFIG.formatted(upstream.url()), new ManualClock()),
            Tracing.of(SimpleSpanProcessor.create(exporter), 1.0))) {
      java.net.http.HttpResponse<String> ok = sluice.get(sluice.edge("/echo/a"), "X-Client-ID", "alice");
      assertThat(ok.statusCode()).isEqualTo(200);
      Map<String, Object> echoed = TestUpstream.echo(ok.body());
      Harness.await(Duration.ofSeconds(10), "three spans", () -> exporter.getFinishedSpanItems().size() >= 3);
      Map<String, SpanData> spans = byName(exporter.getFinishedSpanItems());
      SpanData request = spans.get("sluice.request");
      SpanData decision = spans.get("sluice.decision");
      SpanData call = spans.get("sluice.upstream");
      assertThat(request.getKind()).isEqualTo(SpanKind.SERVER);
      assertThat(request.getParentSpanContext().isValid()).isFalse();
      assertThat(decision.getParentSpanId()).isEqualTo(request.getSpanId());
      assertThat(call.getParentSpanId()).isEqualTo(request.getSpanId());
      assertThat(call.getKind()).isEqualTo(SpanKind.CLIENT);
      assertThat(decision.getTraceId()).isEqualTo(request.getTraceId()).isEqualTo(call.getTraceId());
      assertThat(decision.getAttributes().get(RequestTrace.TIER)).isEqualTo("free");
      assertThat(decision.getAttributes().get(RequestTrace.COST)).isEqualTo(1L);
      assertThat(decision.getAttributes().get(RequestTrace.DECISION)).isEqualTo("allowed");
      assertThat(decision.getAttributes().get(RequestTrace.REFILL_RATE)).isEqualTo(1.0);
      assertThat(decision.getAttributes().get(RequestTrace.DENIED_BY)).isNull();
      assertThat(call.getAttributes().get(AttributeKey.longKey("http.response.status_code"))).isEqualTo(200L);
      assertThat(request.getAttributes().get(AttributeKey.longKey("http.response.status_code"))).isEqualTo(200L);
      assertThat(request.getAttributes().get(AttributeKey.stringKey("http.request.method"))).isEqualTo("GET");
      // the decision and the upstream call happen within the request, one after the other
      assertThat(decision.getStartEpochNanos()).isGreaterThanOrEqualTo(request.getStartEpochNanos());
      assertThat(decision.getEndEpochNanos()).isLessThanOrEqualTo(call.getStartEpochNanos());
      assertThat(call.getEndEpochNanos()).isLessThanOrEqualTo(request.getEndEpochNanos());
      // the upstream saw the upstream span's context
      @SuppressWarnings("unchecked")
      Map<String, Object> headers = (Map<String, Object>) echoed.get("headers");
      assertThat(String.valueOf(headers.get("traceparent")))
          .isEqualTo("00-" + call.getTraceId() + "-" + call.getSpanId() + "-" + call.getSpanContext().getTraceFlags().asHex());
      assertThat(call.getSpanContext().isSampled()).isTrue();

      exporter.reset();
      java.net.http.HttpResponse<String> denied = sluice.get(sluice.edge("/echo/a"), "X-Client-ID", "alice");
      assertThat(denied.statusCode()).isEqualTo(429);
      Harness.await(Duration.ofSeconds(10), "two spans", () -> exporter.getFinishedSpanItems().size() >= 2);
      spans = byName(exporter.getFinishedSpanItems());
      assertThat(spans).containsOnlyKeys("sluice.request", "sluice.decision");
      assertThat(spans.get("sluice.decision").getAttributes().get(RequestTrace.DECISION)).isEqualTo("denied");
      assertThat(spans.get("sluice.decision").getAttributes().get(RequestTrace.DENIED_BY)).isEqualTo("client");
      assertThat(spans.get("sluice.request").getAttributes().get(AttributeKey.longKey("http.response.status_code")))
          .isEqualTo(429L);
      assertThat(spans.get("sluice.request").getStatus().getStatusCode()).isNotEqualTo(StatusCode.ERROR);

      // a caller's trace continues through Sluice
      exporter.reset();
      String parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
      sluice.get(sluice.edge("/echo/b"), "X-Client-ID", "bob", "traceparent", parent);
      Harness.await(Duration.ofSeconds(10), "three spans", () -> exporter.getFinishedSpanItems().size() >= 3);
      SpanData child = byName(exporter.getFinishedSpanItems()).get("sluice.request");
      assertThat(child.getTraceId()).isEqualTo("0af7651916cd43dd8448eb211c80319c");
      assertThat(child.getParentSpanId()).isEqualTo("b7ad6b7169203331");
    }
  }

  @Test
  void nothingIsTracedByDefault() {
    try (TestUpstream upstream = new TestUpstream();
        Harness sluice = Harness.start(CONFIG.formatted(upstream.url()), new ManualClock())) {
      java.net.http.HttpResponse<String> ok = sluice.get(sluice.edge("/echo/a"), "X-Client-ID", "alice");
      assertThat(ok.statusCode()).isEqualTo(200);
      @SuppressWarnings("unchecked")
      Map<String, Object> headers = (Map<String, Object>) TestUpstream.echo(ok.body()).get("headers");
      assertThat(headers).doesNotContainKey("traceparent");
      assertThat(sluice.server.config().observability().tracing()).isFalse();
      // the section is read at start only: a reload that changes it says a restart is needed
      com.fasterxml.jackson.databind.JsonNode applied = Harness.json(sluice.putConfig(Harness.withServer(
          CONFIG.formatted(upstream.url()) + """
          observability:
            otlp: { endpoint: "http://127.0.0.1:4318" }
          """)));
      assertThat(applied.get("restartRequired")).extracting(n -> n.asText()).containsExactly("observability");
      @SuppressWarnings("unchecked")
      Map<String, Object> after = (Map<String, Object>) TestUpstream.echo(
          sluice.get(sluice.edge("/echo/b"), "X-Client-ID", "bob").body()).get("headers");
      assertThat(after).doesNotContainKey("traceparent");
    }
  }

  @Test
  void spansGoToTheConfiguredOtlpEndpoint() throws Exception {
    List<AggregatedHttpRequest> posts = new CopyOnWriteArrayList<>();
    Server collector = Server.builder()
        .http(new InetSocketAddress("127.0.0.1", 0))
        .service("/v1/traces", (ctx, req) -> HttpResponse.of(req.aggregate().thenApply(agg -> {
          posts.add(agg);
          return HttpResponse.of(HttpStatus.OK);
        })))
        .build();
    collector.start().join();
    try (TestUpstream upstream = new TestUpstream()) {
      Harness sluice = Harness.start(CONFIG.formatted(upstream.url()) + """
          observability:
            otlp: { endpoint: "http://127.0.0.1:%d", sampling-ratio: 1 }
          """.formatted(collector.activeLocalPort()), new ManualClock());
      try {
        assertThat(sluice.get(sluice.edge("/echo/a"), "X-Client-ID", "alice").statusCode()).isEqualTo(200);
      } finally {
        sluice.close(); // flushes the batch processor
      }
      Harness.await(Duration.ofSeconds(10), "an OTLP export", () -> !posts.isEmpty());
      AggregatedHttpRequest post = posts.get(0);
      assertThat(post.method().name()).isEqualTo("POST");
      assertThat(post.contentType().toString()).startsWith("application/x-protobuf");
      String body = new String(post.content().array(), StandardCharsets.ISO_8859_1);
      assertThat(body).contains("sluice.request", "sluice.decision", "sluice.upstream", "sluice.refill_rate",
          "service.name", "sluice");
    } finally {
      collector.stop().join();
    }
  }

  private static Map<String, SpanData> byName(List<SpanData> spans) {
    return spans.stream().collect(Collectors.toMap(SpanData::getName, Function.identity()));
  }
}
