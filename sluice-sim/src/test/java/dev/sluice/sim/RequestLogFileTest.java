package dev.sluice.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.sluice.requestlog.DecisionIds;
import dev.sluice.requestlog.RequestLogRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The simulator's request log: the server's schema, one line per attempt, repeatable. */
class RequestLogFileTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  @Test
  void everyAttemptIsOneLineAndTheCountsMatchTheRun() throws IOException {
    Scenario sc = Scenarios.busy();
    // static: no loop; default: the loop and a concurrency level; netflix-vegas: a peer gate's denials.
    for (String policy : List.of("static", "default", "netflix-vegas")) {
      for (long seed = 1; seed <= 2; seed++) {
        Path file = dir.resolve(policy + seed + ".jsonl");
        Simulation sim;
        RunResult result;
        try (RequestLogFile log = new RequestLogFile(file, policy, seed)) {
          sim = new Simulation(sc, policy, seed, sc.staticRate(), log);
          result = sim.run();
        }
        RunRecorder rec = sim.recorder();
        String what = policy + " seed " + seed;
        List<JsonNode> lines = read(file);

        assertThat(lines).as(what).hasSize((int) rec.attempts);
        assertThat(count(lines, n -> n.get("decision").asText().equals("allowed"))).as(what).isEqualTo(rec.admittedCount);
        assertThat(count(lines, n -> n.get("decision").asText().equals("denied"))).as(what).isEqualTo(rec.rejections);
        assertThat(count(lines, n -> n.get("status").asInt() == 429)).as(what).isEqualTo(rec.rejections);
        assertThat(count(lines, n -> n.get("decision").asText().equals("allowed") && !n.get("status").isNull()))
            .as(what + ": answered").isEqualTo(rec.responses);
        assertThat(count(lines, n -> n.get("status").asInt() >= 500)).as(what).isEqualTo(rec.serverErrors);
        assertThat(count(lines, n -> n.get("status").asInt() == 504)).as(what).isEqualTo(rec.timeouts);
        assertThat(rec.rejections).as(what).isPositive();
        assertThat(rec.serverErrors).as(what).isPositive();

        Set<String> ids = new HashSet<>();
        long lastMillis = Long.MIN_VALUE;
        long start = RequestLogFile.EPOCH_MILLIS;
        for (JsonNode n : lines) {
          List<String> names = new ArrayList<>();
          n.fieldNames().forEachRemaining(names::add);
          assertThat(names).containsExactlyElementsOf(RequestLogRecord.FIELDS);
          assertThat(n.get("v").asInt()).isEqualTo(2);
          assertThat(n.get("source").asText()).isEqualTo("proxy");
          assertThat(n.get("policy").asText()).isEqualTo(policy);
          assertThat(n.get("tier").asText()).isIn("gold", "free");
          assertThat(n.get("cost").asInt()).isIn(1, 5);
          assertThat(ids.add(n.get("decisionId").asText())).as("unique id").isTrue();
          assertThat(DecisionIds.isWellFormed(n.get("decisionId").asText())).isTrue();
          long ms = Instant.parse(n.get("ts").asText()).toEpochMilli();
          assertThat(ms).as("in time order").isGreaterThanOrEqualTo(lastMillis).isBetween(start, start + 40_000);
          lastMillis = ms;
          int status = n.get("status").asInt();
          boolean upstreamAnswered = !n.get("status").isNull() && status != 429 && status != 504;
          assertThat(n.get("upstreamMs").isNull()).as(n.toString()).isEqualTo(!upstreamAnswered);
          if (!n.get("refillRate").isNull()) {
            assertThat(n.get("refillRate").asDouble()).isPositive();
            assertThat(n.get("burst").asLong()).isPositive();
          }
        }
        assertThat(result.requests()).isPositive();
      }
    }
  }

  /** 400 s: 200 light clients and one heavy tenant key (a watched client) under the anomaly response. */
  private static final String WATCHED = """
      name: watched
      backend: {workers: 50, service: {distribution: lognormal, mean: 50ms, cv: 0.5}}
      limiter:
        global-burst: 100ms
        tiers:
          standard: {per-client: {burst: 10, rate: 5/s}}
          partner: {per-client: {burst: 100, rate: 1000/s}}
      sources:
        - {name: legit, clients: 200, zipf: 0, rate: [{for: 400s, rate: 0.3x}]}
        - {name: tenant, clients: 1, tier: partner, rate: [{for: 400s, rate: 0.05x}]}
      adaptive:
        anomaly: {enabled: true, warmup: 30s}
      """;

  @Test
  void everyLineCarriesTheAnomalyScoreOfItsClientOrTier() throws IOException {
    Scenario sc = ScenarioReader.parse(WATCHED, "watched", null, 1, "watched.yaml");
    for (String policy : List.of("default", "default-no-anomaly")) {
      Path file = dir.resolve(policy + ".jsonl");
      Simulation sim;
      try (RequestLogFile log = new RequestLogFile(file, policy, 1)) {
        sim = new Simulation(sc, policy, 1, sc.staticRate(), log);
        sim.run();
      }
      List<JsonNode> lines = read(file);
      assertThat(lines).hasSize((int) sim.recorder().attempts);
      if (policy.equals("default-no-anomaly")) {
        assertThat(lines).allMatch(n -> n.get("anomalyScore").isNull());
      } else {
        assertThat(lines).allMatch(n -> n.get("anomalyScore").isNumber()
            && n.get("anomalyScore").asDouble() >= 0 && n.get("anomalyScore").asDouble() <= 1);
        // the tenant (50/s, 1/3 of all demand) is watched on its own once it is seen as frequent
        assertThat(sim.flood().watchedScores()).containsOnlyKeys("tenant-0");
      }
    }
  }

  @Test
  void twoRunsWriteByteIdenticalFilesOnePerPolicyAndSeed() throws Exception {
    Scenario sc = Scenarios.busy();
    List<String> policies = List.of("static", "default", "static-best");
    Experiment.run(sc, policies, 2, 2, null, dir.resolve("one/sim.jsonl"));
    Experiment.run(sc, policies, 2, 1, null, dir.resolve("two/sim.jsonl"));
    List<String> names = list(dir.resolve("one"));
    assertThat(names).containsExactly("sim-default-seed1.jsonl", "sim-default-seed2.jsonl",
        "sim-static-best-seed1.jsonl", "sim-static-best-seed2.jsonl", "sim-static-seed1.jsonl",
        "sim-static-seed2.jsonl");
    assertThat(list(dir.resolve("two"))).isEqualTo(names);
    for (String f : names) {
      byte[] one = Files.readAllBytes(dir.resolve("one").resolve(f));
      assertThat(one).as(f).isNotEmpty().isEqualTo(Files.readAllBytes(dir.resolve("two").resolve(f)));
    }
    assertThat(Files.readAllBytes(dir.resolve("one/sim-static-seed1.jsonl")))
        .as("another seed, another log").isNotEqualTo(Files.readAllBytes(dir.resolve("one/sim-static-seed2.jsonl")));
  }

  @Test
  void aRunsFileIsNamedAfterTheStemPolicyAndSeed() {
    assertThat(RequestLogFile.pathFor(Path.of("logs/sim.jsonl"), "default", 3))
        .isEqualTo(Path.of("logs/sim-default-seed3.jsonl"));
    assertThat(RequestLogFile.pathFor(Path.of("sim"), "static-best", 1)).isEqualTo(Path.of("sim-static-best-seed1.jsonl"));
  }

  private static List<JsonNode> read(Path file) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    for (String l : Files.readAllLines(file)) {
      out.add(JSON.readTree(l));
    }
    return out;
  }

  private static long count(List<JsonNode> lines, java.util.function.Predicate<JsonNode> p) {
    return lines.stream().filter(p).count();
  }

  private static List<String> list(Path d) throws IOException {
    try (Stream<Path> s = Files.list(d)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
