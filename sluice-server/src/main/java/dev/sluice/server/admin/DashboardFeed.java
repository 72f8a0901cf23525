package dev.sluice.server.admin;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.sluice.adaptive.ControlLoop;
import dev.sluice.adaptive.ControlStep;
import dev.sluice.adaptive.RateController;
import dev.sluice.adaptive.flood.FloodEvent;
import dev.sluice.adaptive.flood.FloodResponse;
import dev.sluice.core.AggregateLevels;
import dev.sluice.core.BucketStore;
import dev.sluice.core.Clock;
import dev.sluice.core.InFlight;
import dev.sluice.core.LevelState;
import dev.sluice.core.Limit;
import dev.sluice.core.LimiterSpec;
import dev.sluice.core.TierSpec;
import dev.sluice.server.http.JsonBodies;
import dev.sluice.server.live.Adaptation;
import dev.sluice.server.observe.IntervalLatency;
import dev.sluice.server.observe.ServerMetrics;
import dev.sluice.server.observe.TopClients;
import dev.sluice.server.observe.WallClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Builds the live dashboard's snapshots: one JSON object per call to {@link #next}, describing the
 * interval since the previous call. Called by one thread at a time (the stream's scheduler).
 *
 * <p>A snapshot: {@code t} (epoch ms), {@code seconds} (the interval), {@code tiers} (per tier:
 * {@code offered}, {@code admitted}, {@code denied} per second, the totals {@code admittedTotal} and
 * {@code deniedTotal}, the aggregate {@code rate} and per-client {@code clientRate} in tokens per
 * second, {@code fill}: the aggregate bucket's tokens over its burst), {@code global} ({@code rate},
 * {@code fill}, {@code inFlight}, {@code concurrencyLimit}: the level in force), {@code control}
 * ({@code policy}, {@code composed}, {@code proposals} by controller, {@code capacity}: the
 * capacity estimator's delivery rate, {@code concurrencyLimit}: the capacity controller's),
 * {@code upstream} ({@code count}, {@code p50}, {@code p95}, {@code p99} in ms), {@code anomaly}
 * ({@code enabled}, {@code global}, {@code tiers}, {@code offenders}, the last 20 {@code events}),
 * and {@code clients} (the interval's heaviest clients, {@code key} and {@code tokens}). Unknown
 * numbers are {@code null}.
 */
final class DashboardFeed {

  /** Clients per snapshot in the heatmap. */
  static final int TOP_CLIENTS = 10;
  private static final int EVENTS = 20;

  private final ServerMetrics metrics;
  private final BucketStore store;
  private final Adaptation adaptation;
  private final Clock clock;
  private final WallClock wall;
  private final Map<String, double[]> previous = new HashMap<>();
  private long previousNanos;

  DashboardFeed(ServerMetrics metrics, BucketStore store, Adaptation adaptation, Clock clock, WallClock wall) {
    this.metrics = metrics;
    this.store = store;
    this.adaptation = adaptation;
    this.clock = clock;
    this.wall = wall;
    this.previousNanos = clock.nanoTime();
  }

  /** Closes the interval and returns its snapshot as one line of JSON. */
  String next() {
    long now = clock.nanoTime();
    double seconds = Math.max(1e-3, (now - previousNanos) / 1e9);
    previousNanos = now;
    AggregateLevels levels = aggregates();
    IntervalLatency.Percentiles latency = metrics.intervalLatency().interval();
    List<TopClients.Client> clients = metrics.topClients().interval(TOP_CLIENTS);
    LimiterSpec spec = store.spec();
    byte[] json = JsonBodies.write(g -> {
      g.writeStartObject();
      g.writeNumberField("t", wall.epochMillis());
      g.writeNumberField("seconds", seconds);
      g.writeObjectFieldStart("tiers");
      for (Map.Entry<String, TierSpec> e : spec.tiers().entrySet()) {
        g.writeObjectFieldStart(e.getKey());
        tier(g, e.getKey(), e.getValue(), levels.tier(e.getKey()), seconds);
        g.writeEndObject();
      }
      g.writeEndObject();
      g.writeObjectFieldStart("global");
      number(g, "rate", spec.global() == null ? Double.NaN : spec.global().rate().perSecond());
      number(g, "fill", fill(spec.global(), levels.global()));
      InFlight inFlight = levels.globalInFlight();
      number(g, "inFlight", inFlight == null ? Double.NaN : inFlight.cost());
      number(g, "concurrencyLimit", spec.concurrency() > 0 ? spec.concurrency() : Double.NaN);
      g.writeEndObject();
      control(g);
      g.writeObjectFieldStart("upstream");
      g.writeNumberField("count", latency.count());
      number(g, "p50", latency.p50Millis());
      number(g, "p95", latency.p95Millis());
      number(g, "p99", latency.p99Millis());
      g.writeEndObject();
      anomaly(g);
      g.writeArrayFieldStart("clients");
      for (TopClients.Client c : clients) {
        g.writeStartObject();
        JsonBodies.stringField(g, "key", c.key());
        g.writeNumberField("tokens", c.tokens());
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    });
    return new String(json, StandardCharsets.UTF_8);
  }

  /** The store's aggregate levels, waiting at most 500 ms (Redis); {@link AggregateLevels#NONE} otherwise. */
  private AggregateLevels aggregates() {
    try {
      AggregateLevels a = store.aggregates().toCompletableFuture().get(500, TimeUnit.MILLISECONDS);
      metrics.levels(a);
      return a;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return AggregateLevels.NONE;
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      return AggregateLevels.NONE;
    }
  }

  private void tier(JsonGenerator g, String name, TierSpec t, LevelState level, double seconds) throws IOException {
    ServerMetrics.TierMeters m = metrics.tier(name);
    double admitted = m.allowed().count();
    double denied = m.denied().count();
    double[] before = previous.put(name, new double[] {admitted, denied});
    double a = before == null ? 0 : (admitted - before[0]) / seconds;
    double d = before == null ? 0 : (denied - before[1]) / seconds;
    number(g, "offered", a + d);
    number(g, "admitted", a);
    number(g, "denied", d);
    g.writeNumberField("admittedTotal", (long) admitted);
    g.writeNumberField("deniedTotal", (long) denied);
    number(g, "rate", t.aggregate() == null ? Double.NaN : t.aggregate().rate().perSecond());
    number(g, "clientRate", t.perClient().rate().perSecond());
    number(g, "fill", fill(t.aggregate(), level));
  }

  private void control(JsonGenerator g) throws IOException {
    ControlLoop loop = adaptation.loop();
    ControlStep step = loop == null ? null : loop.lastStep();
    g.writeObjectFieldStart("control");
    JsonBodies.stringField(g, "policy", adaptation.policy());
    number(g, "composed", step == null ? Double.NaN : step.composedRate());
    g.writeObjectFieldStart("proposals");
    if (step != null) {
      for (Map.Entry<String, Double> p : step.proposals().entrySet()) {
        number(g, p.getKey(), p.getValue() == RateController.ABSTAIN ? Double.NaN : p.getValue());
      }
    }
    g.writeEndObject();
    number(g, "capacity", step == null ? Double.NaN : step.signals().deliveryRate());
    number(g, "concurrencyLimit", loop == null ? Double.NaN : loop.concurrencyLimit());
    g.writeEndObject();
  }

  private void anomaly(JsonGenerator g) throws IOException {
    FloodResponse r = adaptation.anomalies().response();
    g.writeObjectFieldStart("anomaly");
    g.writeBooleanField("enabled", r != null);
    number(g, "global", r == null ? Double.NaN : r.globalScore());
    scores(g, "tiers", r == null ? Map.of() : r.tierScores());
    scores(g, "offenders", r == null ? Map.of() : r.offenderScores());
    g.writeArrayFieldStart("events");
    if (r != null) {
      List<FloodEvent> events = r.events();
      long zero = adaptation.anomalies().epochMillisAtZero();
      for (FloodEvent e : events.subList(Math.max(0, events.size() - EVENTS), events.size())) {
        g.writeRawValue(e.toJson(zero));
      }
    }
    g.writeEndArray();
    g.writeEndObject();
  }

  private static void scores(JsonGenerator g, String name, Map<String, Double> scores) throws IOException {
    g.writeObjectFieldStart(name);
    for (Map.Entry<String, Double> e : scores.entrySet()) {
      number(g, e.getKey(), e.getValue());
    }
    g.writeEndObject();
  }

  private static double fill(Limit limit, LevelState level) {
    if (limit == null || level == null || limit.burst() <= 0) {
      return Double.NaN;
    }
    return Math.max(0, Math.min(1, (double) level.tokens() / limit.burst()));
  }

  /** Writes {@code value}, or {@code null} when it is not finite. */
  private static void number(JsonGenerator g, String name, double value) throws IOException {
    if (Double.isFinite(value)) {
      g.writeNumberField(name, value);
    } else {
      g.writeNullField(name);
    }
  }
}
