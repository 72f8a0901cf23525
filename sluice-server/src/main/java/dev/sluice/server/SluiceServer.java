package dev.sluice.server;

import com.linecorp.armeria.common.HttpMethod;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.ServerBuilder;
import dev.sluice.config.ConfigException;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.ServerConfig;
import dev.sluice.config.SluiceConfig;
import dev.sluice.core.BucketStore;
import dev.sluice.core.Clock;
import dev.sluice.requestlog.DecisionIds;
import dev.sluice.requestlog.RequestLogRecord;
import dev.sluice.server.admin.AdminAuth;
import dev.sluice.server.admin.AdminErrors;
import dev.sluice.server.admin.AdminService;
import dev.sluice.server.admin.ModelsService;
import dev.sluice.server.admin.AnomalyService;
import dev.sluice.server.admin.DashboardService;
import dev.sluice.server.admission.Admission;
import dev.sluice.server.admission.PermitExpiry;
import dev.sluice.server.admission.Stores;
import dev.sluice.server.edge.Edge;
import dev.sluice.server.edge.EdgeServer;
import dev.sluice.server.edge.Transport;
import dev.sluice.server.live.Adaptation;
import dev.sluice.server.live.ConfigWatcher;
import dev.sluice.server.live.LiveConfig;
import dev.sluice.server.observe.LogBudget;
import dev.sluice.server.observe.RequestLogWriter;
import dev.sluice.server.observe.ServerMetrics;
import dev.sluice.server.observe.ThrottleLog;
import dev.sluice.server.observe.Tracing;
import dev.sluice.server.observe.WallClock;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Sluice edge: the edge port (reverse proxy, {@code POST /v1/decisions}, {@code POST
 * /v1/feedback}) and the admin port ({@code /healthz}, {@code /readyz}, {@code /metrics}, {@code
 * /admin/config}, {@code /admin/buckets/{key}}, {@code /dashboard} and its {@code /admin/stream}), both on
 * Armeria. Thread-safe; start with {@link
 * #start}, stop with {@link #close}. The HTTP contract is documented in {@code docs/server.md}.
 */
public final class SluiceServer implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SluiceServer.class);

  private final BucketStore store;
  private final PermitExpiry permitExpiry;
  private final LiveConfig config;
  private final ServerMetrics metrics;
  private final Adaptation adaptation;
  private final RequestLogWriter requestLog;
  private final DecisionIds decisionIds;
  private final Transport transport;
  private final EdgeServer edge;
  private final Server admin;
  private final DashboardService dashboard;
  private final Tracing tracing;
  private final ConfigWatcher watcher;
  private final ServerOptions options;
  private final InetSocketAddress edgeAddress;
  private volatile boolean ready;

  private SluiceServer(ServerOptions o, Tracing tracing) throws IOException, ConfigException {
    String source = o.configFile() != null ? o.configFile().toString() : "config";
    String yaml = o.configFile() != null ? java.nio.file.Files.readString(o.configFile()) : o.configYaml();
    SluiceConfig initial = ConfigLoader.parse(yaml, source);
    this.metrics = new ServerMetrics(initial.upstream().timeout());
    this.store = Stores.open(initial.store(), initial.limiterSpec(), o.clock(), metrics.registry());
    metrics.track(store);
    this.permitExpiry = new PermitExpiry(store);
    this.adaptation = new Adaptation(store, o.clock(), metrics.registry());
    this.transport = Transport.create();
    Clock network = Clock.system();
    this.config = new LiveConfig(initial, yaml, source, transport, network, o.adminToken(),
        c -> metrics.tiersChanged(c.tiers().keySet()), adaptation, store);
    this.requestLog = o.requestLog() == null ? null
        : new RequestLogWriter(o.requestLog(), metrics.requestLogWritten, metrics.requestLogDropped);
    ThrottleLog throttleLog = new ThrottleLog(o.clock(), o.throttleLogPerSecond(), metrics.throttleLogSuppressed);
    LogBudget upstreamErrorLog = new LogBudget("upstream error log limit", o.clock(),
        o.upstreamErrorLogPerSecond(), metrics.upstreamErrorLogSuppressed);
    Admission admission = new Admission(store, metrics, adaptation, throttleLog);
    this.tracing = tracing != null ? tracing : Tracing.of(initial.observability());
    this.decisionIds = DecisionIds.random();
    Edge shared = new Edge(admission, config, metrics, upstreamErrorLog, requestLog, WallClock.system(), adaptation,
        decisionIds, this.tracing);
    ServerConfig sc = initial.server();
    this.options = o;
    this.edgeAddress = new InetSocketAddress(sc.bind(), sc.port());
    this.edge = new EdgeServer(shared, new EdgeServer.Options((int) Math.min(Integer.MAX_VALUE, o.maxDecisionBodyBytes()),
        o.maxProxyBodyBytes(), o.idleTimeout()),
        transport, network);
    this.dashboard = new DashboardService(metrics, store, adaptation, network, WallClock.system(), 1_000);
    this.admin = adminServer(o, sc);
    io.micrometer.core.instrument.Gauge.builder("sluice_edge_connections", edge, EdgeServer::connections)
        .description("Open client connections on the edge port").register(metrics.registry());
    io.micrometer.core.instrument.Gauge.builder("sluice_edge_requests_active", edge, EdgeServer::inFlight)
        .description("Requests on the edge port being answered now").register(metrics.registry());
    this.watcher = o.configFile() == null || o.watchInterval() == null || o.watchInterval().isZero()
        ? null : new ConfigWatcher(o.configFile(), yaml, config, o.watchInterval());
  }

  private Server adminServer(ServerOptions o, ServerConfig sc) {
    AdminService a = new AdminService(config, store, metrics, () -> ready);
    AdminAuth auth = new AdminAuth(config);
    ServerBuilder b = Server.builder()
        .http(new InetSocketAddress(sc.adminBind(), sc.adminPort()))
        .meterRegistry(metrics.registry())
        .errorHandler(new AdminErrors())
        .disableServerHeader()
        .unloggedExceptionsReportInterval(Duration.ZERO)
        .gracefulShutdownTimeout(Duration.ZERO, o.shutdownTimeout());
    b.route().get("/healthz").build(a.health());
    b.route().get("/readyz").build(a.readiness());
    b.route().get("/metrics").decorator(auth).build(a.metrics());
    b.route().get("/admin/config").decorator(auth).build(a.getConfig());
    b.route().methods(HttpMethod.PUT).path("/admin/config").maxRequestLength(1 << 20).decorator(auth)
        .build(a.putConfig());
    b.route().get("/admin/buckets/{key}").decorator(auth).build(a.buckets());
    ModelsService models = new ModelsService(adaptation.prediction());
    b.route().get("/admin/models").decorator(auth).build(models.list());
    b.route().post("/admin/models/{version}/activate").decorator(auth).build(models.activate());
    b.route().get("/admin/anomalies").decorator(auth).build(new AnomalyService(adaptation.anomalies()).list());
    b.route().get("/dashboard").build(dashboard.page());
    b.route().get("/dashboard/app.js").build(dashboard.script());
    b.route().get("/dashboard/app.css").build(dashboard.style());
    b.route().get("/admin/stream").decorator(auth).requestTimeout(Duration.ZERO).build(dashboard.events());
    return b.build();
  }

  /**
   * Reads the config, binds both ports and starts serving.
   *
   * @throws IOException if the config file cannot be read
   * @throws ConfigException if the config is invalid
   * @throws java.util.concurrent.CompletionException if a port cannot be bound
   */
  public static SluiceServer start(ServerOptions options) throws IOException, ConfigException {
    return start(options, null);
  }

  /**
   * Starts as {@link #start(ServerOptions)}, with {@code tracing} instead of the config's {@code
   * observability} (tests hand in an in-memory exporter); the server closes it.
   */
  static SluiceServer start(ServerOptions options, Tracing tracing) throws IOException, ConfigException {
    SluiceServer s = new SluiceServer(options, tracing);
    s.startServing();
    return s;
  }

  private void startServing() {
    try {
      if (requestLog != null) {
        requestLog.start();
      }
      adaptation.configure(config.current().config().adaptive());
      permitExpiry.start();
      edge.start(edgeAddress);
      admin.start().join();
      config.listening(edge.port(), admin.activeLocalPort());
    } catch (RuntimeException e) {
      close();
      throw e;
    }
    ready = true;
    SluiceConfig c = config.current().config();
    log.atInfo().addKeyValue("event", "started").addKeyValue("edgePort", edgePort())
        .addKeyValue("adminPort", adminPort()).addKeyValue("summary", c.summary())
        .addKeyValue("adminToken", config.current().adminToken() != null)
        .log("sluice started");
    if (config.current().adminToken() == null) {
      log.atWarn().addKeyValue("event", "admin-closed")
          .log("no admin token configured (server.admin-token or SLUICE_ADMIN_TOKEN): admin routes answer 403");
    }
  }

  /** Returns the meter registry behind {@code /metrics}, for services started next to this server. */
  public io.micrometer.core.instrument.MeterRegistry meterRegistry() {
    return metrics.registry();
  }

  /** Returns the port the edge listens on. */
  public int edgePort() {
    return edge.port();
  }

  /** Returns the open client connections on the edge port. */
  public int edgeConnections() {
    return edge.connections();
  }

  /** Returns the requests on the edge port being answered now ({@code sluice_edge_requests_active}). */
  int edgeRequestsActive() {
    return edge.inFlight();
  }

  /** Returns the upstream connections handed to a request and not yet released or closed. */
  int upstreamConnectionsBusy() {
    LiveConfig.Upstream up = config.current().upstream();
    return up == null ? 0 : up.pool().busyConnections();
  }

  /** Returns the port the admin API listens on. */
  public int adminPort() {
    return admin.activeLocalPort();
  }

  /**
   * Records the port Envoy's rate-limit service listens on, served beside this server (by {@code
   * sluice serve --envoy-config}): the effective {@code server.grpc-port} of {@code /admin/config}.
   */
  public void grpcListening(int port) {
    config.grpcListening(port);
  }

  /**
   * Writes a decision made beside this server to the request log ({@code source} {@code envoy}: one
   * descriptor of Envoy's rate-limit service, with the domain as {@code tier} and the rule's name
   * as {@code route}), when a request log is configured and samples it; never blocks. {@code status}
   * is what the gateway answers (200, or 429 when over); the policy, model and shadow fields are the
   * server's, the anomaly score is null.
   */
  public void logDecision(String source, String client, String tier, String route, int status, boolean allowed,
      String level, int cost, long remaining, double refillRate, long burst) {
    if (requestLog == null || !requestLog.sampled()) {
      return;
    }
    requestLog.offer(new RequestLogRecord(WallClock.system().epochMillis(), source, client, tier, null, route, 0, 0,
        -1, status, allowed, level, cost, remaining, refillRate, burst, decisionIds.next(), adaptation.policy(),
        adaptation.modelVersion(), adaptation.shadowRate(), Double.NaN));
  }

  /** Returns the bucket store every decision goes through: local, or Redis. */
  public BucketStore store() {
    return store;
  }

  /**
   * Sets the version of the learned model the adaptive policy uses, shown in the request log's
   * {@code modelVersion} from the next line on ({@code null}: none, the default). The hook for
   * the model registry of the learning work; nothing calls it yet.
   */
  public void modelVersion(String version) {
    adaptation.modelVersion(version);
  }

  /** Returns the adaptive control loop running now, or {@code null} when adaptation is off. */
  public dev.sluice.adaptive.ControlLoop controlLoop() {
    return adaptation.loop();
  }

  /** Returns the config running now. */
  public SluiceConfig config() {
    return config.current().config();
  }

  /**
   * Stops gracefully: readiness turns 503, the config watcher stops, both ports finish the requests
   * in flight (within the shutdown timeout), and the request log writes what it holds.
   */
  @Override
  public void close() {
    if (!ready && edge.port() < 0 && admin.activePorts().isEmpty()) {
      closeResources();
      return;
    }
    ready = false;
    log.atInfo().addKeyValue("event", "stopping").log("sluice stopping");
    if (watcher != null) {
      watcher.close();
    }
    dashboard.close(); // open event streams would hold the admin port's graceful shutdown
    // Netty's boss groups take about two seconds to stop; stop both ports at once.
    java.util.concurrent.CompletableFuture<Void> adminStopped = admin.stop();
    edge.stop(options.shutdownQuietPeriod(), options.shutdownTimeout());
    adminStopped.join();
    closeResources();
    log.atInfo().addKeyValue("event", "stopped").log("sluice stopped");
  }

  private void closeResources() {
    dashboard.close();
    adaptation.close();
    permitExpiry.close();
    store.close();
    if (watcher != null) {
      watcher.close();
    }
    if (requestLog != null) {
      requestLog.close();
    }
    LiveConfig.Upstream up = config.current().upstream();
    if (up != null) {
      up.pool().close();
    }
    transport.group().shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS);
    tracing.close();
    metrics.close();
  }
}
