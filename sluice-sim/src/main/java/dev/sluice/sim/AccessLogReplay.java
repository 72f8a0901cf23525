package dev.sluice.sim;

import dev.sluice.ml.data.AccessLogReader;
import dev.sluice.ml.data.ReadReport;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The requests of one access-log source (one tier's share of the log), in replay order: each line
 * is one request at its virtual time, from the client whose key is the line's host field. Built by
 * {@link #split}, which lays the whole log on one virtual timeline: the log's first second is
 * second 0; each further second of the log follows the previous one after the gap between them
 * (shortened to {@code maxGap} when longer, so the silences between a sampled log's slices do not
 * cost virtual hours), divided by {@code speedup}; the lines that share a log second are spread
 * evenly over it (the log only has second resolution). Immutable.
 */
public final class AccessLogReplay {

  private final long[] nanos;
  private final long[] logMillis;
  private final int[] client;
  private final int[] cost;
  private final String[] keys;
  private final ReadReport report;

  private AccessLogReplay(long[] nanos, long[] logMillis, int[] client, int[] cost, String[] keys, ReadReport report) {
    this.nanos = nanos;
    this.logMillis = logMillis;
    this.client = client;
    this.cost = cost;
    this.keys = keys;
    this.report = report;
  }

  /**
   * A longest-prefix rule: requests whose path starts with {@code prefix} go to {@code tier}.
   *
   * @param prefix the path prefix, e.g. {@code /images/}
   * @param tier the tier's name
   */
  public record TierRule(String prefix, String tier) {}

  /**
   * Lays {@code lines} on the virtual timeline and splits them by tier: the tier of the longest
   * {@code rules} prefix of a line's path, else {@code defaultTier}. Returns one replay per tier that
   * has lines, in the order the tiers first appear. A line's cost is 1, or with {@code bytesPerToken
   * > 0}, {@code 1 + bytes / bytesPerToken} (at most 10^6).
   */
  static Map<String, AccessLogReplay> split(List<AccessLogReader.Line> lines, ReadReport report, double speedup,
      double maxGapSeconds, List<TierRule> rules, String defaultTier, long bytesPerToken) {
    List<AccessLogReader.Line> sorted = new ArrayList<>(lines);
    sorted.sort(Comparator.comparingLong(AccessLogReader.Line::epochMillis));
    int n = sorted.size();
    long[] at = new long[n];
    double second = 0;
    for (int i = 0; i < n; ) {
      long sec = Math.floorDiv(sorted.get(i).epochMillis(), 1000L);
      int j = i;
      while (j < n && Math.floorDiv(sorted.get(j).epochMillis(), 1000L) == sec) {
        j++;
      }
      if (i > 0) {
        long gap = sec - Math.floorDiv(sorted.get(i - 1).epochMillis(), 1000L);
        second += Math.min(gap, maxGapSeconds) / speedup;
      }
      for (int k = i; k < j; k++) {
        at[k] = Math.round((second + (k - i + 0.5) / (j - i) / speedup) * 1e9);
      }
      i = j;
    }
    Map<String, List<Integer>> byTier = new LinkedHashMap<>();
    for (int i = 0; i < n; i++) {
      byTier.computeIfAbsent(tierOf(sorted.get(i).path(), rules, defaultTier), t -> new ArrayList<>()).add(i);
    }
    Map<String, AccessLogReplay> out = new LinkedHashMap<>();
    for (Map.Entry<String, List<Integer>> e : byTier.entrySet()) {
      List<Integer> idx = e.getValue();
      long[] t = new long[idx.size()];
      long[] log = new long[idx.size()];
      int[] c = new int[idx.size()];
      int[] k = new int[idx.size()];
      Map<String, Integer> ids = new LinkedHashMap<>();
      for (int i = 0; i < idx.size(); i++) {
        AccessLogReader.Line l = sorted.get(idx.get(i));
        t[i] = at[idx.get(i)];
        log[i] = l.epochMillis();
        c[i] = ids.computeIfAbsent(l.host(), h -> ids.size());
        k[i] = bytesPerToken <= 0 ? 1 : (int) Math.min(1_000_000, 1 + l.bytes() / bytesPerToken);
      }
      out.put(e.getKey(), new AccessLogReplay(t, log, c, k, ids.keySet().toArray(new String[0]), report));
    }
    return out;
  }

  /** Returns the tier of {@code path}: the longest matching rule's, else {@code fallback}. */
  static String tierOf(String path, List<TierRule> rules, String fallback) {
    String tier = fallback;
    int best = -1;
    for (TierRule r : rules) {
      if (path.startsWith(r.prefix()) && r.prefix().length() > best) {
        best = r.prefix().length();
        tier = r.tier();
      }
    }
    return tier;
  }

  /** Returns how many requests (lines) it replays. */
  public int size() {
    return nanos.length;
  }

  /** Returns how many distinct clients (hosts) send them. */
  public int clients() {
    return keys.length;
  }

  /** Returns the virtual time of request {@code i}, ns from the run's start. */
  long nanos(int i) {
    return nanos[i];
  }

  /** Returns the client index of request {@code i}. */
  int client(int i) {
    return client[i];
  }

  /** Returns the cost of request {@code i}. */
  int cost(int i) {
    return cost[i];
  }

  /** Returns the key (host) of client {@code c}. */
  public String key(int c) {
    return keys[c];
  }

  /** Returns what the reader made of the whole log (shared by the tiers' replays). */
  public ReadReport report() {
    return report;
  }

  /** Returns the last virtual time, ns (0 when empty). */
  long lastNanos() {
    return nanos.length == 0 ? 0 : nanos[nanos.length - 1];
  }

  /**
   * Returns the log time of virtual time {@code t}: the time of the last line at or before it (the
   * first line's before it), or {@code null} when empty.
   */
  public Instant logTime(long t) {
    if (nanos.length == 0) {
      return null;
    }
    int i = Arrays.binarySearch(nanos, t);
    if (i < 0) {
      i = Math.max(0, -i - 2);
    }
    return Instant.ofEpochMilli(logMillis[i]);
  }

  /**
   * Returns the log time of the first line at or after virtual time {@code t} (the last line's
   * after the end), or {@code null} when empty.
   */
  public Instant logTimeFrom(long t) {
    if (nanos.length == 0) {
      return null;
    }
    int i = Arrays.binarySearch(nanos, t);
    if (i < 0) {
      i = Math.min(nanos.length - 1, -i - 1);
    }
    return Instant.ofEpochMilli(logMillis[i]);
  }

  /** Returns the number of requests in each second of a run of {@code seconds} seconds. */
  double[] perSecond(int seconds) {
    double[] out = new double[seconds];
    for (long t : nanos) {
      int s = (int) (t / 1_000_000_000L);
      if (s < seconds) {
        out[s]++;
      }
    }
    return out;
  }
}
