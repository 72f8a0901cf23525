package dev.sluice.sim;

import dev.sluice.core.Decision;
import dev.sluice.core.Limiter;
import dev.sluice.core.LimiterSpec;
import java.util.List;

/**
 * The global concurrency level's permits in a run, as the proxy holds them: a policy whose control
 * loop can move a concurrency level (one with the {@code capacity} controller, such as {@code
 * default}) runs with a global concurrency level, and each admitted attempt holds its decision's
 * permit until its exchange ends for the client (response, timeout or fast failure), when it is
 * released exactly once; the backend may still be working on a timed-out attempt, as a real
 * upstream would. Attempts still out when the run ends are released then ({@link #releaseAll}).
 * The counts let tests check that every permit taken is released exactly once. Not thread-safe.
 */
final class Permits {

  private final Limiter limiter;
  private final Requests req;
  private long taken;
  private long released;
  private long releasedAtEnd;
  private long refused;

  Permits(Limiter limiter, Requests req) {
    this.limiter = limiter;
    this.req = req;
  }

  /**
   * Returns {@code spec} with a global concurrency level when {@code policy}'s control loop can move
   * one (its controllers include {@code capacity}), else {@code spec} itself. The level starts at
   * the global rate's concurrency by Little's law ({@code rate × mean service time per token}, the
   * peers' initial limit, {@link Peers#initialLimit}) times the largest cost spread of a source
   * ({@code Σ w·c² ÷ Σ w·c} over its cost classes: a request of cost c is in flight c times as long
   * as one token), at least {@code maxCost} so every request fits.
   */
  static LimiterSpec withLevel(LimiterSpec spec, Scenario sc, String policy, int maxCost) {
    if (spec.global() == null || !sc.policies().getOrDefault(policy, List.of()).contains("capacity")) {
      return spec;
    }
    double rate = spec.global().rate().perSecond();
    double spread = 1;
    for (Scenario.Source src : sc.sources()) {
      double weighted = 0;
      double squares = 0;
      for (Scenario.CostClass c : src.costs()) {
        weighted += c.weight() * c.cost();
        squares += c.weight() * c.cost() * (double) c.cost();
      }
      if (weighted > 0) {
        spread = Math.max(spread, squares / weighted);
      }
    }
    long level = Math.round(rate * sc.backend().service().meanMillis() / 1000 * spread);
    return spec.withConcurrency(Math.max(maxCost, level));
  }

  /** Attempt {@code id} was admitted by {@code d}: it holds the decision's permit, if any. */
  void take(int id, Decision d) {
    req.permit[id] = d.permit();
    if (d.permit() > 0) {
      taken++;
    }
  }

  /** Attempt {@code id}'s exchange ended: its permit, if it holds one, goes back. */
  void release(int id) {
    long p = req.permit[id];
    if (p > 0) {
      req.permit[id] = 0;
      if (limiter.release(p)) {
        released++;
      } else {
        refused++;
      }
    }
  }

  /** The run ended: releases the permits of the attempts still out. */
  void releaseAll() {
    for (int id = 0; id < req.permit.length; id++) {
      if (req.permit[id] > 0) {
        long before = released;
        release(id);
        releasedAtEnd += released - before;
      }
    }
  }

  /** Cost in flight at the limiter's global concurrency level now (0 without one). */
  long inFlight() {
    var g = limiter.aggregateLevels().globalInFlight();
    return g == null ? 0 : g.cost();
  }

  /** Permits the limiter expired unreleased. */
  long expired() {
    return limiter.expiredPermits();
  }

  /** Permits taken by admitted attempts. */
  long taken() {
    return taken;
  }

  /** Permits released, when their exchange ended or at the end of the run. */
  long released() {
    return released;
  }

  /** Of {@link #released}, those released at the end of the run. */
  long releasedAtEnd() {
    return releasedAtEnd;
  }

  /** Releases the limiter refused (already released or expired): 0 when every permit goes back once. */
  long refused() {
    return refused;
  }
}
