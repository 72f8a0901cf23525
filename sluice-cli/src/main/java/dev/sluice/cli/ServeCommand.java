package dev.sluice.cli;

import dev.sluice.config.ConfigException;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.ConfigProblem;
import dev.sluice.config.SluiceConfig;
import dev.sluice.core.Durations;
import dev.sluice.envoy.EnvoyRateLimitServer;
import dev.sluice.server.JsonLogging;
import dev.sluice.server.RequestLogOptions;
import dev.sluice.server.ServerOptions;
import dev.sluice.server.SluiceServer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code sluice serve --config FILE}: runs the edge server (reverse proxy when {@code upstream.url}
 * is set, decision API always) and the admin API until SIGINT or SIGTERM, then stops gracefully.
 * Logs are JSON lines on stdout; the one human line (where it listens) goes to stderr.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Runs the Sluice edge: proxy, decision API (POST /v1/decisions, /v1/feedback) and admin API.",
      "Stops gracefully on Ctrl-C or SIGTERM. Logs are JSON lines on stdout; see docs/server.md."
    },
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {"0:stopped cleanly", "1:a port could not be bound", "2:the config has problems or cannot be read"})
final class ServeCommand implements Callable<Integer> {

  private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*([kmg]i?b?|b)?");

  @Spec
  private CommandSpec spec;

  @Option(names = "--config", required = true, paramLabel = "FILE",
      description = "The YAML config file (watched and reloaded when it changes).")
  private Path config;

  @Option(names = "--request-log", paramLabel = "FILE",
      description = "Write the JSON Lines request log (docs/request-log.md) to FILE.")
  private Path requestLog;

  @Option(names = "--request-log-sample", paramLabel = "RATE", defaultValue = "1.0",
      description = "Fraction of requests logged, 0..1 (default: ${DEFAULT-VALUE}).")
  private double sample;

  @Option(names = "--request-log-max-size", paramLabel = "SIZE", defaultValue = "100m",
      description = "Rotate the request log at this size, e.g. 100m (default: ${DEFAULT-VALUE}).")
  private String maxSize;

  @Option(names = "--request-log-files", paramLabel = "N", defaultValue = "5",
      description = "Rotated request logs kept (default: ${DEFAULT-VALUE}).")
  private int files;

  @Option(names = "--request-log-buffer", paramLabel = "N", defaultValue = "65536",
      description = "Records that may wait for the writer before new ones are dropped (default: ${DEFAULT-VALUE}).")
  private int buffer;

  @Option(names = "--max-body", paramLabel = "SIZE", defaultValue = "10m",
      description = "Largest proxied request body; larger ones get 413 (default: ${DEFAULT-VALUE}; 0 = no limit).")
  private String maxBody;

  @Option(names = "--max-decision-body", paramLabel = "SIZE", defaultValue = "64k",
      description = "Largest /v1/decisions or /v1/feedback body (default: ${DEFAULT-VALUE}).")
  private String maxDecisionBody;

  @Option(names = "--watch-interval", paramLabel = "DURATION", defaultValue = "2s",
      description = "How often the config file is checked for changes; 0 turns watching off (default: ${DEFAULT-VALUE}).")
  private String watchInterval;

  @Option(names = "--idle-timeout", paramLabel = "DURATION", defaultValue = "60s",
      description = "Close an edge connection that reads and writes nothing for this long (default: ${DEFAULT-VALUE}).")
  private String idleTimeout;

  @Option(names = "--throttle-log-limit", paramLabel = "N", defaultValue = "1000",
      description = "Most throttle events logged per second; the rest are counted (default: ${DEFAULT-VALUE}).")
  private long throttleLogLimit;

  @Option(names = "--upstream-error-log-limit", paramLabel = "N", defaultValue = "100",
      description = "Most upstream failures (502, 504) logged at WARN per second; the rest are counted"
          + " (default: ${DEFAULT-VALUE}).")
  private long upstreamErrorLogLimit;

  @Option(names = "--envoy-config", paramLabel = "DIR",
      description = "Also serve Envoy's rate-limit service (gRPC) with the envoyproxy/ratelimit files of DIR,"
          + " re-read when they change (every --watch-interval).")
  private Path envoyConfig;

  @Option(names = "--grpc-port", paramLabel = "PORT",
      description = "Port of Envoy's rate-limit service, HTTP/2 (TLS with server.grpc-tls), on server.bind; overrides"
          + " server.grpc-port (default: server.grpc-port, else " + DEFAULT_GRPC_PORT + ").")
  private Integer grpcPort;

  /** The gRPC port when {@code --envoy-config} is given and neither the flag nor the config sets one. */
  static final int DEFAULT_GRPC_PORT = 8081;

  @Override
  public Integer call() {
    JsonLogging.install();
    // Netty samples buffers for leak tracking by default, a cost on every proxied request that a
    // production edge does not need (the test suites keep it on). -Dio.netty.leakDetection.level wins.
    if (System.getProperty("io.netty.leakDetection.level") == null) {
      io.netty.util.ResourceLeakDetector.setLevel(io.netty.util.ResourceLeakDetector.Level.DISABLED);
    }
    PrintWriter err = spec.commandLine().getErr();
    if (grpcPort != null && (grpcPort < 0 || grpcPort > 65_535)) {
      throw new CommandLine.ParameterException(spec.commandLine(),
          "--grpc-port: " + grpcPort + " (expected: 0..65535)");
    }
    ServerOptions options;
    try {
      SluiceConfig checked = ConfigLoader.load(config);
      options = options(checked);
    } catch (ConfigException e) {
      for (ConfigProblem p : e.problems()) {
        err.println(p);
      }
      return CheckConfigCommand.INVALID;
    } catch (IOException e) {
      err.println(config + ": cannot read: " + (Files.isDirectory(config) ? "is a directory" : e.getMessage()));
      return CheckConfigCommand.INVALID;
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
    }
    SluiceServer server;
    try {
      server = SluiceServer.start(options);
    } catch (ConfigException e) {
      e.problems().forEach(err::println);
      return CheckConfigCommand.INVALID;
    } catch (IOException e) {
      err.println(config + ": cannot read: " + e.getMessage());
      return CheckConfigCommand.INVALID;
    } catch (CompletionException e) {
      err.println("sluice: cannot start: " + (e.getCause() == null ? e : e.getCause()).getMessage());
      return CommandLine.ExitCode.SOFTWARE;
    }
    SluiceConfig c = server.config();
    EnvoyRateLimitServer envoy = null;
    if (envoyConfig != null) {
      try {
        Duration poll = options.watchInterval() == null || options.watchInterval().isZero()
            ? Duration.ofSeconds(2) : options.watchInterval();
        int port = grpcPort != null ? grpcPort
            : c.server().grpcPort() != 0 ? c.server().grpcPort() : DEFAULT_GRPC_PORT;
        envoy = EnvoyServe.start(server, envoyConfig, port, poll);
      } catch (ConfigException e) {
        server.close();
        e.problems().forEach(err::println);
        return CheckConfigCommand.INVALID;
      } catch (RuntimeException e) {
        server.close();
        err.println("sluice: cannot start the envoy rate-limit service: " + e.getMessage());
        return CommandLine.ExitCode.SOFTWARE;
      }
    }
    if (envoyConfig == null && (grpcPort != null || c.server().grpcPort() != 0)) {
      err.println("sluice: " + (grpcPort != null ? "--grpc-port" : "server.grpc-port")
          + " is set but --envoy-config is not: no envoy rate-limit service");
    }
    err.println("sluice: edge on http://" + c.server().bind() + ":" + server.edgePort()
        + (c.upstream().url() == null ? " (decision service)" : " -> " + c.upstream().url())
        + ", admin on http://" + c.server().adminBind() + ":" + server.adminPort()
        + (envoy == null ? "" : ", envoy rate-limit service (gRPC" + (c.server().grpcTls() != null ? ", TLS" : "")
            + ") on " + c.server().bind() + ":" + envoy.port()
            + " " + envoy.limits().domains())
        + "; Ctrl-C stops");
    err.flush();
    EnvoyRateLimitServer grpc = envoy;
    return awaitShutdown(() -> {
      if (grpc != null) {
        grpc.close();
      }
      server.close();
    });
  }

  private ServerOptions options(SluiceConfig checked) {
    ServerOptions.Builder b = ServerOptions.builder()
        .configFile(config)
        .maxProxyBodyBytes(size("--max-body", maxBody))
        .maxDecisionBodyBytes(size("--max-decision-body", maxDecisionBody))
        .watchInterval(duration("--watch-interval", watchInterval))
        .idleTimeout(duration("--idle-timeout", idleTimeout))
        .throttleLogPerSecond(throttleLogLimit)
        .upstreamErrorLogPerSecond(upstreamErrorLogLimit)
        .shutdown(Duration.ofSeconds(1), checked.upstream().timeout().plusSeconds(1));
    if (requestLog != null) {
      b.requestLog(new RequestLogOptions(requestLog, sample, size("--request-log-max-size", maxSize), files, buffer));
    }
    return b.build();
  }

  /** Serves until the JVM shuts down (SIGINT, SIGTERM) or this thread is interrupted. */
  private static int awaitShutdown(Runnable server) {
    CountDownLatch stopped = new CountDownLatch(1);
    Thread hook = new Thread(() -> {
      server.run();
      JsonLogging.flush();
      stopped.countDown();
    }, "sluice-shutdown");
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      stopped.await();
    } catch (InterruptedException e) {
      Runtime.getRuntime().removeShutdownHook(hook);
      server.run();
      Thread.currentThread().interrupt();
    }
    return CommandLine.ExitCode.OK;
  }

  /** Parses {@code 512}, {@code 64k}, {@code 10m}, {@code 1g} (binary units) into bytes. */
  static long size(String option, String text) {
    Matcher m = SIZE.matcher(text.strip().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new IllegalArgumentException(option + ": " + text + " (expected: bytes, or a number with k, m or g)");
    }
    long n = Long.parseLong(m.group(1));
    String unit = m.group(2) == null ? "b" : m.group(2).substring(0, 1);
    int shift = switch (unit) {
      case "k" -> 10;
      case "m" -> 20;
      case "g" -> 30;
      default -> 0;
    };
    if (n > (Long.MAX_VALUE >> shift)) {
      throw new IllegalArgumentException(option + ": " + text + " (expected: a smaller size)");
    }
    return n << shift;
  }

  /**
   * Parses a duration as {@link Durations#parse} reads it ({@code 250ms}, {@code 2s}, {@code 1m},
   * {@code 1h}, ...); a bare whole number counts seconds, so {@code 0} turns a timer off.
   */
  static Duration duration(String option, String text) {
    String s = text.strip();
    try {
      Duration d = !s.isEmpty() && s.chars().allMatch(c -> c >= '0' && c <= '9')
          ? Duration.ofSeconds(Long.parseLong(s)) : Durations.parse(s);
      if (d.isNegative()) {
        throw new IllegalArgumentException("negative");
      }
      return d;
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw new IllegalArgumentException(option + ": " + text + " (expected: e.g. 250ms, 2s, 1m or 0)", e);
    }
  }
}
