package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.linecorp.armeria.client.grpc.GrpcClients;
import dev.sluice.testkit.Conditions;
import dev.sluice.testkit.RedisProcess;
import io.envoyproxy.envoy.extensions.common.ratelimit.v3.RateLimitDescriptor;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.Code;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitServiceGrpc;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Two {@code sluice serve --envoy-config} nodes whose config has {@code store.type: redis} on one
 * real redis-server: an Envoy limit is one limit across both (the second node sees the first's hits).
 */
@Timeout(90)
class EnvoySharedServeTest {

  @TempDir
  Path dir;

  /** A {@code sluice serve} running in a thread, with the gRPC port it printed. */
  private record Node(Thread thread, AtomicInteger code, int adminPort, int grpcPort) {}

  private static Node serve(Path config, Path limits) {
    StringWriter err = new StringWriter();
    AtomicInteger code = new AtomicInteger(-1);
    Thread thread = Thread.ofPlatform().start(() -> {
      CommandLine cl = Main.commandLine();
      cl.setErr(new PrintWriter(err, true));
      cl.setOut(new PrintWriter(new StringWriter(), true));
      code.set(cl.execute("serve", "--config", config.toString(), "--watch-interval", "0",
          "--envoy-config", limits.toString(), "--grpc-port", "0"));
    });
    Pattern port = Pattern.compile("admin on http://127\\.0\\.0\\.1:(\\d+), "
        + "envoy rate-limit service \\(gRPC\\) on 127\\.0\\.0\\.1:(\\d+) \\[api\\]");
    Conditions.await(() -> "serve to start; stderr: " + err, Duration.ofSeconds(30), Duration.ofMillis(10), () -> {
      if (port.matcher(err.toString()).find()) {
        return true;
      }
      assertThat(thread.isAlive()).as("serve to keep running; stderr: " + err).isTrue();
      return false;
    });
    Matcher m = port.matcher(err.toString());
    assertThat(m.find()).isTrue();
    return new Node(thread, code, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
  }

  private static Code call(Node node) {
    var client = GrpcClients.newClient("http://127.0.0.1:" + node.grpcPort(),
        RateLimitServiceGrpc.RateLimitServiceBlockingStub.class);
    return client.shouldRateLimit(RateLimitRequest.newBuilder().setDomain("api")
        .addDescriptors(RateLimitDescriptor.newBuilder()
            .addEntries(RateLimitDescriptor.Entry.newBuilder().setKey("user").setValue("u1")))
        .build()).getOverallCode();
  }

  @Test
  void twoNodesOnOneRedisShareTheEnvoyLimit() throws Exception {
    try (RedisProcess redis = RedisProcess.start()) {
      Path config = dir.resolve("limiter.yaml");
      // A timeout far above the 20 ms default: on a loaded machine a slow Redis call must not turn
      // into a fail-closed answer.
      Files.writeString(config, """
          server: { bind: 127.0.0.1, port: 0, admin-port: 0, admin-token: t }
          tiers:
            free:
              per-client: { burst: 5, rate: 5/s }
          store:
            type: redis
            redis: { uri: "%s", namespace: envoy-serve }
            failure-mode: fail-closed
            timeout: 5s
          """.formatted(redis.uri()));
      Path limits = Files.createDirectory(dir.resolve("ratelimit"));
      Files.writeString(limits.resolve("api.yaml"),
          "domain: api\ndescriptors:\n  - key: user\n    rate_limit: {unit: hour, requests_per_unit: 2}\n");
      Node a = serve(config, limits);
      Node b = serve(config, limits);
      try {
        assertThat(call(a)).isEqualTo(RateLimitResponse.Code.OK);
        assertThat(call(b)).isEqualTo(RateLimitResponse.Code.OK);
        assertThat(call(a)).as("the third hit over both nodes").isEqualTo(RateLimitResponse.Code.OVER_LIMIT);
        assertThat(call(b)).isEqualTo(RateLimitResponse.Code.OVER_LIMIT);
        String admin = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + a.adminPort() + "/admin/config"))
            .header("Authorization", "Bearer t").header("Accept", "application/json").build(),
            java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        assertThat(admin).as("configured none, effective the port --grpc-port 0 bound")
            .contains("\"grpc-port\":0}", "\"grpc-port\":" + a.grpcPort() + "}");
        // The Envoy store's meters beside the edge store's, told apart by the store tag.
        String metrics = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create("http://127.0.0.1:" + a.adminPort() + "/metrics"))
            .header("Authorization", "Bearer t").build(),
            java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        assertThat(metrics).contains("sluice_store_mode{mode=\"redis\",store=\"edge\"} 1",
            "sluice_store_mode{mode=\"redis\",store=\"envoy\"} 1",
            "sluice_store_mode{mode=\"fail-closed\",store=\"envoy\"} 0",
            "sluice_store_errors_total{store=\"envoy\"} 0",
            "sluice_store_mode{mode=\"redis\",store=\"envoy-overrides\"} 1");
      } finally {
        a.thread().interrupt();
        b.thread().interrupt();
        a.thread().join(30_000);
        b.thread().join(30_000);
      }
      assertThat(a.code().get()).isZero();
      assertThat(b.code().get()).isZero();
    }
  }
}
