package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.ManualClock;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code global.max-clients} end to end on a manual clock: with the bound full of drained clients
 * a new client is still decided (and admitted, from a fresh bucket), and each drained client
 * forgotten for it counts in {@code sluice_clients_evicted_total{tier}}.
 */
@Timeout(60)
class ClientBoundServeTest {

  private static final String CONFIG = """
      tiers:
        free:
          per-client: { burst: 1, rate: 1/h }
      global: { max-clients: 3 }
      """;

  @Test
  void aNewClientAtAFullBoundIsAdmittedAndTheForgottenDebtIsCounted() {
    try (Harness sluice = Harness.start(CONFIG, new ManualClock())) {
      for (int i = 0; i < 3; i++) {
        assertThat(allowed(sluice, "old-" + i)).as("old-%d's one token", i).isTrue();
      }
      assertThat(evicted(sluice)).isZero();
      assertThat(allowed(sluice, "new")).as("a new client at the bound").isTrue();
      assertThat(allowed(sluice, "new")).as("its bucket was kept").isFalse();
      assertThat(evicted(sluice)).as("one drained client forgotten").isEqualTo(1.0);
    }
  }

  private static boolean allowed(Harness sluice, String key) {
    HttpResponse<String> r = sluice.post(sluice.edge("/v1/decisions"), "{\"key\":\"" + key + "\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return Harness.json(r).get("allowed").asBoolean();
  }

  private static double evicted(Harness sluice) {
    return EdgePermitTest.metrics(sluice).value("sluice_clients_evicted_total", "tier", "free");
  }
}
