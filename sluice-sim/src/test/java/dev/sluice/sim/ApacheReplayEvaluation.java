package dev.sluice.sim;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.testkit.SharedData;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@code scenarios/apache-replay.yaml}: the shared {@code apache/apache_logs} replayed per client
 * address through the limiter with the anomaly response on, under the default policy. The facts it
 * checks are computed here from the raw file, independently of the simulator's reader: per address,
 * its requests and its busiest log minute (all paths, and under {@code /presentations/}, the slides
 * tier). The two addresses with the busiest slides minutes are flagged; the addresses that lead the
 * log by count without ever bursting (crawlers and feed readers) are not, and neither is any of the
 * many addresses with at most ten requests. Runs in the {@code evaluations} profile; fails without
 * the data.
 */
class ApacheReplayEvaluation {

  /** Per address: requests, busiest minute (all paths), busiest minute under /presentations/. */
  private record Truth(long requests, int peakMinute, int peakSlidesMinute) {}

  @Test
  void theBurstingAddressesAreFlaggedAndTheSteadyOnesAreNot() throws Exception {
    Path log = SharedData.file("apache/apache_logs");
    Map<String, Truth> truth = truth(log);
    Scenario sc = ScenarioReader.read(Path.of("..", "scenarios", "apache-replay.yaml"));
    AccessLogReplay replay = sc.sources().getFirst().replay();
    long lines = Files.lines(log, StandardCharsets.UTF_8).count();
    assertThat(replay.report().lines()).isEqualTo(lines);
    assertThat(replay.report().bad()).isZero();
    assertThat(sc.sources().stream().mapToInt(s -> s.replay().size()).sum()).isEqualTo((int) lines);

    RunResult run = new Simulation(sc, "default", 1).run();
    AnomalyReport report = run.anomalies();
    System.out.print(report.table(50));
    Set<String> flagged = report.clients().stream().map(AnomalyReport.Client::key).collect(Collectors.toSet());

    List<String> bursters = truth.entrySet().stream()
        .sorted(Comparator.comparingInt((Map.Entry<String, Truth> e) -> -e.getValue().peakSlidesMinute()))
        .limit(2).map(Map.Entry::getKey).toList();
    System.out.println("busiest slides minutes: " + bursters.stream()
        .map(ip -> ip + " " + truth.get(ip).peakSlidesMinute()).toList());
    assertThat(flagged).as("the two addresses with the busiest /presentations/ minutes").containsAll(bursters);

    List<String> steadyLeaders = truth.entrySet().stream()
        .sorted(Comparator.comparingLong((Map.Entry<String, Truth> e) -> -e.getValue().requests())).limit(8)
        .filter(e -> e.getValue().peakMinute() <= 15).map(Map.Entry::getKey).toList();
    System.out.println("steady leaders (top 8 by requests, never over 15 a minute): " + steadyLeaders);
    assertThat(steadyLeaders).as("some of the log's leaders never burst").hasSizeGreaterThanOrEqualTo(3);
    assertThat(flagged).as("crawlers and feed readers: many requests, low rate").doesNotContainAnyElementsOf(
        steadyLeaders);

    List<String> ordinary = truth.entrySet().stream().filter(e -> e.getValue().requests() <= 10)
        .map(Map.Entry::getKey).toList();
    assertThat(ordinary).as("the sample of ordinary addresses").hasSizeGreaterThan(1000);
    assertThat(flagged).as("addresses with at most ten requests").doesNotContainAnyElementsOf(ordinary);

    for (AnomalyReport.Client c : report.clients()) {
      Truth t = truth.get(c.key());
      assertThat(c.requests()).as("requests of %s", c.key()).isEqualTo(t.requests());
      assertThat(c.windowRequests()).as("%s's share of its flagged window", c.key())
          .isGreaterThanOrEqualTo((long) Math.ceil(0.2 * c.tierWindowRequests()));
    }
    assertThat(report.events()).as("no crowd of newcomers in this log: no flood")
        .noneMatch(e -> e.kind().equals("flood"));
  }

  /** Reads the log with a plain split, not the simulator's reader. */
  private static Map<String, Truth> truth(Path log) throws Exception {
    Map<String, Long> requests = new HashMap<>();
    Map<String, Integer> perMinute = new HashMap<>();
    Map<String, Integer> slidesPerMinute = new HashMap<>();
    for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
      String[] f = line.split(" ");
      String ip = f[0];
      String minute = f[3].substring(1, 18); // [17/May/2015:10:05
      requests.merge(ip, 1L, Long::sum);
      perMinute.merge(ip + " " + minute, 1, Integer::sum);
      if (f[6].startsWith("/presentations/")) {
        slidesPerMinute.merge(ip + " " + minute, 1, Integer::sum);
      }
    }
    Map<String, Truth> out = new HashMap<>();
    for (String ip : requests.keySet()) {
      out.put(ip, new Truth(requests.get(ip), peak(perMinute, ip), peak(slidesPerMinute, ip)));
    }
    return out;
  }

  private static int peak(Map<String, Integer> perMinute, String ip) {
    int best = 0;
    for (Map.Entry<String, Integer> e : perMinute.entrySet()) {
      if (e.getKey().startsWith(ip + " ")) {
        best = Math.max(best, e.getValue());
      }
    }
    return best;
  }
}
