package dev.sluice.cli.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.sluice.core.Clock;
import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The load driver over real loopback sockets, its stage parser and its client draws. */
@Timeout(60)
class LoadRunTest {

  @Test
  void anOverloadedTargetsQueueShowsInTheLatencyBecauseItIsMeasuredFromTheIntendedTime() throws Exception {
    // one worker, 50 ms a request: 20 requests/s at most; 40/s offered for 2 s queues about 40
    // requests, so the last ones wait about 2 s. A closed loop would measure 50 ms.
    try (TestServer server = new TestServer(1, 50);
        LoadRun run = LoadRun.start(new LoadTarget(URI.create(server.url()), "X-Client-ID", Duration.ofSeconds(10), 1000),
            List.of(new LoadPhase("all", 0, 2)),
            List.of(new LoadSource("s", 0, 2, 40, ClientIds.single("c"), "/")), Clock.system())) {
      LoadResult r = run.await();
      PhaseResult p = r.phases().get(0);
      assertThat(p.counts().sent()).isEqualTo(80);
      assertThat(p.counts().ok()).isEqualTo(80);
      assertThat(server.requests.get()).isEqualTo(80);
      assertThat(p.p50Ms()).as("median: half the queue's wait").isGreaterThan(400);
      assertThat(p.p99Ms()).as("the last requests waited for the whole queue").isGreaterThan(1_000);
    }
  }

  @Test
  void stagesAreSentAtTheirRatesAndClientIdsCarried() throws Exception {
    try (TestServer server = new TestServer(8, 0);
        LoadRun run = LoadRun.start(new LoadTarget(URI.create(server.url()), "X-Client-ID", Duration.ofSeconds(10), 1000),
            Stages.phases(Stages.parse("2s:200,1s:50")),
            Stages.sources(Stages.parse("2s:200,1s:50"), ClientIds.zipf("client-", 10, 1.0, 7), "/x"), Clock.system())) {
      LoadResult r = run.await();
      assertThat(r.phases()).hasSize(2);
      assertThat(r.phases().get(0).counts().sent()).isEqualTo(400);
      assertThat(r.phases().get(1).counts().sent()).isEqualTo(50);
      assertThat(r.total().ok()).isEqualTo(450);
      assertThat(server.clients.keySet()).allMatch(k -> k.matches("client-\\d"));
      assertThat(server.clients.get("client-0").get()).as("Zipf(1): the first id is the most frequent")
          .isGreaterThan(server.clients.get("client-9").get() * 3);
    }
  }

  @Test
  void zipfDrawsFollowTheirWeights() {
    ClientIds ids = ClientIds.zipf("c", 10, 1.0, 42);
    Map<String, Integer> n = new HashMap<>();
    for (int i = 0; i < 100_000; i++) {
      n.merge(ids.next(), 1, Integer::sum);
    }
    double h = 0;
    for (int k = 1; k <= 10; k++) {
      h += 1.0 / k;
    }
    assertThat(n.get("c0") / 100_000.0).isCloseTo(1 / h, org.assertj.core.data.Offset.offset(0.01));
    assertThat(n.get("c9") / 100_000.0).isCloseTo(0.1 / h, org.assertj.core.data.Offset.offset(0.005));
    ClientIds fresh = ClientIds.fresh("n");
    assertThat(List.of(fresh.next(), fresh.next())).containsExactly("n0", "n1");
  }

  @Test
  void badStagesSayWhatIsWrong() {
    assertThat(Stages.parse("30s:1000, 10s:10000,1m:1000")).extracting(Stages.Stage::rate)
        .containsExactly(1000.0, 10000.0, 1000.0);
    assertThat(Stages.phases(Stages.parse("30s:1000,1m:5")).get(1).startSeconds()).isEqualTo(30);
    assertThatThrownBy(() -> Stages.parse("30s")).hasMessageContaining("'30s': no ':'");
    assertThatThrownBy(() -> Stages.parse("30x:10")).hasMessageContaining("'30x:10': bad duration");
    assertThatThrownBy(() -> Stages.parse("30s:ten")).hasMessageContaining("bad rate");
    assertThatThrownBy(() -> Stages.parse("30s:-1")).hasMessageContaining("rate -1.0");
    assertThatThrownBy(() -> Stages.parse("500ms:10")).hasMessageContaining("at least 1s");
    assertThatThrownBy(() -> Stages.parse("30s:10,")).hasMessageContaining("''");
  }

  @Test
  void aTargetKnowsWhetherItIsLoopback() {
    Duration t = Duration.ofSeconds(1);
    assertThat(new LoadTarget(URI.create("http://127.0.0.1:8080/"), "X-Client-ID", t, 1).loopback()).isTrue();
    assertThat(new LoadTarget(URI.create("http://localhost:8080"), "X-Client-ID", t, 1).loopback()).isTrue();
    assertThat(new LoadTarget(URI.create("http://[::1]:8080"), "X-Client-ID", t, 1).loopback()).isTrue();
    assertThat(new LoadTarget(URI.create("http://10.0.0.7:8080"), "X-Client-ID", t, 1).loopback()).isFalse();
    assertThatThrownBy(() -> new LoadTarget(URI.create("http://127.0.0.1:1"), "X Client", t, 1))
        .hasMessageContaining("header: X Client");
  }

  @Test
  void prometheusSamplesAreFoundWhateverTheLabelOrder() {
    AdminClient.Samples s = AdminClient.Samples.parse("""
        # HELP sluice_refill_rate x
        sluice_refill_rate{level="global",tier="_global"} 250.0
        sluice_in_flight_limit{level="global",tier="_global"} 20.0
        sluice_controller_concurrency_limit NaN
        """);
    assertThat(s.globalRate()).isEqualTo(250.0);
    assertThat(s.concurrencyLimit()).isEqualTo(20.0);
    assertThat(s.controllerLimit()).isNaN();
    assertThat(s.value("sluice_refill_rate{tier=\"_global\",level=\"global\"}")).isEqualTo(250.0);
  }
}
