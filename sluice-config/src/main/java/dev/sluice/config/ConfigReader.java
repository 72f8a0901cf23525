package dev.sluice.config;

import dev.sluice.adaptive.AdaptiveSettings;
import dev.sluice.config.yaml.Mapping;
import dev.sluice.config.yaml.Problems;
import dev.sluice.config.yaml.YamlNode;
import dev.sluice.core.CostRule;
import dev.sluice.core.Limit;
import dev.sluice.core.Rate;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Reads a whole document into one {@link SluiceConfig}: the small sections ({@code server}, {@code
 * upstream}, {@code global}) here, the others through {@link TierReader}, {@link IdentityReader},
 * {@link CostReader}, {@link AdaptiveReader} and {@link StoreReader}, then the cross-section checks
 * and the final record.
 */
final class ConfigReader {

  static final List<String> SECTIONS =
      List.of("server", "upstream", "identity", "tiers", "global", "costs", "adaptive",
      "store", "observability");
  static final List<String> SERVER_KEYS = List.of("bind", "port", "admin-bind", "admin-port", "admin-token",
      "grpc-port", "grpc-tls");
  static final List<String> UPSTREAM_KEYS = List.of("url", "timeout", "idle-timeout");
  static final List<String> GLOBAL_KEYS = List.of("burst", "rate", "max-clients", "idle-expiry", "concurrency",
      "permit-timeout");

  private ConfigReader() {}

  /** Returns the config {@code root} describes, or {@code null} after recording its problems. */
  static SluiceConfig read(YamlNode root, Problems problems) {
    if (root.kind() == YamlNode.Kind.NULL) {
      problems.missing(root.line(), "tiers", "at least one tier; the document is empty");
      return null;
    }
    Mapping doc = Mapping.of(root, "", root.line(), problems, SECTIONS);
    if (doc == null) {
      return null;
    }
    ServerConfig server = server(doc.mapping("server", SERVER_KEYS), problems);
    UpstreamConfig upstream = upstream(doc.mapping("upstream", UPSTREAM_KEYS), problems);
    Mapping globalSection = doc.mapping("global", GLOBAL_KEYS);
    GlobalConfig global = global(globalSection, problems);
    boolean globalLimit = globalSection == null || globalSection.has("burst") || globalSection.has("rate");
    TierReader.Tiers tiers = TierReader.read(doc, globalLimit, problems);
    IdentityConfig identity = IdentityReader.read(doc, tiers, problems);
    Long globalBurst = global == null || global.limit() == null ? null : global.limit().burst();
    Long globalConcurrency = global == null || global.concurrency() == 0 ? null : global.concurrency();
    List<CostRule> costs = CostReader.read(doc, tiers.largestBurst(), globalBurst, globalConcurrency, problems);
    AdaptiveSettings adaptive = AdaptiveReader.read(doc.mapping("adaptive", AdaptiveReader.KEYS), problems);
    StoreConfig store = StoreReader.read(doc, problems);
    ObservabilityConfig observability = observability(doc.mapping("observability", List.of("otlp")), problems);
    if (problems.count() > 0) {
      return null;
    }
    // Each aggregate shard needs a token: adaptive scaling never takes a burst below the shards.
    AdaptiveSettings scaling = store.redis() && adaptive.minBurst() < store.aggregateShards()
        ? adaptive.withMinBurst(store.aggregateShards()) : adaptive;
    SluiceConfig config = problems.build(doc.line(), "",
        () -> new SluiceConfig(server, upstream, identity, tiers.tiers(), global, costs, store, scaling,
            observability == null ? ObservabilityConfig.OFF : observability));
    if (config == null) {
      return null;
    }
    if (store.redis() && hasConcurrency(config)) {
      concurrencyNeedsLocal(doc, problems);
      return null;
    }
    if (store.redis() && burstsBelowShards(doc, config, problems)) {
      return null;
    }
    if (adaptive.enabled() && !hasAggregate(config)) {
      Mapping m = doc.mapping("adaptive", null);
      problems.add(m.line("enabled"), "adaptive.enabled",
          "true (expected: a global limit or a tier aggregate for the control loop to move)");
      return null;
    }
    return config;
  }

  /**
   * Reports every concurrency level of a valid document whose store is Redis, which does not
   * enforce them (permits live in one process).
   */
  private static void concurrencyNeedsLocal(Mapping doc, Problems problems) {
    String expected = " (expected: no concurrency level with store.type: redis; concurrency levels need the"
        + " local store, the Redis store does not enforce them)";
    Mapping global = doc.mapping("global", null);
    if (global.has("concurrency")) {
      problems.add(global.line("concurrency"), global.path("concurrency"), global.node("concurrency").display()
          + expected);
    }
    Mapping tiers = doc.mapping("tiers", null);
    for (String name : tiers.fields().keySet()) {
      Mapping tier = tiers.mapping(name, null);
      if (tier.has("concurrency")) {
        problems.add(tier.line("concurrency"), tier.path("concurrency"), tier.node("concurrency").display()
            + expected);
      }
    }
  }

  /**
   * Reports, on its line, every aggregate level of a valid document whose burst is below {@code
   * store.redis.aggregate-shards}: a tier's {@code aggregate.burst} or {@code share}, the global
   * burst. Returns whether it reported any.
   */
  private static boolean burstsBelowShards(Mapping doc, SluiceConfig config, Problems problems) {
    int before = problems.count();
    String expected = config.store().shardExpectation();
    int k = config.store().aggregateShards();
    Limit global = config.global().limit();
    Mapping tiers = doc.mapping("tiers", null);
    for (TierConfig t : config.tiers().values()) {
      Limit aggregate = t.aggregateLimit(global);
      if (aggregate == null || aggregate.burst() >= k) {
        continue;
      }
      Mapping tier = tiers.mapping(t.name(), null);
      if (t.aggregate() != null) {
        Mapping m = tier.mapping("aggregate", null);
        problems.add(m.line("burst"), m.path("burst"), m.node("burst").display() + expected);
      } else {
        problems.add(tier.line("share"), tier.path("share"), tier.node("share").display()
            + " gives an aggregate burst of " + aggregate.burst() + expected);
      }
    }
    if (global != null && global.burst() < k) {
      Mapping m = doc.mapping("global", null);
      problems.add(m.line("burst"), m.path("burst"), m.node("burst").display() + expected);
    }
    return problems.count() != before;
  }

  private static boolean hasConcurrency(SluiceConfig config) {
    return config.global().concurrency() > 0 || config.tiers().values().stream().anyMatch(t -> t.concurrency() > 0);
  }

  private static boolean hasAggregate(SluiceConfig config) {
    Limit global = config.global().limit();
    return global != null || config.tiers().values().stream().anyMatch(t -> t.aggregateLimit(global) != null);
  }

  private static ServerConfig server(Mapping m, Problems problems) {
    if (m == null) {
      return null;
    }
    int before = problems.count();
    ServerConfig d = ServerConfig.DEFAULT;
    String bind = or(m.string("bind", false), d.bind());
    Long port = or(m.integer("port", 0, 65_535, false), (long) d.port());
    String adminBind = or(m.string("admin-bind", false), d.adminBind());
    Long adminPort = or(m.integer("admin-port", 0, 65_535, false), (long) d.adminPort());
    String adminToken = or(m.string("admin-token", false), d.adminToken());
    Long grpcPort = or(m.integer("grpc-port", 0, 65_535, false), (long) d.grpcPort());
    GrpcTlsConfig grpcTls = m.has("grpc-tls") ? grpcTls(m.mapping("grpc-tls", List.of("cert", "key")), problems) : null;
    if (problems.count() != before) {
      return null;
    }
    if (port != 0 && port.equals(adminPort)) {
      problems.add(m.line("admin-port"), m.path("admin-port"),
          adminPort + " (expected: a port other than server.port " + port + ")");
      return null;
    }
    if (grpcPort != 0 && (grpcPort.equals(port) || grpcPort.equals(adminPort))) {
      problems.add(m.line("grpc-port"), m.path("grpc-port"), grpcPort
          + " (expected: a port other than server.port " + port + " and server.admin-port " + adminPort + ")");
      return null;
    }
    return problems.build(m.line(), m.path(), () -> new ServerConfig(
        bind, port.intValue(), adminBind, adminPort.intValue(), adminToken, grpcPort.intValue(), grpcTls));
  }

  /**
   * Reads {@code server.grpc-tls {cert, key}}: both required, each a readable PEM file (a
   * certificate, a private key) named relative to the working directory; {@code null} when absent.
   */
  private static GrpcTlsConfig grpcTls(Mapping m, Problems problems) {
    if (m == null) {
      return null;
    }
    int before = problems.count();
    Path cert = pem(m, "cert", "-----BEGIN CERTIFICATE-----", "a PEM certificate", problems);
    Path key = pem(m, "key", "PRIVATE KEY-----", "a PEM private key", problems);
    return problems.count() != before ? null : new GrpcTlsConfig(cert, key);
  }

  private static Path pem(Mapping m, String field, String marker, String expected, Problems problems) {
    String name = m.string(field, true);
    if (name == null) {
      return null;
    }
    Path file;
    String text;
    try {
      file = Path.of(name);
      text = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException | InvalidPathException e) {
      problems.add(m.line(field), m.path(field), name + ": cannot read (expected: a readable text file, " + expected
          + ")");
      return null;
    }
    if (!text.contains(marker)) {
      problems.add(m.line(field), m.path(field), name + ": no '" + marker + "' line (expected: " + expected + ")");
      return null;
    }
    return file;
  }

  private static UpstreamConfig upstream(Mapping m, Problems problems) {
    if (m == null) {
      return null;
    }
    int before = problems.count();
    String text = m.string("url", false);
    URI url = null;
    if (text != null) {
      try {
        url = new URI(text.strip());
      } catch (URISyntaxException e) {
        url = null;
      }
      if (url == null || !url.isAbsolute() || url.getHost() == null
          || !"http".equalsIgnoreCase(url.getScheme()) && !"https".equalsIgnoreCase(url.getScheme())) {
        problems.invalid(m.node("url"), m.path("url"), "an absolute http:// or https:// URL");
      }
    }
    Duration timeout = or(m.duration("timeout"), UpstreamConfig.NONE.timeout());
    Duration idle = or(m.duration("idle-timeout"), UpstreamConfig.DEFAULT_IDLE_TIMEOUT);
    if (problems.count() != before) {
      return null;
    }
    URI u = url;
    return problems.build(m.line(), m.path(), () -> new UpstreamConfig(u, timeout, idle));
  }

  private static GlobalConfig global(Mapping m, Problems problems) {
    if (m == null) {
      return null;
    }
    int before = problems.count();
    GlobalConfig d = GlobalConfig.DEFAULT;
    Long burst = m.integer("burst", 1, Long.MAX_VALUE, false);
    Rate rate = m.rate("rate", false);
    String together = "burst and rate together, or neither for no global limit";
    if (m.has("burst") && !m.has("rate")) {
      m.missing("rate", together);
    } else if (m.has("rate") && !m.has("burst")) {
      m.missing("burst", together);
    }
    Long maxClients = or(m.integer("max-clients", 1, Long.MAX_VALUE, false), d.maxClients());
    Duration idleExpiry = or(m.duration("idle-expiry"), d.idleExpiry());
    Long concurrency = or(m.integer("concurrency", 1, Long.MAX_VALUE, false), d.concurrency());
    Duration permitTimeout = or(m.duration("permit-timeout"), d.permitTimeout());
    if (problems.count() != before) {
      return null;
    }
    Limit limit = burst == null || rate == null ? null : problems.build(m.line(), m.path(), () -> Limit.of(burst, rate));
    return problems.build(m.line(), m.path(),
        () -> new GlobalConfig(limit, maxClients, idleExpiry, concurrency, permitTimeout));
  }

  /** Reads {@code observability: { otlp: { endpoint, sampling-ratio } }}. */
  private static ObservabilityConfig observability(Mapping section, Problems problems) {
    Mapping m = section == null ? null : section.mapping("otlp", List.of("endpoint", "sampling-ratio"));
    if (m == null) {
      return null;
    }
    int before = problems.count();
    String text = m.string("endpoint", false);
    URI endpoint = null;
    if (text != null) {
      try {
        endpoint = new URI(text.strip());
      } catch (URISyntaxException e) {
        endpoint = null;
      }
      if (endpoint == null || !endpoint.isAbsolute() || endpoint.getHost() == null
          || !"http".equalsIgnoreCase(endpoint.getScheme()) && !"https".equalsIgnoreCase(endpoint.getScheme())) {
        problems.invalid(m.node("endpoint"), m.path("endpoint"), "an absolute http:// or https:// URL");
      }
    }
    Double ratio = or(m.fraction("sampling-ratio"), ObservabilityConfig.DEFAULT_SAMPLING_RATIO);
    if (problems.count() != before) {
      return null;
    }
    URI u = endpoint;
    return problems.build(m.line(), m.path(), () -> new ObservabilityConfig(u, ratio));
  }

  private static <T> T or(T value, T fallback) {
    return value != null ? value : fallback;
  }
}
