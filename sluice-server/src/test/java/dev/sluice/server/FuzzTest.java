package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.ManualClock;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Random bytes and mutated valid bodies against the running server: never a 5xx, and a request
 * with a bad body never changes a bucket. Fixed seeds, bounded request counts.
 */
class FuzzTest {

  static final List<String> VALID_DECISIONS = List.of(
      "{\"key\":\"fuzz\",\"tier\":\"free\",\"method\":\"POST\",\"path\":\"/llm/a\",\"cost\":2}",
      "[{\"key\":\"fuzz\"},{\"key\":\"fuzz\",\"cost\":1}]",
      "{\"key\":\"fuzz\"}");
  static final List<String> VALID_FEEDBACK = List.of(
      "{\"key\":\"fuzz\",\"latencyMs\":12.5,\"status\":200}",
      "[{\"key\":\"fuzz\",\"latencyMs\":1,\"status\":503,\"tier\":\"free\",\"path\":\"/x\",\"method\":\"GET\"}]");
  static final String CONFIG = """
      tiers:
        free:
          per-client: { burst: 1000000, rate: 1000/s }
      costs:
        - { method: POST, path: "/llm/**", cost: 2 }
      """;
  static final String TOKENS = "{}[],:\"\\0123456789.-+eEtruefalsnl key tier cost path method latencyMs status \u00e9\u0000\ud83d\ude00";

  static Harness sluice;

  @BeforeAll
  static void start() {
    sluice = Harness.start(Harness.options(CONFIG, new ManualClock()).maxDecisionBodyBytes(2048));
  }

  @AfterAll
  static void stop() {
    sluice.close();
  }

  static String mutate(String s, Random r) {
    StringBuilder b = new StringBuilder(s);
    int edits = 1 + r.nextInt(4);
    for (int e = 0; e < edits && !b.isEmpty(); e++) {
      int at = r.nextInt(b.length());
      switch (r.nextInt(5)) {
        case 0 -> b.deleteCharAt(at);
        case 1 -> b.insert(at, TOKENS.charAt(r.nextInt(TOKENS.length())));
        case 2 -> b.setCharAt(at, TOKENS.charAt(r.nextInt(TOKENS.length())));
        case 3 -> b.insert(at, b.substring(at, Math.min(b.length(), at + r.nextInt(20))));
        default -> b.replace(at, Math.min(b.length(), at + r.nextInt(6)),
            List.of("null", "-1", "1e309", "\"\"", "[]", "{}", "true", "99999999999999999999").get(r.nextInt(8)));
      }
    }
    return b.toString();
  }

  static byte[] randomBytes(Random r) {
    byte[] b = new byte[r.nextInt(300)];
    r.nextBytes(b);
    return b;
  }

  int send(String path, byte[] body, String method, boolean admin) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(admin ? sluice.admin(path) : sluice.edge(path)))
        .method(method, HttpRequest.BodyPublishers.ofByteArray(body));
    if (admin) {
      b.header("Authorization", "Bearer " + Harness.TOKEN);
    }
    HttpResponse<String> res = sluice.send(b);
    assertThat(res.statusCode()).as(method + " " + path + " " + new String(body, StandardCharsets.UTF_8))
        .isLessThan(500);
    return res.statusCode();
  }

  @Test
  void randomAndMutatedBodiesNeverGet5xx() {
    Random r = new Random(20261124);
    List<Integer> statuses = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      String path = i % 2 == 0 ? "/v1/decisions" : "/v1/feedback";
      List<String> valid = i % 2 == 0 ? VALID_DECISIONS : VALID_FEEDBACK;
      byte[] body = i % 3 == 0 ? randomBytes(r)
          : mutate(valid.get(r.nextInt(valid.size())), r).getBytes(StandardCharsets.UTF_8);
      statuses.add(send(path, body, "POST", false));
    }
    assertThat(statuses).contains(400);
  }

  @Test
  void badBodiesNeverChangeABucket() {
    Random r = new Random(7);
    for (int i = 0; i < 200; i++) {
      String body = mutate(VALID_DECISIONS.get(r.nextInt(VALID_DECISIONS.size())), r).replace("fuzz", "fz");
      long before = sluice.server.store().levels("fz", "free").toCompletableFuture().join().get(0).tokens();
      int status = send("/v1/decisions", body.getBytes(StandardCharsets.UTF_8), "POST", false);
      if (status != 200) {
        assertThat(sluice.server.store().levels("fz", "free").toCompletableFuture().join().get(0).tokens()).as(body).isEqualTo(before);
      }
    }
  }

  @Test
  void mutatedConfigsNeverGet5xxAndInvalidOnesChangeNothing() {
    Random r = new Random(99);
    String full = Harness.withServer(CONFIG);
    for (int i = 0; i < 120; i++) {
      byte[] body = i % 4 == 0 ? randomBytes(r)
          : Harness.withServer(mutate(CONFIG, r)).getBytes(StandardCharsets.UTF_8);
      int status = send("/admin/config", body, "PUT", true);
      if (status != 200) {
        assertThat(sluice.server.config().tiers().get("free").perClient().burst()).isEqualTo(1_000_000);
      } else {
        assertThat(sluice.putConfig(full).statusCode()).isEqualTo(200);
      }
    }
  }

  @Test
  void garbageOnTheWireNeverGets5xx() throws IOException {
    Random r = new Random(3);
    List<String> heads = List.of("GET /v1/decisions HTTP/1.1\r\n", "POST /v1/decisions HTTP/1.1\r\n",
        "POST /v1/feedback HTTP/1.1\r\nContent-Length: 99999999999999\r\n", "BREW /x HTTP/1.1\r\n",
        "GET /%zz%00/../.. HTTP/1.1\r\n", "\u0000\u0001garbage\r\n");
    for (int i = 0; i < 60; i++) {
      String head = heads.get(r.nextInt(heads.size()));
      String req = head + "Host: x\r\nConnection: close\r\nX-Client-ID: " + mutate("wire-client", r)
          + "\r\nTransfer-Encoding: " + (r.nextBoolean() ? "chunked" : "gzip") + "\r\n\r\n" + mutate("5\r\nhello\r\n0\r\n\r\n", r);
      try (Socket s = new Socket("127.0.0.1", sluice.server.edgePort())) {
        s.setSoTimeout(5_000);
        s.getOutputStream().write(req.getBytes(StandardCharsets.ISO_8859_1));
        s.getOutputStream().flush();
        s.shutdownOutput();
        String status = statusLine(s.getInputStream());
        assertThat(status).as(req).doesNotStartWith("HTTP/1.1 5");
      }
    }
  }

  private static String statusLine(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    try {
      for (int c = in.read(); c >= 0 && c != '\n' && sb.length() < 200; c = in.read()) {
        sb.append((char) c);
      }
    } catch (java.net.SocketException | java.net.SocketTimeoutException closed) {
      return sb.toString();
    }
    return sb.toString();
  }
}
