package dev.sluice.cli;

import dev.sluice.cli.load.AdminClient;
import dev.sluice.cli.load.ClientIds;
import dev.sluice.cli.load.LoadCharts;
import dev.sluice.cli.load.LoadPhase;
import dev.sluice.cli.load.LoadReport;
import dev.sluice.cli.load.LoadResult;
import dev.sluice.cli.load.LoadRun;
import dev.sluice.cli.load.LoadSource;
import dev.sluice.cli.load.LoadTarget;
import dev.sluice.cli.load.MetricsSampler;
import dev.sluice.cli.load.ScenarioLoad;
import dev.sluice.cli.load.Stages;
import dev.sluice.core.Clock;
import dev.sluice.sim.Scenario;
import dev.sluice.sim.ScenarioReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sluice bench --target URL --stages 30s:1000,10s:10000,30s:1000}: staged open-model HTTP
 * load (constant arrival rate per stage, latency from the intended send time), a table per stage,
 * {@code bench.json} and {@code bench.png} in the output directory; with {@code --admin}, Sluice's
 * refill rate and concurrency level sampled from {@code /metrics}.
 */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description = {
      "Sends staged open-model HTTP load (constant arrival rate per stage, as k6's stages) to a target and"
          + " reports per stage: achieved requests/s, latency p50/p95/p99/p99.9 from each request's intended"
          + " send time, 2xx/429/5xx counts, whether the driver fell behind, and with --admin Sluice's refill"
          + " rate and concurrency level. Writes bench.json and bench.png into --out. See docs/demo.md."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:the run finished", "1:an unexpected error", "2:a bad option or scenario"})
final class BenchCommand implements Callable<Integer> {

  @Spec
  private CommandSpec spec;

  @Option(names = "--target", required = true, paramLabel = "URL",
      description = "The URL to load, e.g. http://127.0.0.1:8080/ (a non-loopback host is allowed, with a warning).")
  private String target;

  @Option(names = "--stages", paramLabel = "STAGES", defaultValue = "30s:1000,10s:10000,30s:1000",
      description = "DURATION:RATE,... constant-rate stages (default: ${DEFAULT-VALUE}, the seed's staged test).")
  private String stages;

  @Option(names = "--scenario", paramLabel = "FILE",
      description = "Take the load from a scenario YAML's open-loop sources instead of --stages"
          + " (its per-second rates, client counts and Zipf exponents; not its costs or retries).")
  private Path scenario;

  @Option(names = "--clients", paramLabel = "N", defaultValue = "1000",
      description = "Distinct client ids (default: ${DEFAULT-VALUE}).")
  private int clients;

  @Option(names = "--zipf", paramLabel = "S", defaultValue = "1.0",
      description = "Zipf exponent of the requests over the client ids, 0 = uniform (default: ${DEFAULT-VALUE}).")
  private double zipf;

  @Option(names = "--header", paramLabel = "NAME", defaultValue = "X-Client-ID",
      description = "Header carrying the client id (default: ${DEFAULT-VALUE}).")
  private String header;

  @Option(names = "--admin", paramLabel = "URL",
      description = "Sluice's admin URL (e.g. http://127.0.0.1:9090) to sample its refill rate and concurrency level.")
  private String admin;

  @Option(names = "--admin-token", paramLabel = "TOKEN",
      description = "Admin token for --admin (default: the SLUICE_ADMIN_TOKEN environment variable).")
  private String adminToken;

  @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10s",
      description = "A request unanswered after this long is an error (default: ${DEFAULT-VALUE}).")
  private String timeout;

  @Option(names = "--max-in-flight", paramLabel = "N", defaultValue = "20000",
      description = "Outstanding requests beyond which new ones are dropped and counted (default: ${DEFAULT-VALUE}).")
  private int maxInFlight;

  @Option(names = "--warmup", paramLabel = "DURATION", defaultValue = "0s",
      description = "Before the stages, ramp from a tenth of the first stage's rate up to it over this long, not"
          + " reported (cold JVMs on both ends otherwise put seconds of JIT time into the first stage;"
          + " default: ${DEFAULT-VALUE}).")
  private String warmup;

  @Option(names = "--seed", paramLabel = "N", defaultValue = "1", description = "Seed of the client draws (default: 1).")
  private long seed;

  @Option(names = "--out", paramLabel = "DIR", defaultValue = "bench-report",
      description = "Output directory for bench.json and bench.png (default: ${DEFAULT-VALUE}).")
  private Path out;

  @Override
  public Integer call() {
    if (System.getProperty("logback.configurationFile") == null) {
      System.setProperty("logback.configurationFile", SimulateCommand.LOGGING);
    }
    return UsageError.exitCode(spec, "bench", this::run);
  }

  private int run(PrintWriter stdout) {
    PrintWriter err = spec.commandLine().getErr();
    LoadTarget t;
    List<LoadPhase> phases;
    List<LoadSource> sources;
    Duration warm;
    AdminClient adminClient = null;
    try {
      t = new LoadTarget(uri("--target", target), header, ServeCommand.duration("--timeout", timeout), maxInFlight);
      warm = ServeCommand.duration("--warmup", warmup);
      if (scenario != null) {
        UsageError.requireFile("--scenario", scenario);
        Scenario sc = ScenarioReader.read(scenario);
        sources = ScenarioLoad.sources(sc, "/", seed);
        phases = ScenarioLoad.phases(sc);
      } else {
        List<Stages.Stage> parsed = Stages.parse(stages);
        ClientIds ids = ClientIds.zipf("client-", clients, zipf, seed);
        sources = Stages.sources(parsed, ids, "/");
        phases = Stages.phases(parsed);
      }
      if (admin != null) {
        adminClient = new AdminClient(uri("--admin", admin),
            adminToken != null ? adminToken : System.getenv("SLUICE_ADMIN_TOKEN"));
      }
    } catch (IllegalArgumentException e) {
      throw new UsageError(e.getMessage());
    } catch (IOException e) {
      throw new UsageError("--scenario " + scenario + ": cannot read: " + e.getMessage());
    }
    String unwritable = SimulateCommand.unwritable(out);
    if (unwritable != null) {
      throw new UsageError("--out " + out + ": cannot write there: " + unwritable);
    }
    if (!t.loopback()) {
      err.println("bench: warning: " + t.url().getHost() + " is not a loopback address: this sends real load to it");
      err.flush();
    }
    double total = phases.stream().mapToDouble(LoadPhase::endSeconds).max().orElse(0);
    err.printf("bench: %s, %d stage(s), %.0f s%n", t.url(), phases.size(), total);
    err.flush();
    Clock clock = Clock.system();
    if (!warm.isZero()) {
      warmUp(t, sources.get(0), warm, clock, err);
    }
    LoadResult result;
    List<MetricsSampler.Sample> samples = List.of();
    MetricsSampler sampler = adminClient == null ? null : new MetricsSampler(adminClient, clock, 1000);
    try (LoadRun run = LoadRun.start(t, phases, sources, clock)) {
      result = run.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return CommandLine.ExitCode.SOFTWARE;
    } finally {
      if (sampler != null) {
        sampler.close();
        samples = sampler.samples();
        if (sampler.failures() > 0) {
          err.println("bench: " + sampler.failures() + " scrape(s) of " + admin + "/metrics failed: "
              + sampler.lastError());
        }
      }
      if (adminClient != null) {
        adminClient.close();
      }
    }
    stdout.print(LoadReport.table(result, samples));
    try {
      Files.writeString(out.resolve("bench.json"), LoadReport.json(result, samples));
      Files.write(out.resolve("bench.png"), LoadCharts.png("sluice bench " + t.url(), result, samples));
    } catch (IOException e) {
      throw new UsageError("--out " + out + ": cannot write: " + e.getMessage());
    }
    stdout.println("wrote " + out.resolve("bench.json") + " and " + out.resolve("bench.png"));
    stdout.flush();
    return CommandLine.ExitCode.OK;
  }

  /**
   * Ramps from a tenth of {@code first}'s rate to its rate in ten equal steps over {@code warm}, with
   * its clients, and prints one line of what came back.
   */
  private static void warmUp(LoadTarget t, LoadSource first, Duration warm, Clock clock, PrintWriter err) {
    double step = warm.toNanos() / 1e9 / 10;
    List<LoadSource> ramp = new java.util.ArrayList<>();
    for (int i = 0; i < 10; i++) {
      ramp.add(new LoadSource("warm-up", i * step, (i + 1) * step, first.rate() * (i + 1) / 10, first.clients(),
          first.path()));
    }
    try (LoadRun run = LoadRun.start(t, List.of(new LoadPhase("warm-up", 0, 10 * step)), ramp, clock)) {
      LoadResult r = run.await();
      err.printf("bench: warm-up %s: %d sent, %d 2xx, %d 429, %d 5xx, %d errors (not reported)%n", warm,
          r.total().sent(), r.total().ok(), r.total().limited(), r.total().serverErrors(), r.total().errors());
      err.flush();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static URI uri(String option, String text) {
    try {
      URI u = new URI(text);
      if (!"http".equals(u.getScheme()) || u.getHost() == null) {
        throw new IllegalArgumentException(option + ": " + text + " (expected: an http://host:port URL)");
      }
      return u;
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException(option + ": " + text + " (expected: an http://host:port URL)", e);
    }
  }
}
