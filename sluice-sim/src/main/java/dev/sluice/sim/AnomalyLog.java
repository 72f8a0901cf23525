package dev.sluice.sim;

import dev.sluice.adaptive.flood.FloodEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Collects one run's {@link AnomalyReport}: hears every event of the anomaly response as it opens
 * and ends (whatever its kind), counts every client's first attempts per detector window, and when
 * a client-scoped event opens, notes the client's and its tier's requests in the window the
 * response just closed (its step at time t closes the window [t - window, t)). Per-client counts
 * are kept in arrays per source (about 24 bytes a client) unless the scenario has more than
 * {@link #MAX_CLIENTS} clients, when the report names the clients without their traffic. Not
 * thread-safe; one per run.
 */
final class AnomalyLog {

  /** Above this many clients in all, per-client traffic is not kept. */
  static final long MAX_CLIENTS = 1L << 22;

  private final Scenario sc;
  private final Traffic traffic;
  private final int[] tierOfSource;
  private final long window;
  private final boolean perClient;
  private final int[][] count;
  private final long[][] first;
  private final int[][] win;
  private final int[][] winCount;
  private final int[][] peak;
  private final long[][] tierWindow;
  private final long[] tierTotal;
  private final Map<String, FloodEvent> events = new LinkedHashMap<>();
  private long opened;
  private final Map<String, Snapshot> flagged = new LinkedHashMap<>();
  private Map<String, List<int[]>> where;

  /** What a client looked like when it was first flagged. */
  private record Snapshot(long at, int tier, int source, long windowRequests, long tierWindowRequests) {}

  AnomalyLog(Scenario sc, Traffic traffic, int[] tierOfSource, long windowNanos) {
    this.sc = sc;
    this.traffic = traffic;
    this.tierOfSource = tierOfSource;
    this.window = windowNanos;
    int n = sc.sources().size();
    long clients = 0;
    for (Scenario.Source s : sc.sources()) {
      clients += s.clients();
    }
    this.perClient = clients <= MAX_CLIENTS;
    count = new int[n][];
    first = new long[n][];
    win = new int[n][];
    winCount = new int[n][];
    peak = new int[n][];
    for (int s = 0; perClient && s < n; s++) {
      int c = sc.sources().get(s).clients();
      count[s] = new int[c];
      first[s] = new long[c];
      java.util.Arrays.fill(first[s], -1);
      win[s] = new int[c];
      winCount[s] = new int[c];
      peak[s] = new int[c];
    }
    int windows = (int) Math.min(Integer.MAX_VALUE - 2, sc.seconds() * 1_000_000_000L / windowNanos + 2);
    tierWindow = new long[sc.limiter().tiers().size()][windows];
    tierTotal = new long[sc.limiter().tiers().size()];
  }

  /** Counts a first attempt of {@code client} of source {@code s} at {@code now}. */
  void request(int s, int client, long now) {
    int w = (int) Math.min(tierWindow[0].length - 1, now / window);
    int t = tierOfSource[s];
    tierWindow[t][w]++;
    tierTotal[t]++;
    if (!perClient) {
      return;
    }
    count[s][client]++;
    if (first[s][client] < 0) {
      first[s][client] = now;
      win[s][client] = w;
    }
    if (win[s][client] != w) {
      peak[s][client] = Math.max(peak[s][client], winCount[s][client]);
      win[s][client] = w;
      winCount[s][client] = 0;
    }
    winCount[s][client]++;
  }

  /** Hears an event of the response, as it opens or ends. */
  void event(FloodEvent e) {
    String id = e.kind() + "|" + e.scope() + "|" + e.startNanos();
    if (e.open() && !events.containsKey(id)) {
      opened++;
    }
    if (events.containsKey(id) || events.size() < AnomalyReport.MAX_EVENTS) {
      events.put(id, e);
    }
    if (e.open() && e.scope().startsWith("client:")) {
      String key = e.scope().substring("client:".length());
      if (!flagged.containsKey(key)) {
        flagged.put(key, snapshot(key, e.startNanos()));
      }
    }
  }

  private Snapshot snapshot(String key, long at) {
    int w = (int) Math.max(0, Math.min(tierWindow[0].length - 1, at / window - 1));
    int bestSource = -1;
    long best = -1;
    for (int[] p : where(key)) {
      long n = perClient && win[p[0]][p[1]] == w ? winCount[p[0]][p[1]] : 0;
      if (n > best) {
        best = n;
        bestSource = p[0];
      }
    }
    int tier = bestSource < 0 ? 0 : tierOfSource[bestSource];
    return new Snapshot(at, tier, bestSource, Math.max(0, best), tierWindow[tier][w]);
  }

  /** The (source, client) pairs whose key is {@code key}. */
  private List<int[]> where(String key) {
    if (where == null) {
      where = new HashMap<>();
      for (int s = 0; s < sc.sources().size(); s++) {
        for (int c = 0; c < sc.sources().get(s).clients(); c++) {
          where.computeIfAbsent(traffic.key(s, c), k -> new ArrayList<>(1)).add(new int[] {s, c});
        }
      }
    }
    return where.getOrDefault(key, List.of());
  }

  /** Returns the report, taking open events' latest scores from {@code latest} (the response's history). */
  AnomalyReport report(List<FloodEvent> latest) {
    Map<String, FloodEvent> now = new HashMap<>();
    for (FloodEvent e : latest) {
      now.put(e.kind() + "|" + e.scope() + "|" + e.startNanos(), e);
    }
    List<AnomalyReport.Event> out = new ArrayList<>();
    Map<String, Set<String>> kinds = new HashMap<>();
    Map<String, Double> scores = new HashMap<>();
    for (Map.Entry<String, FloodEvent> en : events.entrySet()) {
      FloodEvent e = en.getValue();
      if (e.open() && now.containsKey(en.getKey())) {
        e = now.get(en.getKey());
      }
      String log = null;
      if (e.scope().startsWith("client:")) {
        String key = e.scope().substring("client:".length());
        kinds.computeIfAbsent(key, k -> new LinkedHashSet<>()).add(e.kind());
        scores.merge(key, e.score(), Math::max);
        Snapshot s = flagged.get(key);
        log = s == null ? null : logTime(s.source(), e.startNanos() - window);
      } else {
        log = logTime(firstReplay(e.scope()), e.startNanos() - window);
      }
      out.add(new AnomalyReport.Event(e.kind(), e.scope(), e.score(), e.startNanos() / 1e9,
          e.open() ? Double.NaN : e.endNanos() / 1e9, e.action(), log));
    }
    List<AnomalyReport.Client> clients = new ArrayList<>();
    for (Map.Entry<String, Snapshot> en : flagged.entrySet()) {
      clients.add(client(en.getKey(), en.getValue(), List.copyOf(kinds.getOrDefault(en.getKey(), Set.of())),
          scores.getOrDefault(en.getKey(), 0.0)));
    }
    return new AnomalyReport(out, opened, clients);
  }

  private AnomalyReport.Client client(String key, Snapshot s, List<String> detectors, double score) {
    long requests = 0;
    long inTier = 0;
    long firstSeen = -1;
    int firstSource = s.source();
    int busiest = 0;
    for (int[] p : perClient ? where(key) : List.<int[]>of()) {
      int n = count[p[0]][p[1]];
      requests += n;
      if (tierOfSource[p[0]] == s.tier()) {
        inTier += n;
      }
      long f = first[p[0]][p[1]];
      if (f >= 0 && (firstSeen < 0 || f < firstSeen)) {
        firstSeen = f;
        firstSource = p[0];
      }
      busiest = Math.max(busiest, Math.max(peak[p[0]][p[1]], winCount[p[0]][p[1]]));
    }
    double seconds = window / 1e9;
    return new AnomalyReport.Client(key, sc.limiter().tiers().get(s.tier()).name(), detectors, score, s.at() / 1e9,
        requests, tierTotal[s.tier()] == 0 ? 0 : (double) inTier / tierTotal[s.tier()],
        firstSeen < 0 ? Double.NaN : firstSeen / 1e9, perClient ? busiest / seconds : Double.NaN,
        s.windowRequests(), s.tierWindowRequests(), tierTotal[s.tier()] / (double) sc.seconds(),
        firstSeen < 0 ? null : logTime(firstSource, firstSeen), logTime(s.source(), s.at() - window));
  }

  /** The first replay source of the tier in {@code scope} ({@code tier:NAME}), or -1. */
  private int firstReplay(String scope) {
    for (int s = 0; s < sc.sources().size(); s++) {
      Scenario.Source src = sc.sources().get(s);
      if (src.replay() != null && scope.equals("tier:" + src.tier())) {
        return s;
      }
    }
    return -1;
  }

  /**
   * The log's time of the first line at or after {@code nanos} if source {@code s} is a replay, else
   * {@code null}.
   */
  private String logTime(int s, long nanos) {
    if (s < 0 || sc.sources().get(s).replay() == null) {
      return null;
    }
    var t = sc.sources().get(s).replay().logTimeFrom(nanos);
    return t == null ? null : t.toString();
  }
}
