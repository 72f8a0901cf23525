package dev.sluice.cli.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.cli.load.AdminClient;
import dev.sluice.cli.load.ClientIds;
import dev.sluice.cli.load.LoadSource;
import dev.sluice.cli.load.Counts;
import dev.sluice.cli.load.LoadPhase;
import dev.sluice.cli.load.LoadResult;
import dev.sluice.cli.load.LoadRun;
import dev.sluice.cli.load.LoadTarget;
import dev.sluice.cli.load.MetricsSampler;
import dev.sluice.cli.load.ScenarioLoad;
import dev.sluice.config.ConfigException;
import dev.sluice.core.Clock;
import dev.sluice.server.ServerOptions;
import dev.sluice.server.SluiceServer;
import dev.sluice.sim.LiveBackend;
import dev.sluice.sim.Scenario;
import dev.sluice.sim.ScenarioReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * One live demo: the demo upstream, Sluice in front of it (started in-process on loopback ports),
 * a scraper of its admin port, and the load driver playing the story, with a progress bar and one
 * line per phase on the terminal. {@link #close} stops all of it, once, from whichever thread
 * (the command's, or the shutdown hook on Ctrl-C); afterwards no port of the demo is open.
 */
public final class DemoRun implements AutoCloseable {

  /** Seconds of the steady clients' traffic before the story starts. */
  public static final int WARM_UP_SECONDS = Story.WARM_UP_SECONDS;

  private final Story story;
  private final Scenario scenario;
  private final Clock clock;
  private final DemoUpstream upstream;
  private final SluiceServer sluice;
  private final AdminClient admin;
  private final String token;
  private final int edgePort;
  private final int adminPort;
  private final int upstreamPort;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final List<PhaseLine> lines = new ArrayList<>();
  private volatile MetricsSampler sampler;
  private volatile LoadRun load;
  private volatile List<MetricsSampler.Sample> samples = List.of();
  private volatile JsonNode anomalies;

  private DemoRun(Story story, Scenario scenario, Clock clock, DemoUpstream upstream, SluiceServer sluice,
      String token) {
    this.story = story;
    this.scenario = scenario;
    this.clock = clock;
    this.upstream = upstream;
    this.sluice = sluice;
    this.token = token;
    this.edgePort = sluice.edgePort();
    this.adminPort = sluice.adminPort();
    this.upstreamPort = upstream.port();
    this.admin = new AdminClient(URI.create("http://127.0.0.1:" + sluice.adminPort()), token);
  }

  /**
   * Starts the upstream (on a free port) and Sluice (edge on {@code edgePort}, 0 = free; admin on a
   * free port) for {@code story}, whose scenario text {@code scenarioYaml} is read as the simulator
   * reads it.
   *
   * @throws IOException if a port cannot be bound
   * @throws ConfigException if the generated config is invalid (a bug)
   */
  public static DemoRun start(Story story, Scenario scenario, int edgePort, long seed, Clock clock)
      throws IOException, ConfigException {
    String token = HexFormat.of().formatHex(new SecureRandom().generateSeed(12));
    DemoUpstream upstream = new DemoUpstream(new LiveBackend(scenario.backend(), story.seconds(), seed), clock, 0);
    try {
      SluiceServer sluice = SluiceServer.start(ServerOptions.builder()
          .configYaml(story.sluiceYaml(upstream.url(), edgePort, token))
          .adminToken(token)
          .watchInterval(null)
          .throttleLogPerSecond(0)
          .upstreamErrorLogPerSecond(10)
          .shutdown(Duration.ZERO, Duration.ofSeconds(5))
          .build());
      return new DemoRun(story, scenario, clock, upstream, sluice, token);
    } catch (IOException | ConfigException | RuntimeException e) {
      upstream.close();
      throw e;
    }
  }

  /** Reads the story's scenario text as {@code sluice simulate} would. */
  public static Scenario scenario(Story story) {
    return ScenarioReader.parse(story.scenarioYaml(), "demo-story", null, 1, "demo-story.yaml");
  }

  /** Returns the edge port. */
  public int edgePort() {
    return edgePort;
  }

  /** Returns the admin port. */
  public int adminPort() {
    return adminPort;
  }

  /** Returns the upstream's port. */
  public int upstreamPort() {
    return upstreamPort;
  }

  /** Returns the admin token (random per run). */
  public String token() {
    return token;
  }

  /**
   * Plays the story and returns what the driver measured; prints a progress bar to {@code
   * progress} (when not null, redrawn in place) and each phase's line to {@code out} as it ends.
   */
  public LoadResult play(PrintWriter out, PrintWriter progress, boolean color) throws InterruptedException {
    List<LoadPhase> phases = story.phases();
    LoadTarget target = new LoadTarget(URI.create("http://127.0.0.1:" + edgePort), "X-Client-ID",
        Duration.ofSeconds(10), 20_000);
    // A cold JVM's first seconds (class loading, the JIT, the first connections) would land on the
    // story's first phase as seconds of latency, and the capacity controller would cut on them.
    // The steady clients warm up at their steady rates, so they are known to the anomaly detector
    // (not a crowd of newcomers) when the story starts.
    try (LoadRun warm = LoadRun.start(target, List.of(new LoadPhase("warm-up", 0, WARM_UP_SECONDS)), List.of(
        new LoadSource("warm-up premium", 0, WARM_UP_SECONDS, Story.PREMIUM_LOAD * Story.CAPACITY,
            ClientIds.zipf("premium-", Story.PREMIUM, 0.5, 0), "/ratings"),
        new LoadSource("warm-up standard", 0, WARM_UP_SECONDS, Story.STANDARD_LOAD * Story.CAPACITY,
            ClientIds.zipf("standard-", Story.STANDARD, 0.5, 0), "/ratings")), clock)) {
      warm.await();
    }
    sampler = new MetricsSampler(admin, clock, 500);
    upstream.startClock();
    upstream.intervalLatency();
    LoadRun run = LoadRun.start(target, phases, ScenarioLoad.sources(scenario, "/ratings", 1), clock);
    load = run;
    int phase = 0;
    Counts atPhaseStart = Counts.ZERO;
    Histogram upstreamLatency = new Histogram(2);
    while (!closed.get()) {
      double t = run.elapsedSeconds();
      upstreamLatency.add(upstream.intervalLatency());
      int now = Math.min(phases.size() - 1, phaseAt(phases, t));
      boolean over = t >= story.seconds();
      while (phase < now || (over && phase < phases.size())) {
        PhaseLine line = line(phases.get(phase), run.totals().minus(atPhaseStart), upstreamLatency);
        lines.add(line);
        if (progress != null) {
          progress.print("\r\033[K");
        }
        out.println(color ? "\033[1m" + line.text().substring(0, 16) + "\033[0m" + line.text().substring(16)
            : line.text());
        out.flush();
        atPhaseStart = run.totals();
        upstreamLatency.reset();
        phase++;
      }
      if (over) {
        break;
      }
      if (progress != null) {
        progress.print("\r" + bar(t, phases.get(phase).name(), run.totals().minus(atPhaseStart)));
        progress.flush();
      }
      LockSupport.parkNanos(250_000_000L);
    }
    if (progress != null) {
      progress.print("\r\033[K");
      progress.flush();
    }
    LoadResult result = run.await();
    try {
      anomalies = admin.anomalies();
    } catch (IOException e) {
      anomalies = null;
    }
    sampler.close();
    samples = sampler.samples();
    return result;
  }

  private static int phaseAt(List<LoadPhase> phases, double t) {
    for (int i = 0; i < phases.size(); i++) {
      if (t < phases.get(i).endSeconds()) {
        return i;
      }
    }
    return phases.size() - 1;
  }

  private PhaseLine line(LoadPhase p, Counts c, Histogram upstreamLatency) {
    MetricsSampler.Sample s = sampler.latest();
    String events = "-";
    try {
      JsonNode a = admin.anomalies();
      JsonNode ev = a.get("events");
      if (ev != null && !ev.isEmpty()) {
        JsonNode last = ev.get(ev.size() - 1);
        events = ev.size() + " (" + last.path("kind").asText() + " " + last.path("scope").asText() + ")";
      } else {
        events = "0";
      }
    } catch (IOException e) {
      events = "?";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    double p95 = upstreamLatency.getTotalCount() == 0 ? Double.NaN : upstreamLatency.getValueAtPercentile(95) / 1000.0;
    return new PhaseLine(p.name(), c.sent() / p.seconds(), c.ok() / p.seconds(), c.limited(),
        c.serverErrors() + c.errors(), p95, s == null ? Double.NaN : s.refillRate(),
        s == null ? Double.NaN : s.concurrencyLimit(), events);
  }

  private String bar(double t, String phase, Counts c) {
    int width = 30;
    double f = Math.min(1, t / story.seconds());
    int done = (int) Math.round(f * width);
    return String.format(Locale.ROOT, "[%s%s] %3.0f%% %4.0f/%d s  %-16s 2xx %6d  429 %6d", "#".repeat(done),
        ".".repeat(width - done), 100 * f, t, story.seconds(), phase, c.ok(), c.limited());
  }

  /** Returns the phase lines printed so far. */
  public List<PhaseLine> lines() {
    return List.copyOf(lines);
  }

  /** Returns Sluice's admin scrapes over the run. */
  public List<MetricsSampler.Sample> samples() {
    return samples;
  }

  /** Returns {@code GET /admin/anomalies} at the end of the run, or null if it could not be read. */
  public JsonNode anomalies() {
    return anomalies;
  }

  /** Stops the load, the scraper, Sluice and the upstream; once, whichever thread calls first. */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    LoadRun l = load;
    if (l != null) {
      l.close();
    }
    MetricsSampler s = sampler;
    if (s != null) {
      s.close();
    }
    admin.close();
    sluice.close();
    upstream.close();
  }
}
