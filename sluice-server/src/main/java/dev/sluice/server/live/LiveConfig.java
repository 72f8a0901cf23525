package dev.sluice.server.live;

import dev.sluice.config.ConfigException;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.ServerConfig;
import dev.sluice.config.SluiceConfig;
import dev.sluice.config.StoreConfig;
import dev.sluice.config.UpstreamConfig;
import dev.sluice.core.BucketStore;
import dev.sluice.core.Clock;
import dev.sluice.core.LimiterSpec;
import dev.sluice.server.admission.Admission;
import dev.sluice.server.admission.Identity;
import dev.sluice.server.edge.Transport;
import dev.sluice.server.edge.UpstreamPool;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The config the server runs with, swapped atomically on a reload. Reads are lock-free (one
 * volatile read of an immutable {@link Snapshot}); reloads are serialised.
 *
 * <p>A reload parses and validates the whole text first; only a valid config reaches the store
 * ({@link BucketStore#reconfigure}, which carries every bucket's tokens over proportionally) and
 * then replaces the snapshot. The store is reconfigured before the snapshot is swapped, so a
 * request holding the old snapshot may name a tier the store no longer has; {@link Admission}
 * then decides it in the default tier. Changes to the {@code server} section (addresses and ports, but
 * not the admin token) and to the {@code store} section need a restart and are reported as such.
 *
 * <p>Restart-only settings are compared with what the process runs with, its {@link Effective}
 * values (the addresses it was started with, the ports it is bound to, the store it opened), never
 * with the previous config: a port moved away and back again needs no restart. Each snapshot
 * carries its {@code restartRequired} list, computed when it is applied.
 */
public final class LiveConfig {

  private static final Logger log = LoggerFactory.getLogger(LiveConfig.class);

  /**
   * One immutable config and everything derived from it.
   *
   * @param config the validated config
   * @param yaml its source text, served by {@code GET /admin/config}
   * @param source where it came from (file name or {@code PUT /admin/config})
   * @param identity client and tier rules
   * @param upstream the proxied API, or {@code null} in decision-service mode
   * @param adminToken the admin bearer token, or {@code null} when none is configured
   * @param generation 1 for the config started with, then one more per reload
   * @param restartRequired the restart-only settings whose configured value the process does not
   *     use (config paths such as {@code server.port}, or {@code store}); empty for the config
   *     started with
   */
  public record Snapshot(SluiceConfig config, String yaml, String source, Identity identity,
      Upstream upstream, String adminToken, long generation, List<String> restartRequired) {}

  /**
   * The restart-only settings as the running process uses them.
   *
   * @param server the edge and admin addresses the process was started with and the ports it is
   *     bound to (the configured ones until it listens); never a token
   * @param store the store section the bucket store was opened with
   */
  public record Effective(ServerConfig server, StoreConfig store) {}

  /**
   * The proxied API.
   *
   * @param config the configured URL and timeouts
   * @param pool keep-alive connections to the URL's scheme and authority
   * @param basePath the URL's path without a trailing slash, prefixed to every forwarded path
   */
  public record Upstream(UpstreamConfig config, UpstreamPool pool, String basePath) {

    /** Returns the configured base URL. */
    public URI url() {
      return config.url();
    }

    /** Returns how long to wait for a response. */
    public Duration timeout() {
      return config.timeout();
    }
  }

  private final Transport transport;
  private final Clock network;
  private final String envToken;
  private final Consumer<SluiceConfig> onChange;
  private final Adaptation adaptation;
  private final BucketStore store;
  private final StoreConfig storeConfig;
  /** The traces the process was started with (read at start only). */
  private final dev.sluice.config.ObservabilityConfig observability;
  private final ServerConfig startedWith;
  private volatile int edgePort = -1;
  private volatile int adminPort = -1;
  private volatile int grpcPort = -1;
  private volatile Snapshot current;

  /**
   * Starts with {@code config}, parsed from {@code yaml}; {@code onChange} runs after each swap, and
   * {@code adaptation} is stopped before each reload reconfigures {@code store} (the bucket store
   * opened with {@code config.store()}, local or Redis) and rebuilt after.
   */
  public LiveConfig(SluiceConfig config, String yaml, String source, Transport transport, Clock network,
      String envToken, Consumer<SluiceConfig> onChange, Adaptation adaptation, BucketStore store) {
    this.transport = transport;
    this.network = network;
    this.envToken = envToken;
    this.onChange = onChange;
    this.adaptation = adaptation;
    this.store = store;
    this.storeConfig = config.store();
    this.observability = config.observability();
    this.startedWith = config.server();
    this.current = snapshot(config, yaml, source, null, 1, List.of());
    onChange.accept(config);
  }

  /** Records the ports the edge and the admin API are bound to, once both listen. */
  public void listening(int edgePort, int adminPort) {
    this.edgePort = edgePort;
    this.adminPort = adminPort;
  }

  /** Records the port Envoy's rate-limit service (gRPC) is bound to, when the process serves it. */
  public void grpcListening(int grpcPort) {
    this.grpcPort = grpcPort;
  }

  /** Returns the restart-only settings as the process uses them now. */
  public Effective effective() {
    int e = edgePort;
    int a = adminPort;
    int g = grpcPort;
    return new Effective(new ServerConfig(startedWith.bind(), e >= 0 ? e : startedWith.port(),
        startedWith.adminBind(), a >= 0 ? a : startedWith.adminPort(), null, g >= 0 ? g : startedWith.grpcPort()), storeConfig);
  }

  /** Returns the config now running. */
  public Snapshot current() {
    return current;
  }

  /**
   * Validates {@code yaml} fully, then applies it: limits, identity, costs and upstream change at
   * once; nothing changes if it is invalid. Returns the snapshot now running, with the
   * restart-only settings it names that the process does not use (logged at WARN when any).
   *
   * @throws ConfigException listing every problem when the text is not a valid config
   */
  public synchronized Snapshot apply(String yaml, String source) throws ConfigException {
    SluiceConfig next = ConfigLoader.parse(yaml, source);
    LimiterSpec spec;
    try {
      spec = next.limiterSpec();
    } catch (IllegalArgumentException e) {
      throw new ConfigException(List.of(new dev.sluice.config.ConfigProblem(source, 1, "", e.getMessage())));
    }
    // The store keeps the aggregate shards it was opened with until a restart: the limits must fit them.
    List<String> belowShards = storeConfig.aggregateShardProblems(spec);
    if (!belowShards.isEmpty()) {
      throw new ConfigException(belowShards.stream().map(p -> new dev.sluice.config.ConfigProblem(source, 1, "",
          p + "; the Redis store keeps its " + storeConfig.aggregateShards() + " aggregate shards until a restart"))
          .toList());
    }
    Snapshot old = current;
    List<String> restart = restartRequired(next.server(), next.store(), next.observability());
    adaptation.stop();
    store.reconfigure(spec);
    int shards = storeConfig.redis() ? storeConfig.aggregateShards() : 1;
    adaptation.configure(next.adaptive().minBurst() < shards ? next.adaptive().withMinBurst(shards) : next.adaptive());
    Snapshot snap = snapshot(next, yaml, source, old.upstream(), old.generation() + 1, restart);
    current = snap;
    onChange.accept(next);
    log.atInfo().addKeyValue("event", "config-reloaded").addKeyValue("source", source)
        .addKeyValue("generation", snap.generation()).addKeyValue("summary", next.summary())
        .addKeyValue("restartRequired", restart).log("config reloaded");
    if (!restart.isEmpty()) {
      log.atWarn().addKeyValue("event", "restart-required").addKeyValue("source", source)
          .addKeyValue("generation", snap.generation()).addKeyValue("restartRequired", restart)
          .log("settings that take effect only after a restart differ from what runs: " + differences(snap));
    }
    return snap;
  }

  private Snapshot snapshot(SluiceConfig config, String yaml, String source, Upstream previous,
      long generation, List<String> restartRequired) {
    String token = config.server().adminToken() != null ? config.server().adminToken() : envToken;
    return new Snapshot(config, yaml, source, Identity.of(config.identity()),
        upstream(config.upstream(), previous), token == null || token.isEmpty() ? null : token, generation,
        List.copyOf(restartRequired));
  }

  private Upstream upstream(UpstreamConfig u, Upstream previous) {
    if (u.url() == null) {
      return null;
    }
    if (previous != null && previous.config().equals(u)) {
      return previous;
    }
    URI url = u.url();
    UpstreamPool pool = new UpstreamPool(url, transport, u.timeout(), u.idleTimeout(), network);
    if (previous != null) {
      previous.pool().retire();
    }
    String path = url.getRawPath() == null ? "" : url.getRawPath();
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    return new Upstream(u, pool, path);
  }

  /**
   * Returns the restart-only settings of a config that the process does not use: an address that
   * differs from the one it was started with, a port that is neither the one it was started with
   * (so {@code 0} stays satisfied by the port it picked) nor the one it is bound to, a store section
   * other than the one it opened, an {@code observability} section other than the one it started with.
   */
  private List<String> restartRequired(ServerConfig configured, StoreConfig store,
      dev.sluice.config.ObservabilityConfig traces) {
    Effective e = effective();
    List<String> out = new ArrayList<>();
    if (!Objects.equals(configured.bind(), startedWith.bind())) {
      out.add("server.bind");
    }
    if (configured.port() != startedWith.port() && configured.port() != e.server().port()) {
      out.add("server.port");
    }
    if (!Objects.equals(configured.adminBind(), startedWith.adminBind())) {
      out.add("server.admin-bind");
    }
    if (configured.adminPort() != startedWith.adminPort() && configured.adminPort() != e.server().adminPort()) {
      out.add("server.admin-port");
    }
    if (configured.grpcPort() != startedWith.grpcPort() && configured.grpcPort() != e.server().grpcPort()) {
      out.add("server.grpc-port");
    }
    if (!Objects.equals(configured.grpcTls(), startedWith.grpcTls())) {
      out.add("server.grpc-tls");
    }
    if (!store.equals(storeConfig)) {
      out.add("store");
    }
    if (!traces.equals(observability)) {
      out.add("observability");
    }
    return out;
  }

  /** Describes each restart-required setting of {@code s} as {@code path configured X, effective Y}. */
  private String differences(Snapshot s) {
    ServerConfig c = s.config().server();
    ServerConfig e = effective().server();
    List<String> out = new ArrayList<>();
    for (String path : s.restartRequired()) {
      out.add(switch (path) {
        case "server.bind" -> path + " configured " + c.bind() + ", effective " + e.bind();
        case "server.port" -> path + " configured " + c.port() + ", effective " + e.port();
        case "server.admin-bind" -> path + " configured " + c.adminBind() + ", effective " + e.adminBind();
        case "server.admin-port" -> path + " configured " + c.adminPort() + ", effective " + e.adminPort();
        case "server.grpc-port" -> path + " configured " + c.grpcPort() + ", effective " + e.grpcPort();
        default -> path + " configured differently from the one opened at start";
      });
    }
    return String.join("; ", out);
  }
}
