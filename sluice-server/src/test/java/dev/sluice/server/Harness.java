package dev.sluice.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.core.Clock;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/** Starts Sluice for a test and talks to it with the JDK's HTTP client over real sockets. */
public final class Harness implements AutoCloseable {

  static final String TOKEN = "test-token";
  public static final ObjectMapper JSON = new ObjectMapper();

  final SluiceServer server;
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(5)).build();

  private Harness(SluiceServer server) {
    this.server = server;
  }

  /** Starts Sluice on loopback with ephemeral ports; {@code yaml} gets a server section added. */
  static Harness start(String yaml, Clock clock) {
    return start(options(yaml, clock));
  }

  /** Returns options for {@code yaml} (with a loopback server section and the test token). */
  static ServerOptions.Builder options(String yaml, Clock clock) {
    return ServerOptions.builder().configYaml(withServer(yaml)).clock(clock).adminToken(null)
        .shutdown(Duration.ZERO, Duration.ofSeconds(5));
  }

  /** Prepends the loopback server section with the test token. */
  static String withServer(String yaml) {
    return """
        server:
          bind: 127.0.0.1
          port: 0
          admin-port: 0
          admin-token: %s
        """.formatted(TOKEN) + yaml;
  }

  static Harness start(ServerOptions.Builder options) {
    return start(options, null);
  }

  /** Starts Sluice with {@code tracing} instead of the config's (null: the config's). */
  static Harness start(ServerOptions.Builder options, dev.sluice.server.observe.Tracing tracing) {
    try {
      return new Harness(SluiceServer.start(options.build(), tracing));
    } catch (IOException | dev.sluice.config.ConfigException e) {
      throw new AssertionError(e);
    }
  }

  String edge(String path) {
    return "http://127.0.0.1:" + server.edgePort() + path;
  }

  String admin(String path) {
    return "http://127.0.0.1:" + server.adminPort() + path;
  }

  HttpResponse<String> send(HttpRequest.Builder req) {
    try {
      return http.send(req.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  HttpResponse<String> get(String url, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).GET();
    if (headers.length > 0) {
      b.headers(headers);
    }
    return send(b);
  }

  HttpResponse<String> post(String url, String body, String... headers) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url))
        .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json");
    if (headers.length > 0) {
      b.headers(headers);
    }
    return send(b);
  }

  HttpResponse<String> adminGet(String path) {
    return get(admin(path), "Authorization", "Bearer " + TOKEN);
  }

  HttpResponse<String> putConfig(String yaml) {
    return send(HttpRequest.newBuilder(URI.create(admin("/admin/config")))
        .PUT(HttpRequest.BodyPublishers.ofString(yaml)).header("Authorization", "Bearer " + TOKEN)
        .header("Content-Type", "application/yaml"));
  }

  static JsonNode json(HttpResponse<String> res) {
    try {
      return JSON.readTree(res.body());
    } catch (IOException e) {
      throw new AssertionError("not JSON: " + res.body(), e);
    }
  }

  /** Waits up to {@code timeout} for {@code condition}, polling; fails the test when it never holds. */
  public static void await(Duration timeout, String what, BooleanSupplier condition) {
    dev.sluice.testkit.Conditions.await(what, timeout, Duration.ofMillis(5), condition);
  }

  @Override
  public void close() {
    server.close();
  }
}
