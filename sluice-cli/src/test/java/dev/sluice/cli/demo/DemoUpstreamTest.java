package dev.sluice.cli.demo;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.cli.load.ClientIds;
import dev.sluice.cli.load.LoadPhase;
import dev.sluice.cli.load.LoadResult;
import dev.sluice.cli.load.LoadRun;
import dev.sluice.cli.load.LoadSource;
import dev.sluice.cli.load.LoadTarget;
import dev.sluice.core.Clock;
import dev.sluice.sim.LiveBackend;
import dev.sluice.sim.Scenario;
import dev.sluice.sim.ScenarioReader;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The demo upstream over real loopback sockets: its latency is the simulator's service time when
 * idle and grows with the queue past its workers, and a slowdown scales it. Checked as ratios of
 * its own latency, so a slow machine moves both sides alike.
 */
@Timeout(60)
class DemoUpstreamTest {

  private static LiveBackend model() {
    Scenario sc = ScenarioReader.parse("""
        name: t
        backend:
          workers: 2
          service: {distribution: lognormal, mean: 20ms, cv: 0.2}
        sources:
          - name: c
            clients: 1
            rate:
              - {for: 60s, rate: 0.5x}
        """, "t", null, 1, "t.yaml");
    return new LiveBackend(sc.backend(), sc.seconds(), 3);
  }

  private static LoadResult load(DemoUpstream up, double rate, double seconds) throws InterruptedException {
    try (LoadRun run = LoadRun.start(new LoadTarget(URI.create(up.url()), "X-Client-ID", Duration.ofSeconds(20), 1000),
        List.of(new LoadPhase("p", 0, seconds)), List.of(new LoadSource("s", 0, seconds, rate, ClientIds.single("c"), "/")),
        Clock.system())) {
      return run.await();
    }
  }

  @Test
  void latencyIsTheServiceTimeWhenIdleAndGrowsWithTheQueue() throws Exception {
    LiveBackend model = model();
    assertThat(model.workers(0)).isEqualTo(2);
    assertThat(model.capacity(0)).isEqualTo(100.0);
    try (DemoUpstream up = new DemoUpstream(model, Clock.system(), 0)) {
      load(up, 20, 1); // warm the JIT
      up.intervalLatency();
      LoadResult idle = load(up, 10, 2);
      Histogram idleLatency = up.intervalLatency();
      // 200/s offered to 2 workers that serve about 100/s: a queue grows for 2 s
      LoadResult busy = load(up, 200, 2);
      Histogram busyLatency = up.intervalLatency();
      up.slowdown(4);
      LoadResult slow = load(up, 10, 2);
      Histogram slowLatency = up.intervalLatency();

      assertThat(idle.total().ok()).isEqualTo(20);
      assertThat(busy.total().ok()).isEqualTo(400);
      assertThat(slow.total().ok()).isEqualTo(20);
      assertThat(up.served()).isEqualTo(20 + 20 + 400 + 20);
      double idleP50 = idleLatency.getValueAtPercentile(50) / 1000.0;
      assertThat(idleP50).as("idle: about the 20 ms service time").isBetween(15.0, 200.0);
      assertThat(busyLatency.getValueAtPercentile(95) / 1000.0).as("overloaded: the queue's wait")
          .isGreaterThan(5 * idleP50);
      assertThat(slowLatency.getValueAtPercentile(50) / 1000.0).as("slowed down four times")
          .isGreaterThan(2.0 * idleP50);
    }
  }
}
