package dev.sluice.ml.dataset;

import dev.sluice.ml.data.RequestEvent;
import dev.sluice.ml.data.Windows;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Turns requests into feature rows: per group (global, each tier, each of the busiest clients) and
 * per window of the common window grid, the {@link DatasetSchema} columns. Stateless.
 *
 * <p>Definitions, per group and window:
 * <ul>
 *   <li>{@code count}, {@code tokens} (a request without a cost counts 1), {@code bytes}.
 *   <li>{@code latency_p50_ms}, {@code latency_p95_ms}: nearest-rank percentiles of the upstream
 *       latencies logged in the window (NaN without any).
 *   <li>{@code status_Nxx}: share of the requests with a known status in each class; {@code
 *       error_ratio}: the 5xx share (NaN without a status).
 *   <li>{@code denial_ratio}: denied / decided (NaN when nothing was decided).
 *   <li>{@code occupancy_lag1}: mean {@code remaining / burst} of the previous window's decisions
 *       that logged a burst (request log version 2; NaN otherwise).
 *   <li>{@code hour_*}, {@code dow_*}: the window start's time of day and day of week (UTC) on the
 *       unit circle.
 *   <li>{@code count_1m/5m/15m}: requests in the window and the ones before it covering 60, 300,
 *       900 s; {@code count_lagK}: requests K windows earlier; {@code tokens_lag1}. Windows before
 *       the first request count as empty.
 *   <li>Targets: {@code tokens_next}, the tokens of the next window, and {@code count_next_H}, the
 *       requests of the next H windows. Rows whose targets run past the last window are left out.
 * </ul>
 * Every feature of a row reads only its own window and earlier ones; only the targets look ahead.
 */
public final class DatasetBuilder {

  private DatasetBuilder() {}

  /** Builds the rows, grouped (global, tiers by name, clients by rank) and in time order within a group. */
  public static List<FeatureRow> build(List<RequestEvent> events, DatasetOptions o) {
    if (events.isEmpty()) {
      return List.of();
    }
    long w = o.windowSeconds();
    long origin = Windows.origin(events, w);
    int n = 0;
    for (RequestEvent e : events) {
      n = Math.max(n, index(e, origin, w) + 1);
    }
    Map<String, Window[]> groups = new LinkedHashMap<>();
    groups.put("global", new Window[n]);
    for (String tier : new TreeSet<>(events.stream().map(RequestEvent::tier).toList())) {
      groups.put("tier:" + tier, new Window[n]);
    }
    for (String client : topClients(events, o.topClients())) {
      groups.put("client:" + client, new Window[n]);
    }
    for (RequestEvent e : events) {
      int i = index(e, origin, w);
      add(groups.get("global"), i, e);
      add(groups.get("tier:" + e.tier()), i, e);
      Window[] c = groups.get("client:" + e.client());
      if (c != null) {
        add(c, i, e);
      }
    }
    DatasetSchema schema = DatasetSchema.of(o);
    List<FeatureRow> rows = new ArrayList<>();
    for (Map.Entry<String, Window[]> g : groups.entrySet()) {
      Window[] win = g.getValue();
      for (int i = 0; i < win.length; i++) {
        if (win[i] == null) {
          win[i] = new Window();
        }
      }
      for (int i = 0; i + o.horizonWindows() < n; i++) {
        rows.add(new FeatureRow(origin + i * w, g.getKey(), row(win, i, origin, o, schema.columns().size())));
      }
    }
    return rows;
  }

  private static double[] row(Window[] win, int i, long origin, DatasetOptions o, int columns) {
    double[] v = new double[columns];
    Window x = win[i];
    int k = 0;
    v[k++] = x.count;
    v[k++] = x.tokens;
    v[k++] = x.bytes;
    double[] lat = x.latencies();
    v[k++] = percentile(lat, 0.50);
    v[k++] = percentile(lat, 0.95);
    for (int c = 0; c < 4; c++) {
      v[k++] = x.withStatus == 0 ? Double.NaN : (double) x.statusClass[c] / x.withStatus;
    }
    v[k++] = x.withStatus == 0 ? Double.NaN : (double) x.statusClass[3] / x.withStatus;
    v[k++] = x.decided == 0 ? Double.NaN : (double) x.denied / x.decided;
    v[k++] = i == 0 || win[i - 1].occupancyN == 0 ? Double.NaN : win[i - 1].occupancy / win[i - 1].occupancyN;
    ZonedDateTime t = Instant.ofEpochSecond(origin + i * (long) o.windowSeconds()).atZone(ZoneOffset.UTC);
    double day = t.toLocalTime().toSecondOfDay() / 86_400.0;
    double week = (t.getDayOfWeek().getValue() - 1 + day) / 7;
    v[k++] = Math.sin(2 * Math.PI * day);
    v[k++] = Math.cos(2 * Math.PI * day);
    v[k++] = Math.sin(2 * Math.PI * week);
    v[k++] = Math.cos(2 * Math.PI * week);
    for (int span : new int[] {60, 300, 900}) {
      int windows = (span + o.windowSeconds() - 1) / o.windowSeconds();
      long sum = 0;
      for (int j = Math.max(0, i - windows + 1); j <= i; j++) {
        sum += win[j].count;
      }
      v[k++] = sum;
    }
    for (int lag = 1; lag <= o.lags(); lag++) {
      v[k++] = i - lag >= 0 ? win[i - lag].count : 0;
    }
    v[k++] = i >= 1 ? win[i - 1].tokens : 0;
    v[k++] = win[i + 1].tokens;
    long next = 0;
    for (int j = i + 1; j <= i + o.horizonWindows(); j++) {
      next += win[j].count;
    }
    v[k] = next;
    return v;
  }

  private static List<String> topClients(List<RequestEvent> events, int k) {
    Map<String, Long> counts = new HashMap<>();
    for (RequestEvent e : events) {
      counts.merge(e.client(), 1L, Long::sum);
    }
    return counts.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()).thenComparing(Map.Entry.comparingByKey()))
        .limit(k).map(Map.Entry::getKey).toList();
  }

  private static int index(RequestEvent e, long origin, long w) {
    return (int) Math.floorDiv(Math.floorDiv(e.epochMillis(), 1000) - origin, w);
  }

  private static void add(Window[] win, int i, RequestEvent e) {
    if (win[i] == null) {
      win[i] = new Window();
    }
    win[i].add(e);
  }

  /** Nearest-rank percentile of sorted {@code a}; NaN when empty. */
  static double percentile(double[] a, double q) {
    if (a.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(q * a.length);
    return a[Math.max(0, rank - 1)];
  }

  /** One group's sums over one window; single-threaded. */
  private static final class Window {
    long count;
    double tokens;
    long bytes;
    double[] latency = new double[0];
    int latencyN;
    final long[] statusClass = new long[4];
    long withStatus;
    long decided;
    long denied;
    double occupancy;
    long occupancyN;

    void add(RequestEvent e) {
      count++;
      tokens += Double.isNaN(e.tokens()) ? 1 : e.tokens();
      bytes += e.bytes();
      if (!Double.isNaN(e.latencyMs())) {
        if (latencyN == latency.length) {
          latency = Arrays.copyOf(latency, Math.max(4, latencyN * 2));
        }
        latency[latencyN++] = e.latencyMs();
      }
      if (e.status() >= 200 && e.status() < 600) {
        statusClass[e.status() / 100 - 2]++;
        withStatus++;
      }
      if (e.decided()) {
        decided++;
        denied += e.denied() ? 1 : 0;
      }
      if (!Double.isNaN(e.remaining()) && e.burst() > 0) {
        occupancy += e.remaining() / e.burst();
        occupancyN++;
      }
    }

    double[] latencies() {
      double[] a = Arrays.copyOf(latency, latencyN);
      Arrays.sort(a);
      return a;
    }
  }
}
