package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.linecorp.armeria.client.ClientFactory;
import com.linecorp.armeria.client.grpc.GrpcClients;
import dev.sluice.testkit.Conditions;
import dev.sluice.testkit.SelfSignedPem;
import io.envoyproxy.envoy.extensions.common.ratelimit.v3.RateLimitDescriptor;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitServiceGrpc;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code sluice check-config --envoy DIR} and {@code sluice serve --envoy-config DIR}, in-process. */
class EnvoyCommandsTest {

  @TempDir
  Path dir;

  private record Run(int code, String out, String err) {}

  private static Run sluice(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Main.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  @Test
  void checkConfigReadsTheExampleDirectory() {
    Run run = sluice("check-config", "--envoy", "../examples/envoy/ratelimit");
    assertThat(run.code()).isZero();
    assertThat(run.out()).contains("../examples/envoy/ratelimit: OK").contains("1 domain(s) [storefront]")
        .contains("6 rate limit(s)");
  }

  @Test
  void checkConfigReportsEveryProblemWithItsLine() throws Exception {
    Files.writeString(dir.resolve("a.yaml"), "domain: a\ndescriptors:\n  - key: k\n    rate_limit: {unit: fortnight}\n");
    Files.writeString(dir.resolve("b.yml"), "domain: a\n");
    Run run = sluice("check-config", "--envoy", dir.toString());
    assertThat(run.code()).isEqualTo(2);
    assertThat(run.err()).contains(dir.resolve("a.yaml") + ":4: descriptors[0].rate_limit.unit: fortnight")
        .contains(dir.resolve("b.yml") + ":1: domain: duplicate domain 'a'");
    Run missing = sluice("check-config", "--envoy", dir.resolve("nope").toString());
    assertThat(missing.code()).isEqualTo(2);
    assertThat(missing.err()).contains("nope: cannot read: no such directory");
  }

  @Test
  void serveRefusesABadGrpcPortOrABrokenDirectory() throws Exception {
    Path config = dir.resolve("limiter.yaml");
    Files.writeString(config, "server: { bind: 127.0.0.1, port: 0, admin-port: 0, admin-token: t }\n"
        + "tiers:\n  free:\n    per-client: { burst: 5, rate: 5/s }\n");
    Run badPort = sluice("serve", "--config", config.toString(), "--envoy-config", dir.toString(),
        "--grpc-port", "70000");
    assertThat(badPort.code()).isEqualTo(2);
    assertThat(badPort.err()).contains("--grpc-port: 70000 (expected: 0..65535)");
    Path limits = Files.createDirectory(dir.resolve("broken"));
    Files.writeString(limits.resolve("x.yaml"), "domain: x\ndescriptors:\n  - value: v\n");
    Run broken = sluice("serve", "--config", config.toString(), "--envoy-config", limits.toString(),
        "--grpc-port", "0", "--watch-interval", "0");
    assertThat(broken.code()).isEqualTo(2);
    assertThat(broken.err()).contains(limits.resolve("x.yaml") + ":3: descriptors[0].key: missing");
  }

  @Test
  void serveAnswersOverTlsWithServerGrpcTls() throws Exception {
    SelfSignedPem pem = SelfSignedPem.create(dir);
    Path config = dir.resolve("limiter.yaml");
    Files.writeString(config, """
        server:
          bind: 127.0.0.1
          port: 0
          admin-port: 0
          admin-token: t
          grpc-tls: { cert: "%s", key: "%s" }
        tiers:
          free:
            per-client: { burst: 5, rate: 5/s }
        """.formatted(pem.cert(), pem.key()));
    Path limits = Files.createDirectory(dir.resolve("ratelimit"));
    Files.writeString(limits.resolve("api.yaml"),
        "domain: api\ndescriptors:\n  - key: user\n    rate_limit: {unit: hour, requests_per_unit: 1}\n");
    StringWriter err = new StringWriter();
    AtomicInteger code = new AtomicInteger(-1);
    Thread serve = Thread.ofPlatform().start(() -> {
      CommandLine cl = Main.commandLine();
      cl.setErr(new PrintWriter(err, true));
      cl.setOut(new PrintWriter(new StringWriter(), true));
      code.set(cl.execute("serve", "--config", config.toString(), "--watch-interval", "0",
          "--envoy-config", limits.toString(), "--grpc-port", "0"));
    });
    Pattern port = Pattern.compile("envoy rate-limit service \\(gRPC, TLS\\) on 127\\.0\\.0\\.1:(\\d+) \\[api\\]");
    Conditions.await(() -> "serve to start; stderr: " + err, Duration.ofSeconds(30), Duration.ofMillis(10), () -> {
      if (port.matcher(err.toString()).find()) {
        return true;
      }
      assertThat(serve.isAlive()).as("serve to keep running; stderr: " + err).isTrue();
      return false;
    });
    Matcher m = port.matcher(err.toString());
    assertThat(m.find()).isTrue();
    RateLimitResponse answer;
    try (ClientFactory trusting = ClientFactory.builder().tlsCustomizer(b -> b.trustManager(pem.cert().toFile()))
        .build()) {
      var client = GrpcClients.builder("https://127.0.0.1:" + m.group(1)).factory(trusting)
          .build(RateLimitServiceGrpc.RateLimitServiceBlockingStub.class);
      answer = client.shouldRateLimit(RateLimitRequest.newBuilder().setDomain("api")
          .addDescriptors(RateLimitDescriptor.newBuilder()
              .addEntries(RateLimitDescriptor.Entry.newBuilder().setKey("user").setValue("u1")))
          .build());
    } finally {
      serve.interrupt();
      serve.join(30_000);
    }
    assertThat(answer.getOverallCode()).isEqualTo(RateLimitResponse.Code.OK);
    assertThat(answer.getStatuses(0).getCurrentLimit().getRequestsPerUnit()).isEqualTo(1);
    assertThat(serve.isAlive()).isFalse();
    assertThat(code.get()).isZero();
  }

  @Test
  void serveAnswersShouldRateLimitOnTheGrpcPort() throws Exception {
    int free;
    try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1,
        java.net.InetAddress.getLoopbackAddress())) {
      free = probe.getLocalPort();
    }
    Path config = dir.resolve("limiter.yaml");
    Files.writeString(config, """
        server: { bind: 127.0.0.1, port: 0, admin-port: 0, admin-token: t, grpc-port: %d }
        tiers:
          free:
            per-client: { burst: 5, rate: 5/s }
        """.formatted(free));
    Path limits = Files.createDirectory(dir.resolve("ratelimit"));
    Files.writeString(limits.resolve("api.yaml"),
        "domain: api\ndescriptors:\n  - key: user\n    rate_limit: {unit: hour, requests_per_unit: 1, name: per-user}\n");
    Path requestLog = dir.resolve("requests.jsonl");
    StringWriter err = new StringWriter();
    AtomicInteger code = new AtomicInteger(-1);
    Thread serve = Thread.ofPlatform().start(() -> {
      CommandLine cl = Main.commandLine();
      cl.setErr(new PrintWriter(err, true));
      cl.setOut(new PrintWriter(new StringWriter(), true));
      code.set(cl.execute("serve", "--config", config.toString(), "--watch-interval", "0",
          "--envoy-config", limits.toString(), "--request-log", requestLog.toString()));
    });
    Pattern port = Pattern.compile("admin on http://127\\.0\\.0\\.1:(\\d+), "
        + "envoy rate-limit service \\(gRPC\\) on 127\\.0\\.0\\.1:(\\d+) \\[api\\]");
    Conditions.await(() -> "serve to start; stderr: " + err, Duration.ofSeconds(30), Duration.ofMillis(10), () -> {
      if (port.matcher(err.toString()).find()) {
        return true;
      }
      assertThat(serve.isAlive()).as("serve to keep running; stderr: " + err).isTrue();
      return false;
    });
    Matcher m = port.matcher(err.toString());
    assertThat(m.find()).isTrue();
    assertThat(Integer.parseInt(m.group(2))).as("server.grpc-port of the config").isEqualTo(free);
    var client = GrpcClients.newClient("http://127.0.0.1:" + m.group(2),
        RateLimitServiceGrpc.RateLimitServiceBlockingStub.class);
    RateLimitRequest request = RateLimitRequest.newBuilder().setDomain("api")
        .addDescriptors(RateLimitDescriptor.newBuilder()
            .addEntries(RateLimitDescriptor.Entry.newBuilder().setKey("user").setValue("u1")))
        .build();
    RateLimitResponse first = client.shouldRateLimit(request);
    RateLimitResponse second = client.shouldRateLimit(request.toBuilder().addDescriptors(
        RateLimitDescriptor.newBuilder().addEntries(RateLimitDescriptor.Entry.newBuilder().setKey("x").setValue("y")))
        .build());
    java.net.http.HttpResponse<String> metrics = java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + m.group(1) + "/metrics"))
            .header("Authorization", "Bearer t").build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    java.net.http.HttpResponse<String> admin = java.net.http.HttpClient.newHttpClient().send(
        java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + m.group(1) + "/admin/config"))
            .header("Authorization", "Bearer t").header("Accept", "application/json").build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());

    serve.interrupt();
    serve.join(30_000);

    assertThat(first.getOverallCode()).isEqualTo(RateLimitResponse.Code.OK);
    assertThat(second.getOverallCode()).isEqualTo(RateLimitResponse.Code.OVER_LIMIT);
    assertThat(second.getStatuses(0).getCurrentLimit().getRequestsPerUnit()).isEqualTo(1);
    assertThat(serve.isAlive()).isFalse();
    assertThat(code.get()).isZero();
    assertThat(admin.body()).as("configured and effective gRPC port")
        .contains("\"grpc-port\":" + free + "}", "\"effective\":{\"server\":{")
        .doesNotContain("\"grpc-port\":0");
    assertThat(metrics.body()).contains("sluice_envoy_calls_total 2.0", "sluice_envoy_descriptors_total 3.0",
        "sluice_envoy_over_limit_total 1.0", "sluice_envoy_shadow_over_limit_total 0.0",
        "sluice_envoy_reloads_total 0.0",
        "sluice_envoy_decisions_total{domain=\"api\",result=\"allowed\"} 1.0",
        "sluice_envoy_decisions_total{domain=\"api\",result=\"denied\"} 1.0",
        "sluice_envoy_override_refused_total 0.0");
    // Stopping the server wrote the request log: one line per descriptor, source envoy.
    List<String> lines = Files.readAllLines(requestLog).stream().map(l -> l.replaceAll(
        "\"ts\":\"[^\"]+\"", "\"ts\":T").replaceAll("\"decisionId\":\"[^\"]+\"", "\"decisionId\":D")).toList();
    assertThat(lines).containsExactly(
        "{\"v\":2,\"ts\":T,\"source\":\"envoy\",\"client\":\"user=u1\",\"tier\":\"api\",\"method\":null,"
            + "\"route\":\"per-user\",\"requestBytes\":0,\"responseBytes\":0,\"upstreamMs\":null,\"status\":200,"
            + "\"decision\":\"allowed\",\"level\":\"client\",\"cost\":1,\"remaining\":0,"
            + "\"refillRate\":2.777777777777778E-4,\"burst\":1,\"decisionId\":D,\"policy\":\"static\","
            + "\"modelVersion\":null,\"shadow\":null,\"anomalyScore\":null}",
        "{\"v\":2,\"ts\":T,\"source\":\"envoy\",\"client\":\"user=u1\",\"tier\":\"api\",\"method\":null,"
            + "\"route\":\"per-user\",\"requestBytes\":0,\"responseBytes\":0,\"upstreamMs\":null,\"status\":429,"
            + "\"decision\":\"denied\",\"level\":\"client\",\"cost\":1,\"remaining\":0,"
            + "\"refillRate\":2.777777777777778E-4,\"burst\":1,\"decisionId\":D,\"policy\":\"static\","
            + "\"modelVersion\":null,\"shadow\":null,\"anomalyScore\":null}",
        "{\"v\":2,\"ts\":T,\"source\":\"envoy\",\"client\":\"x=y\",\"tier\":\"api\",\"method\":null,"
            + "\"route\":null,\"requestBytes\":0,\"responseBytes\":0,\"upstreamMs\":null,\"status\":200,"
            + "\"decision\":\"allowed\",\"level\":null,\"cost\":null,\"remaining\":null,"
            + "\"refillRate\":null,\"burst\":null,\"decisionId\":D,\"policy\":\"static\","
            + "\"modelVersion\":null,\"shadow\":null,\"anomalyScore\":null}");
  }
}
