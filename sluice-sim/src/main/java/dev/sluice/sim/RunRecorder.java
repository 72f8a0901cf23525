package dev.sluice.sim;

import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * Accumulates everything one run measures: per-second series (requests and tokens), totals,
 * per-tier and overall latency histograms (microseconds), every client's demand and service for
 * {@link Fairness}, and the conservation counts. Not thread-safe; one per run.
 */
final class RunRecorder {

  final int seconds;
  // Per second.
  final double[] offeredTokens;
  final double[] admittedTokens;
  final double[] offeredRequests;
  final double[] admittedRequests;
  final double[] rejected;
  final double[] ok;
  final double[] good;
  /** Tokens of 2xx responses within the SLO (goodput in tokens). */
  final double[] goodTokens;
  /** Tokens of new logical requests (first attempts), the demand the ideal is measured against. */
  final double[] demandTokens;
  /** The in-flight gate's limit at the end of each second (NaN without a gate). */
  final double[] inflightLimit;
  final double[] errors;
  final double[] capacity;
  final double[] refill;
  final double[] p50;
  final double[] p95;
  final double[] p99;
  final double[] compliantAttempts;
  final double[] compliantRejected;
  /** Attempts of non-compliant sources (the attack) per second, and how many were admitted. */
  final double[] attackAttempts;
  final double[] attackAdmitted;
  /** Flood events the anomaly response opened (0 without it). */
  long anomalyEvents;
  /** When the first flood event opened, ns of run time, or -1. */
  long firstAnomalyNanos = -1;
  /** Spike and drift events opened on a client (a flag that acts) and on a tier (an alert). */
  long watchClientFlags;
  long watchTierAlerts;
  /** Watch flags on clients of compliant sources (false flags). */
  long watchFalseFlags;
  /** When the first spike or drift event on a non-compliant source's client or tier opened, ns, or -1. */
  long firstWatchNanos = -1;
  // Totals.
  long logicalOffered;
  long logicalOk;
  long logicalGood;
  double goodTokensTotal;
  long logicalFailed;
  long logicalRejected;
  long attempts;
  long admittedCount;
  long rejections;
  long responses;
  long timeouts;
  long serverErrors;
  // Latency.
  final Histogram all = new Histogram(2);
  final Histogram[] byTier;
  private final Histogram second = new Histogram(2);
  final boolean[] compliant;
  private final int[] clientOffset;
  final Fairness fairness;

  RunRecorder(Scenario sc) {
    seconds = sc.seconds();
    offeredTokens = new double[seconds];
    admittedTokens = new double[seconds];
    offeredRequests = new double[seconds];
    admittedRequests = new double[seconds];
    rejected = new double[seconds];
    ok = new double[seconds];
    good = new double[seconds];
    goodTokens = new double[seconds];
    demandTokens = new double[seconds];
    inflightLimit = new double[seconds];
    java.util.Arrays.fill(inflightLimit, Double.NaN);
    errors = new double[seconds];
    capacity = new double[seconds];
    refill = new double[seconds];
    p50 = new double[seconds];
    p95 = new double[seconds];
    p99 = new double[seconds];
    compliantAttempts = new double[seconds];
    compliantRejected = new double[seconds];
    attackAttempts = new double[seconds];
    attackAdmitted = new double[seconds];
    List<Scenario.TierModel> tiers = sc.limiter().tiers();
    byTier = new Histogram[tiers.size()];
    for (int i = 0; i < byTier.length; i++) {
      byTier[i] = new Histogram(2);
    }
    int n = sc.sources().size();
    compliant = new boolean[n];
    clientOffset = new int[n];
    int clients = 0;
    for (int i = 0; i < n; i++) {
      Scenario.Source s = sc.sources().get(i);
      compliant[i] = s.compliant();
      clientOffset[i] = clients;
      clients += s.clients();
    }
    fairness = new Fairness(clients);
  }

  /** A new logical request (not a retry) of {@code cost} tokens arrived during second {@code sec}. */
  void newRequest(int sec, int src, int client, int cost) {
    logicalOffered++;
    demandTokens[sec] += cost;
    fairness.demand(clientOffset[src] + client, cost);
  }

  void attempt(int sec, int src, int cost, boolean allowed) {
    attempts++;
    offeredTokens[sec] += cost;
    offeredRequests[sec]++;
    if (compliant[src]) {
      compliantAttempts[sec]++;
    } else {
      attackAttempts[sec]++;
      if (allowed) {
        attackAdmitted[sec] += cost;
      }
    }
    if (allowed) {
      admittedCount++;
      admittedTokens[sec] += cost;
      admittedRequests[sec]++;
    } else {
      rejections++;
      rejected[sec]++;
      if (compliant[src]) {
        compliantRejected[sec]++;
      }
    }
  }

  void response(int sec, int tier, long latencyNanos, int status, boolean withinSlo, int cost) {
    responses++;
    long micros = Math.max(1, latencyNanos / 1_000);
    all.recordValue(micros);
    byTier[tier].recordValue(micros);
    second.recordValue(micros);
    if (status >= 500) {
      errors[sec]++;
      serverErrors++;
      if (status == 504) {
        timeouts++;
      }
    } else {
      ok[sec]++;
      if (withinSlo) {
        good[sec]++;
        goodTokens[sec] += cost;
        goodTokensTotal += cost;
      }
    }
  }

  /** A logical request of {@code cost} ended: 0 success, 1 failed (5xx or timeout), 2 rejected (429). */
  void finish(int src, int client, int outcome, boolean withinSlo, int cost) {
    switch (outcome) {
      case 0 -> {
        logicalOk++;
        if (withinSlo) {
          logicalGood++;
        }
        fairness.served(clientOffset[src] + client, cost);
      }
      case 1 -> logicalFailed++;
      default -> logicalRejected++;
    }
  }

  void tick(int sec, double refillRate, double cap) {
    if (sec < 0 || sec >= seconds) {
      return;
    }
    refill[sec] = refillRate;
    capacity[sec] = cap;
    fairness.endSecond(cap);
    boolean any = second.getTotalCount() > 0;
    p50[sec] = any ? second.getValueAtPercentile(50) / 1000.0 : Double.NaN;
    p95[sec] = any ? second.getValueAtPercentile(95) / 1000.0 : Double.NaN;
    p99[sec] = any ? second.getValueAtPercentile(99) / 1000.0 : Double.NaN;
    second.reset();
  }

  /** Counts an anomaly event as it opens: flood events, and spike or drift events by scope. */
  void anomalyEvent(Scenario sc, dev.sluice.adaptive.flood.FloodEvent e) {
    if (!e.open()) {
      return;
    }
    if (e.kind().equals("flood")) {
      anomalyEvents++;
      if (firstAnomalyNanos < 0) {
        firstAnomalyNanos = e.startNanos();
      }
      return;
    }
    if (!e.kind().equals("spike") && !e.kind().equals("drift")) {
      return;
    }
    boolean client = e.scope().startsWith("client:");
    boolean attack = false;
    for (Scenario.Source s : sc.sources()) {
      boolean mine = client ? e.scope().startsWith("client:" + s.name() + "-") : e.scope().equals("tier:" + s.tier());
      if (mine && !s.compliant()) {
        attack = true;
      } else if (mine && client) {
        watchFalseFlags++;
      }
    }
    if (client) {
      watchClientFlags++;
    } else {
      watchTierAlerts++;
    }
    if (attack && firstWatchNanos < 0) {
      firstWatchNanos = e.startNanos();
    }
  }
}
