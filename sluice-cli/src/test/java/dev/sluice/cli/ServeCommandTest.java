package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testkit.Conditions;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code sluice serve} in-process: config errors exit 2; a good config serves until interrupted. */
class ServeCommandTest {

  @TempDir
  Path dir;

  @Test
  void anInvalidConfigPrintsEveryProblemAndExits2() throws IOException {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(file, "tiers:\n  free:\n    per-client: { burst: -1, rate: 1/s }\n");
    StringWriter err = new StringWriter();
    CommandLine cl = Main.commandLine();
    cl.setErr(new PrintWriter(err, true));
    cl.setOut(new PrintWriter(new StringWriter(), true));

    int code = cl.execute("serve", "--config", file.toString());

    assertThat(code).isEqualTo(2);
    assertThat(err.toString()).contains(file + ":3: tiers.free.per-client.burst: -1");
  }

  @Test
  void aBadSizeIsAUsageError() throws IOException {
    Path file = dir.resolve("ok.yaml");
    Files.writeString(file, "tiers:\n  free:\n    per-client: { burst: 1, rate: 1/s }\n");
    CommandLine cl = Main.commandLine();
    cl.setErr(new PrintWriter(new StringWriter(), true));

    assertThat(cl.execute("serve", "--config", file.toString(), "--max-body", "lots")).isEqualTo(2);
    assertThat(ServeCommand.size("x", "64k")).isEqualTo(65_536);
    assertThat(ServeCommand.size("x", "10m")).isEqualTo(10L << 20);
    assertThat(ServeCommand.duration("x", "250ms")).isEqualTo(Duration.ofMillis(250));
    assertThat(ServeCommand.duration("x", "0")).isEqualTo(Duration.ZERO);
  }

  @Test
  void servesUntilInterruptedThenStopsCleanly() throws Exception {
    Path file = dir.resolve("limiter.yaml");
    Files.writeString(file, """
        server: { bind: 127.0.0.1, port: 0, admin-port: 0, admin-token: t }
        tiers:
          free:
            per-client: { burst: 5, rate: 5/s }
        """);
    StringWriter err = new StringWriter();
    AtomicInteger code = new AtomicInteger(-1);
    Thread serve = Thread.ofPlatform().start(() -> {
      CommandLine cl = Main.commandLine();
      cl.setErr(new PrintWriter(err, true));
      cl.setOut(new PrintWriter(new StringWriter(), true));
      code.set(cl.execute("serve", "--config", file.toString(), "--request-log",
          dir.resolve("requests.jsonl").toString(), "--watch-interval", "0"));
    });
    Pattern ports = Pattern.compile("edge on http://127\\.0\\.0\\.1:(\\d+).*admin on http://127\\.0\\.0\\.1:(\\d+)");
    Conditions.await(() -> "serve to start; stderr: " + err, Duration.ofSeconds(30), Duration.ofMillis(10), () -> {
      if (ports.matcher(err.toString()).find()) {
        return true;
      }
      assertThat(serve.isAlive()).as("serve to keep running; stderr: " + err).isTrue();
      return false;
    });
    Matcher m = ports.matcher(err.toString());
    assertThat(m.find()).isTrue();
    HttpClient http = HttpClient.newHttpClient();
    HttpResponse<String> health = http.send(HttpRequest.newBuilder(URI.create(
        "http://127.0.0.1:" + m.group(2) + "/healthz")).build(), HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> decision = http.send(HttpRequest.newBuilder(URI.create(
        "http://127.0.0.1:" + m.group(1) + "/v1/decisions")).POST(HttpRequest.BodyPublishers.ofString(
        "{\"key\":\"k\"}")).build(), HttpResponse.BodyHandlers.ofString());

    serve.interrupt();
    serve.join(30_000);

    assertThat(health.statusCode()).isEqualTo(200);
    assertThat(decision.body()).contains("\"allowed\":true");
    assertThat(serve.isAlive()).isFalse();
    assertThat(code.get()).isZero();
    assertThat(Files.readAllLines(dir.resolve("requests.jsonl"))).hasSize(1);
  }
}
