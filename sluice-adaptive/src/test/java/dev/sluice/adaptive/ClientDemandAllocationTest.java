package dev.sluice.adaptive;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.ThreadMXBean;
import dev.sluice.core.Limit;
import dev.sluice.core.Limiter;
import dev.sluice.core.LimiterSpec;
import dev.sluice.core.ManualClock;
import java.lang.management.ManagementFactory;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The hot path of the heavy-client work, measured with the JVM's per-thread allocation counter:
 * {@link SignalCollector#recordClient} (known and evicting clients) and a limiter decision for a
 * client with an override among others without.
 */
class ClientDemandAllocationTest {

  private static double bytesPerCall(Runnable warm, java.util.function.IntConsumer call, int n) {
    warm.run();
    ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    long tid = Thread.currentThread().threadId();
    long before = mx.getThreadAllocatedBytes(tid);
    for (int i = 0; i < n; i++) {
      call.accept(i);
    }
    return (double) (mx.getThreadAllocatedBytes(tid) - before) / n;
  }

  @Test
  void recordingClientDemandAllocatesNothing() {
    SignalCollector c = SignalCollector.create(AdaptiveSettings.DEFAULTS, 0);
    c.trackClients();
    String[] keys = new String[4_096]; // more than the table's 1,024 slots: evictions too
    for (int i = 0; i < keys.length; i++) {
      keys[i] = "client-" + i;
    }
    double bytes = bytesPerCall(() -> {
      for (int i = 0; i < 50_000; i++) {
        c.recordClient("std", keys[i % keys.length], 1);
      }
    }, i -> c.recordClient("std", keys[(i * 7) % keys.length], 1), 1_000_000);
    System.out.printf("recordClient: %.3f bytes per call%n", bytes);
    assertThat(bytes).as("bytes allocated per recordClient").isLessThan(1.0);
  }

  @Test
  void aDecisionWithOverridesInForceAllocatesNothing() {
    ManualClock clock = new ManualClock(0);
    LimiterSpec base = LimiterSpec.builder().tier("std", Limit.of(1_000_000, 1_000_000)).build();
    LimiterSpec spec = base.withTier(base.tiers().get("std").withClients(Map.of("heavy", Limit.of(2_000_000,
        2_000_000))));
    Limiter limiter = Limiter.create(spec, clock);
    String[] keys = {"heavy", "a", "b", "c"};
    double bytes = bytesPerCall(() -> {
      for (int i = 0; i < 50_000; i++) {
        limiter.tryConsume(keys[i % keys.length], "std", 1);
      }
    }, i -> limiter.tryConsume(keys[i % keys.length], "std", 1), 1_000_000);
    System.out.printf("tryConsume with overrides: %.3f bytes per call%n", bytes);
    assertThat(bytes).as("bytes allocated per decision").isLessThan(1.0);
  }
}
