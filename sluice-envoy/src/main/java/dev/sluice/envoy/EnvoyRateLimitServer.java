package dev.sluice.envoy;

import com.linecorp.armeria.common.TlsKeyPair;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import com.linecorp.armeria.server.grpc.GrpcService;
import dev.sluice.config.ConfigException;
import dev.sluice.config.GrpcTlsConfig;
import dev.sluice.core.BucketStore;
import dev.sluice.core.Clock;
import dev.sluice.core.LimiterSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Envoy rate-limit service on its own port (thread-safe; {@link #reload} is serialised): Armeria gRPC over HTTP/2 (cleartext, or TLS), serving
 * {@link RateLimitGrpcService} over the limits of a directory of envoyproxy/ratelimit files,
 * re-read when a file there changes (polled; a directory that no longer reads keeps the running
 * limits and logs every problem).
 */
public final class EnvoyRateLimitServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(EnvoyRateLimitServer.class);

  private final Path dir;
  private final BucketStore store;
  private final RunningLimits running;
  private final RateLimitGrpcService service;
  private final Server server;
  private final ScheduledExecutorService watcher;
  private final AtomicLong reloads = new AtomicLong();
  private final AtomicLong polls = new AtomicLong();
  private volatile String fingerprint;
  private volatile Supplier<EdgeScale> edge = () -> EdgeScale.NONE;

  private EnvoyRateLimitServer(Path dir, EnvoyLimits initial, String fingerprint, String bind, int port,
      Duration poll, Function<LimiterSpec, BucketStore> stores, GrpcTlsConfig tls) {
    this.dir = dir;
    this.fingerprint = fingerprint;
    this.store = stores.apply(initial.spec());
    this.running = new RunningLimits(initial, store);
    try {
      this.service = new RateLimitGrpcService(running, store, stores);
    } catch (RuntimeException e) {
      store.close();
      throw e;
    }
    ServerBuilder builder = Server.builder();
    if (tls == null) {
      builder.http(new InetSocketAddress(bind, port));
    } else {
      try {
        builder.https(new InetSocketAddress(bind, port)).tls(TlsKeyPair.of(tls.key().toFile(), tls.cert().toFile()));
      } catch (RuntimeException e) {
        store.close();
        throw new IllegalArgumentException("server.grpc-tls: " + tls.cert() + ", " + tls.key()
            + ": cannot load the certificate and key: " + e.getMessage(), e);
      }
    }
    this.server = builder
        .service(GrpcService.builder().addService(service).build())
        // Calls are short: on close, no quiet period, and at most a second for those under way.
        .gracefulShutdownTimeoutMillis(0, 1000)
        .build();
    this.watcher = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "sluice-envoy-config-watch");
      t.setDaemon(true);
      return t;
    });
    long pollMillis = Math.max(1, poll.toMillis());
    watcher.scheduleWithFixedDelay(this::checkForChanges, pollMillis, pollMillis, TimeUnit.MILLISECONDS);
  }

  /** Starts as {@link #start(Path, String, int, Clock, Duration)} on loopback. */
  public static EnvoyRateLimitServer start(Path dir, int port, Clock clock, Duration poll) throws ConfigException {
    return start(dir, "127.0.0.1", port, clock, poll);
  }

  /**
   * Reads {@code dir} and serves its limits on {@code bind}:{@code port} (0: any free port), buckets
   * on {@code clock}, looking for changed files every {@code poll}.
   *
   * @throws ConfigException if the directory's files do not read, with every problem and its line
   * @throws java.util.concurrent.CompletionException if the port cannot be bound
   */
  public static EnvoyRateLimitServer start(Path dir, String bind, int port, Clock clock, Duration poll)
      throws ConfigException {
    if (clock == null) {
      throw new IllegalArgumentException("clock: null");
    }
    return start(dir, bind, port, poll, spec -> BucketStore.local(spec, clock));
  }

  /**
   * Starts as {@link #start(Path, String, int, Clock, Duration)}, with the buckets (and their
   * clock) in stores that {@code stores} opens for a spec, in this order: the rules' store, then
   * one store for every descriptor-level limit override (a tier per distinct shape, at most 64
   * shapes). The server's own store kind goes here (local, or the server's
   * Redis, so that several Sluice nodes share one Envoy limit); the stores are closed with this
   * server.
   */
  public static EnvoyRateLimitServer start(Path dir, String bind, int port, Duration poll,
      Function<LimiterSpec, BucketStore> stores) throws ConfigException {
    return start(dir, bind, port, poll, stores, null);
  }

  /**
   * Starts as {@link #start(Path, String, int, Duration, Function)}, over TLS when {@code tls} is
   * not {@code null} (HTTP/2 over TLS with its PEM certificate chain and key; Envoy's cluster then
   * needs a {@code transport_socket} with TLS).
   *
   * @throws IllegalArgumentException if the certificate or key does not load
   */
  public static EnvoyRateLimitServer start(Path dir, String bind, int port, Duration poll,
      Function<LimiterSpec, BucketStore> stores, GrpcTlsConfig tls) throws ConfigException {
    if (stores == null) {
      throw new IllegalArgumentException("stores: null");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("grpc port: " + port + " (expected: 0..65535)");
    }
    String fingerprint = Files.isDirectory(dir) ? fingerprint(dir) : "";
    EnvoyLimits limits = EnvoyConfigReader.readDirectory(dir);
    EnvoyRateLimitServer s = new EnvoyRateLimitServer(dir, limits, fingerprint, bind, port, poll, stores, tls);
    try {
      s.server.start().join();
    } catch (RuntimeException e) {
      s.close();
      throw e;
    }
    return s;
  }

  /** Returns the port the gRPC service listens on. */
  public int port() {
    return server.activeLocalPort();
  }

  /** Returns the service, for its counters. */
  public RateLimitGrpcService service() {
    return service;
  }

  /** Returns the limits now in force. */
  public EnvoyLimits limits() {
    return running.get();
  }

  /** Returns how many times the limits were replaced since the start. */
  public long reloads() {
    return reloads.get();
  }

  /** Returns how many times the watcher has looked at the directory (changed or not). */
  public long polls() {
    return polls.get();
  }

  /** Re-reads the directory now and switches to it; on problems keeps the running limits and throws. */
  public synchronized void reload() throws ConfigException {
    String seen = fingerprint(dir);
    EnvoyLimits next = EnvoyConfigReader.readDirectory(dir);
    running.swap(next);
    fingerprint = seen;
    reloads.incrementAndGet();
  }

  /**
   * Lets the {@code adaptive} rules follow {@code edge}: read now, then at every poll of the files
   * (so a move of the control loop reaches them within one poll interval).
   */
  public void followEdge(Supplier<EdgeScale> edge) {
    if (edge == null) {
      throw new IllegalArgumentException("edge: null");
    }
    this.edge = edge;
    adaptNow();
  }

  /** Applies the edge's scale to the {@code adaptive} rules now; returns whether their rates moved. */
  public boolean adaptNow() {
    return running.scale(edge.get());
  }

  /** Returns the factor the {@code adaptive} rules' rates are scaled by now (1: as configured). */
  public double adaptiveFactor() {
    return running.factor();
  }

  private void checkForChanges() {
    try {
      adaptNow();
    } catch (RuntimeException e) {
      LOG.warn("envoy adaptive limits not moved", e);
    }
    try {
      if (!fingerprint(dir).equals(fingerprint)) {
        reload();
        LOG.info("envoy limits reloaded from {}: domains {}", dir, running.get().domains());
      }
    } catch (ConfigException e) {
      fingerprint = fingerprint(dir);
      LOG.warn("envoy limits in {} not reloaded, the running ones stay: {}", dir, e.problems());
    } catch (RuntimeException e) {
      LOG.warn("envoy limits in {} not reloaded, the running ones stay", dir, e);
    } finally {
      polls.incrementAndGet();
    }
  }

  /** The names and a digest of the contents of the directory's files: what a change changes. */
  static String fingerprint(Path dir) {
    List<String> parts = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (Path p : files.filter(Files::isRegularFile).sorted().toList()) {
        parts.add(p.getFileName() + ":" + HexFormat.of().formatHex(sha.digest(Files.readAllBytes(p))));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("listing " + dir, e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
    return String.join("/", parts);
  }

  @Override
  public void close() {
    watcher.shutdownNow();
    server.stop().join();
    service.close();
    store.close();
  }
}
