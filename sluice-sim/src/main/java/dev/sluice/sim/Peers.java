package dev.sluice.sim;

import com.netflix.concurrency.limits.limit.Gradient2Limit;
import com.netflix.concurrency.limits.limit.VegasLimit;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.SplittableRandom;

/**
 * The peer policies: Netflix's concurrency-limits library (0.5.4), the adaptive limiter Java teams
 * use today, run in the same simulator behind a {@link PeerGate}.
 *
 * <ul>
 *   <li>{@code netflix-gradient2}: {@link Gradient2Limit};
 *   <li>{@code netflix-vegas}: {@link VegasLimit}.
 * </ul>
 *
 * <p>Both use the library's defaults except for the numbers an operator must fit to the backend:
 * the initial limit is the concurrency of the static baseline's rate by Little's law ({@code
 * static rate × mean service time per token}, at least 1), the same starting point as Sluice's
 * adaptive policies; Gradient2's minimum limit is its default (20) capped at that initial limit,
 * and each maximum is its default (200, 1000) or 4 × the initial limit if larger. One permit is
 * one request, whatever its cost, as in the library. A client timeout (504) is fed as a drop, and
 * every other response as a sample, as the library's gRPC server interceptor does (deadline
 * exceeded or cancelled is a drop). With a peer there is no global token bucket and no tier
 * aggregate: the gate takes their place; per-client limits stay.
 *
 * <p>{@code VegasLimit} draws a probe jitter from {@code ThreadLocalRandom}, which would make runs
 * unrepeatable; the adapter overwrites that one field after each draw with a draw from the same
 * distribution (uniform in [0.5, 1)) from the run's seeded stream, so the algorithm is unchanged
 * and a run is still a pure function of its seed.
 */
final class Peers {

  /** The peer policy names. */
  static final List<String> NAMES = List.of("netflix-gradient2", "netflix-vegas");

  private static final VarHandle PROBE_JITTER;
  private static final VarHandle PROBE_COUNT;

  static {
    try {
      MethodHandles.Lookup l = MethodHandles.privateLookupIn(VegasLimit.class, MethodHandles.lookup());
      PROBE_JITTER = l.findVarHandle(VegasLimit.class, "probeJitter", double.class);
      PROBE_COUNT = l.findVarHandle(VegasLimit.class, "probeCount", int.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private Peers() {}

  /** Returns whether {@code policy} is a peer. */
  static boolean is(String policy) {
    return NAMES.contains(policy);
  }

  /** Returns the initial limit: the static rate's concurrency at the mean service time. */
  static int initialLimit(Scenario sc) {
    return (int) Math.max(1, Math.round(sc.staticRate() * sc.backend().service().meanMillis() / 1000));
  }

  /** Returns a gate for peer {@code policy}, its random draws taken from {@code rng}. */
  static PeerGate gate(String policy, Scenario sc, SplittableRandom rng) {
    int initial = initialLimit(sc);
    return switch (policy) {
      case "netflix-gradient2" -> new PeerGate(Gradient2Limit.newBuilder()
          .initialLimit(initial)
          .minLimit(Math.min(20, initial))
          .maxConcurrency(Math.max(200, 4 * initial))
          .build(), () -> { });
      case "netflix-vegas" -> {
        VegasLimit vegas = VegasLimit.newBuilder()
            .initialLimit(initial)
            .maxConcurrency(Math.max(1000, 4 * initial))
            .build();
        PROBE_JITTER.set(vegas, rng.nextDouble(0.5, 1));
        yield new PeerGate(vegas, () -> {
          if ((int) PROBE_COUNT.get(vegas) == 0) {
            PROBE_JITTER.set(vegas, rng.nextDouble(0.5, 1));
          }
        });
      }
      default -> throw new IllegalArgumentException("policy: " + policy + " (expected: one of " + NAMES + ")");
    };
  }
}
