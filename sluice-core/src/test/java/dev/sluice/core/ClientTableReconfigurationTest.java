package dev.sluice.core;

import static dev.sluice.core.TableOps.consume;
import static dev.sluice.core.TableOps.params;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What a reconfiguration of a {@link ClientTable} walks: nothing when no client's params change,
 * only the slots of changed overrides when the per-client limit stays, every slot when it changes;
 * in each case the decisions are those of a {@link GcraBucket} per client reconfigured alike.
 */
class ClientTableReconfigurationTest {

  private static final long HOUR = TimeUnit.HOURS.toNanos(1);
  private static final int KEYS = 2_000;

  /** A table of {@link #KEYS} clients with some debt each, and each client's reference bucket. */
  private static ClientTable filled(GcraBucket.Params perClient, Map<String, GcraBucket.Params> overrides,
      Map<String, GcraBucket> reference, long now) {
    ClientTable t = new ClientTable(perClient, overrides, 1_000_000, HOUR, 0, new KeyHash(21));
    for (int i = 0; i < KEYS; i++) {
      String key = "k" + i;
      GcraBucket.Params p = overrides.getOrDefault(key, perClient);
      GcraBucket b = new GcraBucket(p);
      assertThat(consume(t, key, now, 1 + i % 7)).isEqualTo(b.tryConsume(now, 1 + i % 7, p));
      reference.put(key, b);
    }
    return t;
  }

  private static Map<String, Long> tats(ClientTable t) {
    Map<String, Long> out = new HashMap<>();
    for (int i = 0; i < KEYS; i++) {
      out.put("k" + i, t.tat(t.hash("k" + i)));
    }
    return out;
  }

  @Test
  void aReconfigurationThatChangesNoClientKeepsTheGenerationAndEveryTat() {
    GcraBucket.Params perClient = params(10, 100);
    Map<String, GcraBucket.Params> overrides = Map.of("k1", params(50, 5));
    ClientTable t = filled(perClient, overrides, new HashMap<>(), 1_000);
    ClientGeneration g = t.generation();
    Map<String, Long> before = tats(t);
    t.reconfigure(new ManualClock(5_000), perClient, Map.copyOf(overrides)); // equal map, same params
    assertThat(t.generation()).as("no generation started").isSameAs(g);
    assertThat(t.walks()).isZero();
    assertThat(tats(t)).isEqualTo(before);
  }

  @Test
  void aLimiterReconfigurationOutsideTheClientLevelStartsNoWalk() {
    ManualClock clock = new ManualClock(0);
    LimiterSpec spec = LimiterSpec.builder().tier("t", Limit.of(10, 100), Limit.of(1_000, 1_000)).build();
    TierState tier = new TierState(spec.tiers().get("t"), spec, clock, 0);
    for (int i = 0; i < 100; i++) {
      assertThat(tier.tryTake("c" + i, 3, 0)).isGreaterThanOrEqualTo(0);
    }
    ClientGeneration g = tier.clients.generation();
    long tat = tier.clients.tat(tier.clients.hash("c7"));
    LimiterSpec next = spec.withTier(spec.tiers().get("t").withAggregate(Limit.of(50, 10)));
    clock.advance(1_000);
    tier.update(next.tiers().get("t"), next, clock.nanoTime());
    assertThat(tier.clients.generation()).isSameAs(g);
    assertThat(tier.clients.walks()).isZero();
    assertThat(tier.clients.tat(tier.clients.hash("c7"))).isEqualTo(tat);
  }

  @Test
  void anOverrideChangeCarriesOverOnlyItsClientsAsAGcraBucketDoes() {
    GcraBucket.Params perClient = params(10, 100);
    GcraBucket.Params kept = params(40, 20);
    Map<String, GcraBucket.Params> overrides = Map.of("k1", params(50, 5), "k2", kept, "k3", params(8, 1_000));
    Map<String, GcraBucket> reference = new HashMap<>();
    ClientTable t = filled(perClient, overrides, reference, 1_000);
    Map<String, Long> before = tats(t);
    long parity = t.generation().parity;
    // k1 changes, k2 keeps its params, k3 goes back to the tier's, k4 and k5 get one, "absent" too.
    Map<String, GcraBucket.Params> next = Map.of("k1", params(5, 500), "k2", kept, "k4", params(30, 3),
        "k5", params(3, 3), "absent", params(1, 1));
    ManualClock clock = new ManualClock(1_000 + 123_456);
    long size = t.size();
    t.reconfigure(clock, perClient, next);
    assertThat(t.walks()).as("no walk over every slot").isZero();
    assertThat(t.generation().parity).isEqualTo(parity);
    assertThat(t.size()).as("the absent override key is not kept").isEqualTo(size);
    long now = clock.nanoTime();
    for (int i = 0; i < KEYS; i++) {
      String key = "k" + i;
      GcraBucket.Params p = next.getOrDefault(key, perClient);
      GcraBucket b = reference.get(key);
      if (p != b.params()) {
        b.reconfigure(clock, p);
      } else {
        assertThat(t.tat(t.hash(key))).as("%s keeps its TAT", key).isEqualTo(before.get(key));
      }
      assertThat(t.params(t.hash(key))).isSameAs(p);
      assertThat(p.tokens(GcraBucket.debt(t.tat(t.hash(key)), now))).as(key).isEqualTo(b.tokens(now));
      assertThat(consume(t, key, now, 2)).as(key).isEqualTo(b.tryConsume(now, 2, p));
    }
    assertThat(consume(t, "absent", now, 1)).as("a fresh bucket of its override").isEqualTo(1_000_000_000L);
  }

  @Test
  void aNewPerClientLimitWalksEverySlot() {
    GcraBucket.Params perClient = params(10, 100);
    Map<String, GcraBucket> reference = new HashMap<>();
    ClientTable t = filled(perClient, Map.of(), reference, 1_000);
    long parity = t.generation().parity;
    GcraBucket.Params after = params(20, 10);
    ManualClock clock = new ManualClock(50_000);
    t.reconfigure(clock, after, Map.of());
    assertThat(t.walks()).isEqualTo(1);
    assertThat(t.generation().parity).isEqualTo(parity ^ 1);
    for (int i = 0; i < KEYS; i += 13) {
      GcraBucket b = reference.get("k" + i);
      b.reconfigure(clock, after);
      assertThat(consume(t, "k" + i, clock.nanoTime(), 1)).isEqualTo(b.tryConsume(clock.nanoTime(), 1, after));
    }
  }

  @Test
  void aDecisionComputedBeforeAnOverrideChangeCannotLandAfterIt() {
    // A decision reads the TAT and the generation, then CASes the TAT: one computed in the old
    // generation must fail its CAS once the change returned, on a slot with debt (rescaled, never
    // to the same TAT) and on a slot a decision had just claimed for a new client (forgotten).
    GcraBucket.Params perClient = params(10, 100);
    Map<String, GcraBucket.Params> overrides = Map.of("k1", params(50, 5));
    ClientTable t = filled(perClient, overrides, new HashMap<>(), 1_000);
    long[] a = t.slots;
    long h1 = t.hash("k1");
    int i1 = t.locate(a, h1, 0, false);
    long tat1 = t.tat(h1);
    long h2 = t.hash("new");
    int i2 = t.locate(a, h2, 1_000, true); // claimed, still full: its decision has not CASed yet
    assertThat(t.tat(h2)).isEqualTo(GcraBucket.FULL);
    t.reconfigure(new ManualClock(2_000), perClient, Map.of("k1", params(5, 5), "new", params(2, 1)));
    assertThat(t.slots).as("no copy in between").isSameAs(a);
    assertThat(ClientSlots.SLOTS.compareAndSet(a, 2 * i1 + 1, tat1, tat1 + 1)).isFalse();
    assertThat(ClientSlots.SLOTS.compareAndSet(a, 2 * i2 + 1, GcraBucket.FULL, 1_000L)).isFalse();
    assertThat(t.tat(h2)).as("forgotten: a fresh slot is full").isEqualTo(GcraBucket.FULL);
    assertThat(consume(t, "new", 2_000, 2)).as("decided under its new override").isEqualTo(2_000_000_000L);
  }

  @Test
  void manyChangedOverridesInASmallTableAreCarriedOverByTheWalk() {
    GcraBucket.Params perClient = params(10, 100);
    ClientTable t = new ClientTable(perClient, Map.of(), 1_000, HOUR, 0, new KeyHash(2));
    assertThat(consume(t, "a", 0, 4)).isGreaterThanOrEqualTo(0);
    Map<String, GcraBucket.Params> many = new HashMap<>();
    for (int i = 0; i < 10; i++) {
      many.put("o" + i, params(3, 3));
    }
    t.reconfigure(new ManualClock(10), perClient, many);
    assertThat(t.walks()).as("10 changed clients in 16 slots: one walk").isEqualTo(1);
    assertThat(t.size()).isEqualTo(1);
    assertThat(t.params(t.hash("o3")).limit).isEqualTo(Limit.of(3, 3));
  }
}
