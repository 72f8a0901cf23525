package dev.sluice.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Limit;
import dev.sluice.core.Limiter;
import dev.sluice.core.LimiterSpec;
import dev.sluice.core.TierSpec;
import dev.sluice.testkit.ConcurrencyStressTest.Admission;
import dev.sluice.testkit.ConcurrencyStressTest.Change;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code ConcurrencyStressTest.reconfigurationWhileTwoThreadsDecide} with the limit changed as
 * per-client overrides instead of the tier's per-client limit: the client table then carries over
 * only the overridden clients' slots, locked while the new generation is published, instead of
 * walking every slot. Two threads decide on the four overridden clients while a third changes their
 * overrides 2,000 times; every client's history goes through the same checker.
 */
class OverrideReconfigurationStressTest {

  @Test
  void overrideChangesWhileTwoThreadsDecide() throws Exception {
    long start = 42;
    TickingClock clock = new TickingClock(start, 11);
    Limit[] limits = {Limit.of(30, 500_000), Limit.of(5, 2_000_000), Limit.of(100, 50_000), Limit.of(1, 10_000_000)};
    TierSpec tier = new TierSpec("t", Limit.of(7, 1), null, 0, overrides(limits[0]));
    LimiterSpec spec = LimiterSpec.builder().tier("t", tier.perClient()).build().withTier(tier);
    Limiter limiter = Limiter.create(spec, clock);
    List<Change> changes = new ArrayList<>();
    List<Admission> admitted = ConcurrencyStressTest.runThreads(3, t -> {
      if (t < 2) {
        return ConcurrencyStressTest.hammer(limiter, clock, t, 4, 2);
      }
      ConcurrencyStressTest.changeLimits(clock, limits, changes,
          next -> limiter.reconfigure(spec.withTier(tier.withClients(overrides(next)))));
      return List.of();
    });
    Limit last = changes.get(changes.size() - 1).limit();
    for (int c = 0; c < 4; c++) {
      assertThat(limiter.levels("c" + c, "t").get(0).limit()).as("client %d", c).isEqualTo(last);
    }
    BucketInvariantChecker[] checkers = ConcurrencyStressTest.checkHistory(admitted, changes, 4, limits[0], start);
    assertThat(Arrays.stream(checkers).mapToLong(BucketInvariantChecker::events).sum()).isGreaterThan(1_000);
  }

  private static Map<String, Limit> overrides(Limit limit) {
    Map<String, Limit> m = new HashMap<>();
    for (int c = 0; c < 4; c++) {
      m.put("c" + c, limit);
    }
    return m;
  }
}
