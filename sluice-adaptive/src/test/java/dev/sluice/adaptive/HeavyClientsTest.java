package dev.sluice.adaptive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The bounded per-client demand table and the top-k heavy clients. */
class HeavyClientsTest {

  private static final long S = 1_000_000_000L;

  @Test
  void theTableCountsHeavyClientsExactlyAndStaysBounded() {
    ClientDemand d = new ClientDemand();
    for (int i = 0; i < 100_000; i++) {
      d.add("t", "c" + i, 1); // many light clients, each once
      if (i % 10 == 0) {
        d.add("t", "heavy", 3);
        d.add("u", "heavy", 1); // the same key in another tier is another client
      }
    }
    Map<String, Map<String, Long>> top = d.drain(5);
    assertThat(top.get("t")).containsEntry("heavy", 30_000L);
    assertThat(top.get("u")).containsEntry("heavy", 10_000L);
    assertThat(top.values().stream().mapToInt(Map::size).sum()).isEqualTo(5);
    Map<String, Map<String, Long>> all = d.drain(Integer.MAX_VALUE);
    assertThat(all).isEmpty(); // drained
    for (int i = 0; i < 100_000; i++) {
      d.add("t", "c" + i, 1);
    }
    assertThat(d.drain(Integer.MAX_VALUE).get("t")).hasSizeLessThanOrEqualTo(
        ClientDemand.STRIPES * ClientDemand.SLOTS);
  }

  @Test
  void concurrentAddsAreCountedOrDroppedNeverLost() throws InterruptedException {
    ClientDemand d = new ClientDemand();
    int threads = 4;
    int each = 200_000;
    Thread[] ts = new Thread[threads];
    for (int t = 0; t < threads; t++) {
      ts[t] = new Thread(() -> {
        for (int i = 0; i < each; i++) {
          d.add("t", "heavy", 1);
        }
      });
      ts[t].start();
    }
    for (Thread t : ts) {
      t.join(60_000);
      assertThat(t.isAlive()).isFalse();
    }
    long counted = d.drain(1).get("t").get("heavy");
    assertThat(counted + d.dropped()).isEqualTo((long) threads * each);
    assertThat(counted).isPositive();
  }

  private static Map<String, Map<String, Long>> window(Map<String, Long> clients) {
    return Map.of("t", clients);
  }

  @Test
  void theHeaviestKWithEnoughHistoryGetTargetsAndLeaveWhenTheyCool() {
    HeavyClients h = new HeavyClients(2, 10, 3);
    for (int w = 0; w < 3; w++) {
      h.close(window(Map.of("a", 300L, "b", 200L, "c", 100L)), S);
    }
    Map<String, Map<String, Double>> t = h.forecast(x -> new DemandForecaster.Forecast(x[x.length - 1], Double.NaN),
        1.5);
    assertThat(t.get("t")).containsOnlyKeys("a", "b").containsEntry("a", 450.0).containsEntry("b", 300.0);
    // a stops sending: its recent demand decays below c's, and it leaves the top 2
    for (int w = 0; w < 5; w++) {
      h.close(window(Map.of("b", 200L, "c", 100L)), S);
    }
    t = h.forecast(x -> new DemandForecaster.Forecast(x[x.length - 1], Double.NaN), 1.5);
    assertThat(t.get("t")).containsOnlyKeys("b", "c");
    // a model that fails for one client leaves that client without a target
    t = h.forecast(x -> x[x.length - 1] == 100 ? null : new DemandForecaster.Forecast(1, 1), 1.0);
    assertThat(t.get("t")).containsOnlyKeys("b");
  }

  @Test
  void memoryIsBoundedByTwiceK() {
    HeavyClients h = new HeavyClients(4, 300, 30);
    for (int w = 0; w < 200; w++) {
      Map<String, Long> clients = new LinkedHashMap<>();
      for (int i = 0; i < 256; i++) {
        clients.put("w" + w + "-c" + i, (long) (1 + (i * 7919 + w) % 500));
      }
      h.close(window(clients), S);
      assertThat(h.candidates()).isLessThanOrEqualTo(8);
    }
    assertThatThrownBy(() -> new HeavyClients(0, 10, 2)).hasMessageStartingWith("heavy clients: k 0");
  }
}
