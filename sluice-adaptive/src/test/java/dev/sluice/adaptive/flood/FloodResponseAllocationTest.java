package dev.sluice.adaptive.flood;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.management.ThreadMXBean;
import dev.sluice.core.Limit;
import dev.sluice.core.LimiterSpec;
import dev.sluice.core.ManualClock;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.Test;

/**
 * The hot path's allocation, measured with the JVM's per-thread allocation counter: {@link
 * FloodResponse#admit} for known clients outside a flood, and for established clients during one.
 */
class FloodResponseAllocationTest {

  @Test
  void admitAllocatesNothingPerRequestForKnownClients() {
    ManualClock clock = new ManualClock();
    LimiterSpec spec = LimiterSpec.builder().tier("std", Limit.of(10, 5), Limit.of(100, 1000)).defaultTier("std")
        .build();
    FloodResponse r = FloodResponse.create(FloodSettings.DEFAULTS.withEnabled(true), spec, clock, null);
    String[] keys = new String[32];
    for (int i = 0; i < keys.length; i++) {
      keys[i] = "client-" + i;
    }
    for (int round = 0; round < 20_000; round++) {
      r.admit(keys[round % keys.length], "std", 1);
    }
    ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
    long tid = Thread.currentThread().threadId();
    long before = mx.getThreadAllocatedBytes(tid);
    int n = 1_000_000;
    for (int i = 0; i < n; i++) {
      r.admit(keys[i % keys.length], "std", 1);
    }
    long bytes = mx.getThreadAllocatedBytes(tid) - before;
    System.out.printf("admit: %.3f bytes per call%n", (double) bytes / n);
    assertThat((double) bytes / n).as("bytes allocated per admit").isLessThan(1.0);
  }
}
