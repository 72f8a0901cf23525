package dev.sluice.cli.load;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads a Sluice admin port: {@code GET /metrics} (Prometheus text) and {@code GET
 * /admin/anomalies}, with the admin token as a bearer token. Thread-safe; a few requests a second.
 */
public final class AdminClient implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI base;
  private final String token;
  private final HttpClient http;

  /** A client of the admin port at {@code base} ({@code http://host:port}), with {@code token} (or null). */
  public AdminClient(URI base, String token) {
    if (base == null || !"http".equals(base.getScheme()) || base.getHost() == null) {
      throw new IllegalArgumentException("admin: " + base + " (expected: an http://host:port URL)");
    }
    this.base = base;
    this.token = token;
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  }

  /** Returns the samples of {@code /metrics}. */
  public Samples metrics() throws IOException, InterruptedException {
    return Samples.parse(get("/metrics"));
  }

  /** Returns the body of {@code GET /admin/anomalies}. */
  public JsonNode anomalies() throws IOException, InterruptedException {
    return JSON.readTree(get("/admin/anomalies"));
  }

  private String get(String path) throws IOException, InterruptedException {
    String b = base.toString();
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create((b.endsWith("/") ? b.substring(0, b.length() - 1) : b)
        + path)).timeout(Duration.ofSeconds(5));
    if (token != null) {
      r.header("Authorization", "Bearer " + token);
    }
    HttpResponse<String> res = http.send(r.build(), HttpResponse.BodyHandlers.ofString());
    if (res.statusCode() != 200) {
      throw new IOException("GET " + path + ": " + res.statusCode()
          + (res.statusCode() == 401 || res.statusCode() == 403 ? " (the admin token is missing or wrong)" : ""));
    }
    return res.body();
  }

  @Override
  public void close() {
    http.close();
  }

  /**
   * Prometheus text samples keyed by {@code name{label="value",...}} with the labels in the order
   * they were exported.
   */
  public static final class Samples {
    private final Map<String, Double> values = new HashMap<>();

    private Samples() {}

    /** Parses the Prometheus text format (comments and blank lines skipped). */
    public static Samples parse(String text) {
      Samples s = new Samples();
      for (String line : text.split("\n")) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        int space = line.lastIndexOf(' ');
        int brace = line.indexOf('}');
        if (brace > 0 && brace > space) {
          continue; // a malformed line
        }
        try {
          s.values.put(normal(line.substring(0, space).strip()), Double.parseDouble(line.substring(space + 1)));
        } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
          // not a sample line
        }
      }
      return s;
    }

    /**
     * Returns the sample with exactly this key ({@code name} or {@code name{a="b",...}}, labels in
     * any order), or NaN.
     */
    public double value(String key) {
      return values.getOrDefault(normal(key), Double.NaN);
    }

    /** Returns {@code key} with its labels sorted (label values hold no {@code ",x="}). */
    private static String normal(String key) {
      int brace = key.indexOf('{');
      if (brace < 0 || !key.endsWith("}")) {
        return key;
      }
      String[] labels = key.substring(brace + 1, key.length() - 1).split(",(?=[a-zA-Z_][a-zA-Z0-9_]*=\")");
      java.util.Arrays.sort(labels);
      return key.substring(0, brace) + "{" + String.join(",", labels) + "}";
    }

    /** Returns the sum of every sample of {@code name} whose labels contain all of {@code labels}. */
    public double sum(String name, String... labels) {
      double sum = 0;
      for (Map.Entry<String, Double> e : values.entrySet()) {
        String k = e.getKey();
        if (!(k.equals(name) || k.startsWith(name + "{"))) {
          continue;
        }
        boolean all = true;
        for (String l : labels) {
          all &= k.contains(l);
        }
        if (all && !e.getValue().isNaN()) {
          sum += e.getValue();
        }
      }
      return sum;
    }

    /** Returns the global refill rate in force, tokens per second (NaN when not exported). */
    public double globalRate() {
      return value("sluice_refill_rate{tier=\"_global\",level=\"global\"}");
    }

    /** Returns the global concurrency level in force (NaN when there is none). */
    public double concurrencyLimit() {
      return value("sluice_in_flight_limit{tier=\"_global\",level=\"global\"}");
    }

    /** Returns the capacity controller's concurrency limit (NaN without it). */
    public double controllerLimit() {
      return value("sluice_controller_concurrency_limit");
    }
  }
}
