package dev.sluice.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.linecorp.armeria.common.AggregatedHttpResponse;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.server.Server;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP upstream on 127.0.0.1 and an ephemeral port: {@code /echo/**} answers with a JSON
 * description of the request it got, {@code /slow} answers after two seconds (scheduled, not
 * sleeping), {@code /delay/{ms}} answers after that many milliseconds (scheduled too), {@code
 * /status/{code}} answers with that status.
 */
final class TestUpstream implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Server server;
  final AtomicInteger requests = new AtomicInteger();

  TestUpstream() {
    server = Server.builder()
        .http(new InetSocketAddress("127.0.0.1", 0))
        .serviceUnder("/echo", (ctx, req) -> HttpResponse.of(req.aggregate().thenApply(agg -> {
          requests.incrementAndGet();
          ObjectNode o = JSON.createObjectNode();
          o.put("method", agg.method().name());
          o.put("path", agg.path());
          o.put("body", agg.contentUtf8());
          ObjectNode h = o.putObject("headers");
          agg.headers().forEach((k, v) -> h.put(k.toString(), v));
          return HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, o.toString());
        })))
        .service("/slow", (ctx, req) -> HttpResponse.delayed(
            AggregatedHttpResponse.of(HttpStatus.OK, MediaType.PLAIN_TEXT_UTF_8, "late"), Duration.ofSeconds(2)))
        .service("/delay/{ms}", (ctx, req) -> {
          requests.incrementAndGet();
          return HttpResponse.delayed(AggregatedHttpResponse.of(HttpStatus.OK, MediaType.PLAIN_TEXT_UTF_8, "late"),
              Duration.ofMillis(Long.parseLong(ctx.pathParam("ms"))));
        })
        .service("/status/{code}", (ctx, req) -> {
          requests.incrementAndGet();
          return HttpResponse.of(HttpStatus.valueOf(Integer.parseInt(ctx.pathParam("code"))),
              MediaType.PLAIN_TEXT_UTF_8, "status");
        })
        .gracefulShutdownTimeout(Duration.ZERO, Duration.ZERO)
        .requestTimeout(Duration.ofSeconds(30))
        .build();
    server.start().join();
  }

  /** Returns {@code http://127.0.0.1:PORT}. */
  String url() {
    return "http://127.0.0.1:" + server.activeLocalPort();
  }

  /** Parses an echo body. */
  @SuppressWarnings("unchecked")
  static Map<String, Object> echo(String body) {
    try {
      return JSON.readValue(body, Map.class);
    } catch (java.io.IOException e) {
      throw new AssertionError("not an echo body: " + body, e);
    }
  }

  @Override
  public void close() {
    server.stop().join();
  }
}
