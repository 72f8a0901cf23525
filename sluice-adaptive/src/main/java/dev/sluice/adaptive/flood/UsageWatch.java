package dev.sluice.adaptive.flood;

import dev.sluice.adaptive.anomaly.Baseline;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * Spike and drift detection per tier and per heavy client, for a {@link FloodResponse}: stepped
 * once per window on the response's step thread, never on the hot path; the hot path only adds a
 * watched client's cost to its counter ({@link #count}).
 *
 * <p>Per tier, always: a {@link WatchedSeries} on the tier's demand (tokens per window, from the
 * flood detector's reading), its spike detector every window, its drift detectors every interval
 * on the interval's demand. The baseline is the one {@code tierBaseline} gives for the tier (a
 * trained forecaster when a model is active, else an EWMA).
 *
 * <p>Per client, only for those the flood detector's frequent-items sketch names above {@link
 * FloodDetector#TRACK_SHARE} of a window's demand, at most {@link WatchSettings#maxClients} over
 * all tiers: its demand <em>relative to everyone else's</em> per interval (its count {@code n}
 * from an exact counter, the rest {@code o} of every tier's demand), as a Poisson-standardised
 * residual {@code (n − E) / √E} with {@code E = r̄ · o} and {@code r̄} a slow reference ratio (EWMA
 * 0.02), scored for spike and drift each interval. The ratio to the rest is what makes a diurnal
 * peak, which lifts every client together, no anomaly, while one tenant ramping against the rest
 * is; the standardisation keeps the noise level the same at a trough and at a peak (the raw ratio's
 * noise is three times larger at a trough of a third of the peak, which made the drift tests fire
 * on every trough). A client is forgotten after {@link #IDLE} intervals below half the tracking
 * share, unless its score is still up.
 *
 * <p>Thread-safety: {@link #count} from any thread (a volatile map read and an atomic add), and the
 * score readers ({@link #tierScore}, {@link #clientScore}, {@link #clientScores}: volatile scores in
 * a concurrent or immutable map); {@link #step} from the one thread that steps the response.
 */
final class UsageWatch {

  /** Intervals below half the tracking share after which a client is no longer watched. */
  static final int IDLE = 6;
  /** The gain of a client's reference ratio. */
  static final double REFERENCE = 0.02;

  /** A client the watch wants the response to treat as an offender, with what it saw. */
  record Flag(double score, String kind) {
    static Flag max(Flag a, Flag b) {
      return b.score > a.score ? b : a;
    }
  }

  private static final class Client {
    final String tier;
    final WatchedSeries series;
    final AtomicLong count = new AtomicLong();
    volatile double score;
    boolean started;
    /** The client's reference ratio to the rest's demand (EWMA {@link #REFERENCE}), NaN at first. */
    double ratio = Double.NaN;
    long intervals;
    int idle;

    Client(String tier, WatchedSeries series) {
      this.tier = tier;
      this.series = series;
    }
  }

  private static final class Tier {
    final WatchedSeries series;
    volatile double score;
    double intervalDemand;
    FloodEvent event;

    Tier(WatchedSeries series) {
      this.series = series;
    }
  }

  private final WatchSettings settings;
  private final double threshold;
  private final double clear;
  private final Function<String, Baseline> tierBaseline;
  private final Map<String, Tier> tiers = new java.util.concurrent.ConcurrentHashMap<>();
  private final Map<String, Client> clients = new LinkedHashMap<>();
  private volatile Map<String, Client> counted = Map.of();
  private int windows;

  UsageWatch(WatchSettings settings, double threshold, double clear, Function<String, Baseline> tierBaseline) {
    this.settings = settings;
    this.threshold = threshold;
    this.clear = clear;
    this.tierBaseline = tierBaseline;
  }

  /** The hot path: adds {@code cost} to {@code key}'s counter if it is watched. Allocation-free. */
  void count(String key, int cost) {
    Map<String, Client> m = counted;
    if (!m.isEmpty()) {
      Client c = m.get(key);
      if (c != null) {
        c.count.addAndGet(cost);
      }
    }
  }

  /**
   * Closes a window at {@code now} given each tier's reading: scores the tiers' spikes, every
   * {@code interval} windows the drifts and the clients, opens and ends tier events in {@code
   * history}, and returns the clients to flag, by tier.
   */
  Map<String, Map<String, Flag>> step(Map<String, FloodDetector.Reading> readings, long now, EventHistory history) {
    if (!settings.enabled()) {
      return Map.of();
    }
    windows++;
    boolean intervalEnds = windows % settings.interval() == 0;
    double total = 0;
    for (Map.Entry<String, FloodDetector.Reading> e : readings.entrySet()) {
      Tier t = tiers.computeIfAbsent(e.getKey(), k -> new Tier(series(tierBaseline.apply(k), true)));
      double d = e.getValue().demand();
      t.series.spike(now, d);
      t.intervalDemand += d;
      if (intervalEnds) {
        t.series.drift(now, t.intervalDemand);
        total += t.intervalDemand;
        t.intervalDemand = 0;
      }
      t.score = t.series.score();
      tierEvent(e.getKey(), t, now, history);
    }
    if (intervalEnds) {
      scoreClients(now, total);
    }
    track(readings);
    Map<String, Map<String, Flag>> out = new HashMap<>();
    for (Map.Entry<String, Client> e : clients.entrySet()) {
      Client c = e.getValue();
      double s = c.series.score();
      if (s >= threshold) {
        out.computeIfAbsent(c.tier, k -> new LinkedHashMap<>()).put(e.getKey(), new Flag(s, c.series.kind()));
      }
    }
    return out;
  }

  private void scoreClients(long now, double total) {
    boolean changed = false;
    for (var it = clients.entrySet().iterator(); it.hasNext(); ) {
      Client c = it.next().getValue();
      long n = c.count.getAndSet(0);
      if (!c.started) {
        c.started = true;
        continue;
      }
      double share = total > 0 ? n / total : 0;
      double rest = Math.max(1, total - n);
      if (!Double.isNaN(c.ratio)) {
        double expected = Math.max(1, c.ratio * rest);
        c.series.update(now, (n - expected) / Math.sqrt(expected));
      }
      c.intervals++;
      c.ratio = Double.isNaN(c.ratio) ? n / rest : c.ratio + Math.max(REFERENCE, 1.0 / c.intervals) * (n / rest - c.ratio);
      c.score = c.series.score();
      c.idle = share < FloodDetector.TRACK_SHARE / 2 ? c.idle + 1 : 0;
      if (c.idle >= IDLE && c.series.score() < clear) {
        it.remove();
        changed = true;
      }
    }
    if (changed) {
      counted = Map.copyOf(clients);
    }
  }

  /** Starts watching the frequent clients of each reading, while there is room. */
  private void track(Map<String, FloodDetector.Reading> readings) {
    boolean changed = false;
    for (Map.Entry<String, FloodDetector.Reading> e : readings.entrySet()) {
      for (FloodDetector.Hitter h : e.getValue().frequent()) {
        if (clients.size() >= settings.maxClients()) {
          break;
        }
        if (!clients.containsKey(h.key())) {
          clients.put(h.key(), new Client(e.getKey(), series(Baseline.ewma(REFERENCE), false)));
          changed = true;
        }
      }
    }
    if (changed) {
      counted = Map.copyOf(clients);
    }
  }

  private void tierEvent(String name, Tier t, long now, EventHistory history) {
    double s = t.series.score();
    if (t.event == null && s >= threshold) {
      t.event = history.open(new FloodEvent(t.series.kind(), "tier:" + name, s, now, -1, "alert"));
    } else if (t.event != null) {
      t.event = history.replace(t.event, t.event.withScore(s));
      if (s < clear) {
        history.close(t.event.ended(now));
        t.event = null;
      }
    }
  }

  private WatchedSeries series(Baseline baseline, boolean residualDrift) {
    return new WatchedSeries(baseline, settings.spikeSigma(), threshold, settings.latch(), residualDrift);
  }

  /** Returns the last score of {@code tier}'s series (0 when unknown). */
  double tierScore(String tier) {
    Tier t = tiers.get(tier);
    return t == null ? 0 : t.score;
  }

  /** Returns the last score of watched client {@code key}, or NaN when it is not watched. */
  double clientScore(String key) {
    Client c = counted.get(key);
    return c == null ? Double.NaN : c.score;
  }

  /** Returns the watched clients' scores, by key. */
  Map<String, Double> clientScores() {
    Map<String, Double> out = new TreeMap<>();
    for (Map.Entry<String, Client> e : counted.entrySet()) {
      out.put(e.getKey(), e.getValue().score);
    }
    return out;
  }

  /** Returns the keys watched now (at most {@link WatchSettings#maxClients}). */
  List<String> watched() {
    return new ArrayList<>(counted.keySet());
  }
}
