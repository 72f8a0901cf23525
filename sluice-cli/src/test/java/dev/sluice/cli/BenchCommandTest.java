package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.cli.load.TestServer;
import dev.sluice.server.ServerOptions;
import dev.sluice.server.SluiceServer;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code sluice bench} in-process over real loopback sockets: it reaches modest stage rates
 * (checked as ratios of the target, not timings), writes its table, JSON and chart, samples
 * Sluice's admin port, and rejects bad stages with a usage error.
 */
@Timeout(120)
class BenchCommandTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  private int bench(String... args) {
    CommandLine cl = Main.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    String[] all = new String[args.length + 1];
    all[0] = "bench";
    System.arraycopy(args, 0, all, 1, args.length);
    return cl.execute(all);
  }

  @Test
  void reachesItsStageRatesAgainstALocalServer() throws Exception {
    try (TestServer server = new TestServer(16, 1)) {
      int code = bench("--target", server.url() + "/", "--stages", "4s:300,2s:150", "--clients", "50",
          "--out", dir.toString());

      assertThat(code).as(err.toString()).isZero();
      JsonNode json = JSON.readTree(dir.resolve("bench.json").toFile());
      JsonNode stages = json.get("stages");
      assertThat(stages).hasSize(2);
      double[] targets = {300, 150};
      for (int i = 0; i < 2; i++) {
        JsonNode s = stages.get(i);
        assertThat(s.get("target_rps").asDouble()).isEqualTo(targets[i]);
        assertThat(s.get("sent_rps").asDouble() / targets[i]).as("sent ÷ target, stage " + (i + 1)).isBetween(0.8, 1.01);
        assertThat(s.get("ok_rps").asDouble() / targets[i]).as("2xx ÷ target, stage " + (i + 1)).isGreaterThanOrEqualTo(0.8);
        assertThat(s.get("p95_ms").asDouble()).isPositive();
        assertThat(s.get("counts").get("5xx").asLong()).isZero();
      }
      assertThat(server.requests.get()).isEqualTo(json.get("total").get("2xx").asLong());
      assertThat(server.clients).hasSizeLessThanOrEqualTo(50).containsKey("client-0");
      assertThat(out.toString()).contains("1: 4s @ 300/s", "2: 2s @ 150/s", "p99.9 ms", "wrote ");
      assertThat(Files.size(dir.resolve("bench.png"))).isGreaterThan(1000);
    }
  }

  @Test
  void samplesSluicesRefillRateAndConcurrencyLevelFromItsAdminPort() throws Exception {
    try (TestServer upstream = new TestServer(8, 1);
        SluiceServer sluice = SluiceServer.start(ServerOptions.builder().watchInterval(null).throttleLogPerSecond(0).configYaml("""
            server: {bind: 127.0.0.1, port: 0, admin-bind: 127.0.0.1, admin-port: 0, admin-token: t0ken}
            upstream: {url: "%s"}
            tiers:
              free: {per-client: {burst: 5, rate: 5/s}}
            global: {burst: 100, rate: 400/s, concurrency: 32}
            """.formatted(upstream.url())).build())) {
      int code = bench("--target", "http://127.0.0.1:" + sluice.edgePort(), "--stages", "3s:200", "--clients", "10",
          "--zipf", "0", "--admin", "http://127.0.0.1:" + sluice.adminPort(), "--admin-token", "t0ken",
          "--out", dir.toString());

      assertThat(code).as(err.toString()).isZero();
      JsonNode stage = JSON.readTree(dir.resolve("bench.json").toFile()).get("stages").get(0);
      assertThat(stage.get("sluice_refill_rate").asDouble()).isEqualTo(400.0);
      assertThat(stage.get("sluice_concurrency_limit").asDouble()).isEqualTo(32.0);
      // 10 clients at 20/s each against a per-client limit of 5/s: most are refused
      assertThat(stage.get("counts").get("429").asLong()).isGreaterThan(stage.get("counts").get("2xx").asLong());
      assertThat(upstream.requests.get()).isEqualTo(stage.get("counts").get("2xx").asLong());
      assertThat(err.toString()).doesNotContain("failed");
    }
  }

  @Test
  void takesItsLoadFromAScenariosOpenLoopSources() throws Exception {
    Path scenario = dir.resolve("two.yaml");
    Files.writeString(scenario, """
        name: two
        backend: {workers: 10, service: {distribution: lognormal, mean: 10ms, cv: 0.5}}
        sources:
          - name: web
            clients: 5
            zipf: 0
            rate:
              - {for: 2s, rate: 100/s}
              - {for: 1s, rate: 0x}
          - name: batch
            clients: 1
            rate:
              - {for: 1s, rate: 0x}
              - {for: 2s, rate: 50/s}
        """);
    try (TestServer server = new TestServer(8, 1)) {
      int code = bench("--target", server.url(), "--scenario", scenario.toString(), "--out", dir.toString());

      assertThat(code).as(err.toString()).isZero();
      JsonNode json = JSON.readTree(dir.resolve("bench.json").toFile());
      assertThat(json.get("stages")).extracting(s -> s.get("name").asText()).containsExactly("0-1s", "1-2s", "2-3s");
      assertThat(json.get("stages")).extracting(s -> s.get("counts").get("sent").asLong()).containsExactly(100L, 150L, 50L);
      assertThat(server.clients.keySet()).containsExactlyInAnyOrder("web-0", "web-1", "web-2", "web-3", "web-4",
          "batch-0");
      assertThat(server.clients.get("batch-0").get()).isEqualTo(100);
    }
  }

  @Test
  void badStagesAreAUsageError() {
    assertThat(bench("--target", "http://127.0.0.1:1/", "--stages", "30s:lots", "--out", dir.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("bench: --stages: '30s:lots': bad rate");
    assertThat(bench("--target", "http://127.0.0.1:1/", "--stages", "10:100,", "--out", dir.toString())).isEqualTo(2);
    assertThat(bench("--target", "ftp://x/", "--stages", "1s:1", "--out", dir.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("--target: ftp://x/ (expected: an http://host:port URL)");
    assertThat(bench("--target", "http://127.0.0.1:1/", "--zipf", "-1", "--out", dir.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("zipf: -1.0");
  }
}
