package dev.sluice.sim;

import static org.assertj.core.api.Assertions.assertThat;

import com.netflix.concurrency.limits.Limit;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The Netflix concurrency-limits peers behind the in-flight gate. */
class PeersTest {

  /** A limit that records its samples and holds a settable value. */
  static final class Recording implements Limit {
    int limit;
    final List<long[]> samples = new ArrayList<>();

    Recording(int limit) {
      this.limit = limit;
    }

    @Override
    public int getLimit() {
      return limit;
    }

    @Override
    public void notifyOnChange(Consumer<Integer> consumer) {}

    @Override
    public void onSample(long startTime, long rtt, int inflight, boolean didDrop) {
      samples.add(new long[] {startTime, rtt, inflight, didDrop ? 1 : 0});
    }
  }

  @Test
  void theGateAdmitsBelowTheLimitAndFeedsVirtualTimes() {
    Recording limit = new Recording(2);
    PeerGate gate = new PeerGate(limit, () -> { });
    assertThat(gate.tryEnter()).isTrue();
    assertThat(gate.tryEnter()).isTrue();
    assertThat(gate.tryEnter()).as("two in flight, limit 2").isFalse();
    gate.exit(1_000, 51_000, 2, false);
    assertThat(gate.inflight()).isEqualTo(1);
    assertThat(gate.tryEnter()).isTrue();
    gate.cancel();
    gate.exit(5_000, 5_000, 1, true);
    assertThat(gate.inflight()).isZero();
    assertThat(limit.samples).containsExactly(new long[] {1_000, 50_000, 2, 0}, new long[] {5_000, 1, 1, 1});
  }

  @Test
  void inASimulationEverySampleIsAnAdmittedExchangeOnTheVirtualClock() {
    Scenario sc = Scenarios.busy();
    // Runs a gradient2 gate and checks the run is conserved and repeatable with Vegas's seeded jitter.
    for (String peer : Peers.NAMES) {
      RunResult a = Experiment.runOnce(sc, peer, 3);
      RunResult b = Experiment.runOnce(sc, peer, 3);
      assertThat(a.metrics()).as(peer).isEqualTo(b.metrics());
      assertThat(a.succeeded() + a.failed() + a.rejected() + a.inFlight()).isEqualTo(a.requests());
      double[] limits = a.series().get("inflight_limit");
      assertThat(limits[5]).as(peer + " records its limit each second").isPositive();
      assertThat(a.series().get("refill_rate")[5]).as("no global bucket behind a peer").isNaN();
    }
  }

  @Test
  void vegasProbeJitterComesFromTheRunsStream() {
    Scenario sc = Scenarios.busy();
    PeerGate one = Peers.gate("netflix-vegas", sc, new SplittableRandom(7));
    PeerGate two = Peers.gate("netflix-vegas", sc, new SplittableRandom(7));
    long t = 0;
    for (int i = 0; i < 20_000; i++) {
      // Alternate fast and slow samples so that probes reset the no-load RTT now and then.
      long rtt = (i % 7 == 0 ? 90 : 30) * 1_000_000L;
      one.tryEnter();
      two.tryEnter();
      one.exit(t, t + rtt, 1 + i % 5, false);
      two.exit(t, t + rtt, 1 + i % 5, false);
      assertThat(one.limit()).as("sample %d", i).isEqualTo(two.limit());
      t += 1_000_000;
    }
  }

  @Test
  void theInitialLimitIsTheStaticRatesConcurrency() {
    // busy: static 0.75 × 52.6 tokens/s at 76 ms per token = 3 in flight.
    assertThat(Peers.initialLimit(Scenarios.busy())).isEqualTo(3);
  }
}
