package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Clock;
import dev.sluice.server.live.ConfigWatcher;
import dev.sluice.server.live.LiveConfig;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Config reloads while traffic runs, through the admin API and through the watched file. */
class HotReloadTest {

  static String config(long burst, String rate) {
    return """
        tiers:
          free:
            per-client: { burst: %d, rate: %s }
        """.formatted(burst, rate);
  }

  @TempDir
  Path dir;

  @Test
  void reloadsUnderTrafficFailNoRequestAndTheNewLimitsApply() throws InterruptedException {
    try (TestUpstream upstream = new TestUpstream();
        Harness sluice = Harness.start("upstream: { url: \"" + upstream.url() + "\" }\n"
            + config(1_000_000, "1000000/s"), Clock.system())) {
      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger ok = new AtomicInteger();
      ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      List<Thread> traffic = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        String client = "client-" + t;
        traffic.add(Thread.ofPlatform().start(() -> {
          for (int i = 0; i < 20_000 && !stop.get(); i++) {
            try {
              HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(sluice.edge("/echo/t")))
                  .header("X-Client-ID", client).timeout(Duration.ofSeconds(10)).build(),
                  HttpResponse.BodyHandlers.ofString());
              if (r.statusCode() == 200) {
                ok.incrementAndGet();
              } else {
                failures.add(r.statusCode() + " " + r.body());
              }
            } catch (IOException | InterruptedException e) {
              failures.add(e.toString());
              return;
            }
          }
        }));
      }
      Harness.await(Duration.ofSeconds(10), "traffic to flow", () -> ok.get() > 50);
      String up = "upstream: { url: \"" + upstream.url() + "\" }\n";
      for (int i = 0; i < 10; i++) {
        int before = ok.get();
        String next = Harness.withServer(up + config(1_000_000 + i, (1_000_000 - i * 1000) + "/s"));
        assertThat(sluice.putConfig(next).statusCode()).isEqualTo(200);
        Harness.await(Duration.ofSeconds(10), "traffic after reload " + i + " " + failures.peek(),
            () -> ok.get() > before + 10);
      }
      stop.set(true);
      for (Thread t : traffic) {
        t.join(10_000);
      }

      assertThat(failures).isEmpty();
      assertThat(sluice.server.store().spec().tiers().get("free").perClient().burst()).isEqualTo(1_000_009);

      assertThat(sluice.putConfig(Harness.withServer(up + config(2, "1/min"))).statusCode()).isEqualTo(200);
      List<Integer> statuses = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        statuses.add(sluice.get(sluice.edge("/echo/t"), "X-Client-ID", "fresh").statusCode());
      }
      assertThat(statuses).containsExactly(200, 200, 429);
    }
  }

  @Test
  void aChangedGrpcPortIsRestartRequired() throws IOException {
    Path file = dir.resolve("limiter.yaml");
    String started = Harness.withServer(config(5, "5/s"));
    Files.writeString(file, started);
    try (LoggerEvents logs = LoggerEvents.of(LiveConfig.class);
        Harness sluice = Harness.start(ServerOptions.builder().configFile(file).clock(Clock.system())
            .watchInterval(Duration.ofMillis(20)).shutdown(Duration.ZERO, Duration.ofSeconds(5)))) {
      Files.writeString(file, started.replace("  port: 0\n", "  port: 0\n  grpc-port: 18581\n"));
      Harness.await(Duration.ofSeconds(10), "the new gRPC port to be read",
          () -> sluice.server.config().server().grpcPort() == 18581);

      com.fasterxml.jackson.databind.JsonNode json = configJson(sluice);
      assertThat(json.get("restartRequired")).extracting(n -> n.asText()).containsExactly("server.grpc-port");
      assertThat(json.get("configured").get("server").get("grpc-port").asInt()).isEqualTo(18581);
      assertThat(json.get("effective").get("server").get("grpc-port").asInt()).isZero();
      assertThat(logs.named("restart-required").get(0).getFormattedMessage())
          .contains("server.grpc-port configured 18581, effective 0");
    }
  }

  @Test
  void grpcTlsAddedOnReloadIsRestartRequired() throws IOException {
    Path file = dir.resolve("limiter.yaml");
    String started = Harness.withServer(config(5, "5/s"));
    Files.writeString(file, started);
    dev.sluice.testkit.SelfSignedPem pem = dev.sluice.testkit.SelfSignedPem.create(dir);
    try (Harness sluice = Harness.start(ServerOptions.builder().configFile(file).clock(Clock.system())
            .watchInterval(Duration.ofMillis(20)).shutdown(Duration.ZERO, Duration.ofSeconds(5)))) {
      Files.writeString(file, started.replace("  port: 0\n", "  port: 0\n  grpc-tls: {cert: \"" + pem.cert()
          + "\", key: \"" + pem.key() + "\"}\n"));
      Harness.await(Duration.ofSeconds(10), "the TLS settings to be read",
          () -> sluice.server.config().server().grpcTls() != null);
      assertThat(configJson(sluice).get("restartRequired")).extracting(n -> n.asText())
          .containsExactly("server.grpc-tls");
    }
  }

  @Test
  void aPortMovedAwayAndBackInTheWatchedFileNeedsNoRestart() throws IOException {
    Path file = dir.resolve("limiter.yaml");
    String started = Harness.withServer(config(5, "5/s"));
    Files.writeString(file, started);
    try (LoggerEvents logs = LoggerEvents.of(LiveConfig.class);
        Harness sluice = Harness.start(ServerOptions.builder().configFile(file).clock(Clock.system())
            .watchInterval(Duration.ofMillis(20)).shutdown(Duration.ZERO, Duration.ofSeconds(5)))) {
      int edge = sluice.server.edgePort();
      int elsewhere = edge < 65_535 ? edge + 1 : edge - 1;
      Files.writeString(file, started.replace("  port: 0\n", "  port: " + elsewhere + "\n"));
      Harness.await(Duration.ofSeconds(10), "the moved port to be applied",
          () -> sluice.server.config().server().port() == elsewhere);

      com.fasterxml.jackson.databind.JsonNode away = configJson(sluice);
      assertThat(away.get("restartRequired")).extracting(n -> n.asText()).containsExactly("server.port");
      assertThat(away.get("configured").get("server").get("port").asInt()).isEqualTo(elsewhere);
      assertThat(away.get("effective").get("server").get("port").asInt()).isEqualTo(edge);
      assertThat(logs.named("restart-required")).hasSize(1);
      assertThat(logs.named("restart-required").get(0).getFormattedMessage())
          .contains("server.port configured " + elsewhere + ", effective " + edge);

      Files.writeString(file, started);
      Harness.await(Duration.ofSeconds(10), "the port moved back to be applied",
          () -> sluice.server.config().server().port() == 0);

      com.fasterxml.jackson.databind.JsonNode back = configJson(sluice);
      assertThat(back.get("restartRequired").size()).isZero();
      assertThat(back.get("generation").asLong()).isEqualTo(3);
      assertThat(back.get("effective").get("server").get("port").asInt()).isEqualTo(edge);
      assertThat(logs.named("restart-required")).as("nothing to restart for, nothing logged").hasSize(1);
    }
  }

  private static com.fasterxml.jackson.databind.JsonNode configJson(Harness sluice) {
    return Harness.json(sluice.send(HttpRequest.newBuilder(URI.create(sluice.admin("/admin/config")))
        .header("Authorization", "Bearer " + Harness.TOKEN).header("Accept", "application/json")));
  }

  @Test
  void theWatchedFileIsReloadedAndAnInvalidEditIsRejected() throws IOException {
    Path file = dir.resolve("limiter.yaml");
    Files.writeString(file, Harness.withServer(config(5, "5/s")));
    try (LoggerEvents events = LoggerEvents.of(ConfigWatcher.class);
        Harness sluice = Harness.start(ServerOptions.builder().configFile(file).clock(Clock.system())
            .watchInterval(Duration.ofMillis(20)).shutdown(Duration.ZERO, Duration.ofSeconds(5)))) {
      Files.writeString(file, Harness.withServer(config(7, "5/s")));
      Harness.await(Duration.ofSeconds(10), "the edit to be applied",
          () -> sluice.server.config().tiers().get("free").perClient().burst() == 7);
      assertThat(sluice.server.store().spec().tiers().get("free").perClient().burst()).isEqualTo(7);

      // The watcher thread appends while this thread reads: LoggerEvents is safe for that.
      Files.writeString(file, Harness.withServer(config(-7, "5/s")));
      Harness.await(Duration.ofSeconds(10), "the bad edit to be rejected", () -> !events.events(
          e -> e.getFormattedMessage().contains("tiers.free.per-client.burst")).isEmpty());

      assertThat(sluice.server.config().tiers().get("free").perClient().burst()).isEqualTo(7);
      assertThat(sluice.post(sluice.edge("/v1/decisions"), "{\"key\":\"k\"}").statusCode()).isEqualTo(200);
    }
  }
}
