package dev.sluice.server;

import dev.sluice.config.ConfigException;
import dev.sluice.config.ConfigLoader;
import dev.sluice.config.LoadedConfig;
import dev.sluice.config.StoreConfig;
import dev.sluice.core.BucketStore;
import dev.sluice.core.Clock;
import dev.sluice.core.Limiter;
import dev.sluice.core.LimiterSpec;
import dev.sluice.core.config.ServerConfig;
import dev.sluice.core.config.SluiceConfig;
import dev.sluice.core.config.UpstreamConfig;
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
 * <p>A reload parses and validates the whole text first; only a valid config reaches the limiter
 * ({@link Limiter#reconfigure}, which carries every bucket's tokens over proportionally) and then
 * replaces the snapshot. The limiter is reconfigured before the snapshot is swapped, so a request
 * holding the old snapshot may name a tier the new limiter no longer has; request handlers then
 * fall back to the default tier. Changes to the {@code server} section (addresses and ports, but
 * not the admin token) and to the {@code store} section need a restart and are reported as such.
 */
final class LiveConfig {

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
   */
  record Snapshot(SluiceConfig config, String yaml, String source, Identity identity,
      Upstream upstream, String adminToken, long generation) {}

  /**
   * The proxied API.
   *
   * @param config the configured URL and timeouts
   * @param pool keep-alive connections to the URL's scheme and authority
   * @param basePath the URL's path without a trailing slash, prefixed to every forwarded path
   */
  record Upstream(UpstreamConfig config, UpstreamPool pool, String basePath) {

    /** Returns the configured base URL. */
    URI url() {
      return config.url();
    }

    /** Returns how long to wait for a response. */
    Duration timeout() {
      return config.timeout();
    }
  }

  /**
   * What a reload changed.
   *
   * @param config the config now running
   * @param generation its generation
   * @param restartRequired fields whose change takes effect only after a restart
   */
  record Reload(SluiceConfig config, long generation, List<String> restartRequired) {}

  private final Limiter limiter;
  private final Transport transport;
  private final Clock network;
  private final String envToken;
  private final Consumer<SluiceConfig> onChange;
  private final Adaptation adaptation;
  private final BucketStore store;
  private final StoreConfig storeConfig;
  private volatile Snapshot current;

  /**
   * Starts with {@code config}, parsed from {@code yaml}; {@code onChange} runs after each swap, and
   * {@code adaptation} is stopped before each reload reconfigures the limiter and rebuilt after;
   * {@code store} (the shared store opened with {@code storeConfig}, or {@code null} for a local
   * one) is reconfigured with the limiter.
   */
  LiveConfig(SluiceConfig config, String yaml, String source, Limiter limiter, Transport transport, Clock network,
      String envToken, Consumer<SluiceConfig> onChange, Adaptation adaptation, BucketStore store,
      StoreConfig storeConfig) {
    this.limiter = limiter;
    this.transport = transport;
    this.network = network;
    this.envToken = envToken;
    this.onChange = onChange;
    this.adaptation = adaptation;
    this.store = store;
    this.storeConfig = storeConfig;
    this.current = snapshot(config, yaml, source, null, 1);
    onChange.accept(config);
  }

  /** Returns the config now running. */
  Snapshot current() {
    return current;
  }

  /**
   * Validates {@code yaml} fully, then applies it: limits, identity, costs and upstream change at
   * once; nothing changes if it is invalid.
   *
   * @throws ConfigException listing every problem when the text is not a valid config
   */
  synchronized Reload apply(String yaml, String source) throws ConfigException {
    LoadedConfig loaded = ConfigLoader.parseFull(yaml, source);
    SluiceConfig next = loaded.config();
    LimiterSpec spec;
    try {
      spec = LimiterSpec.from(next);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(List.of(new dev.sluice.config.ConfigProblem(source, 1, "", e.getMessage())));
    }
    Snapshot old = current;
    List<String> restart = restartRequired(old.config().server(), next.server());
    if (!loaded.store().equals(storeConfig)) {
      restart.add("store");
    }
    adaptation.stop();
    limiter.reconfigure(spec);
    if (store != null) {
      store.reconfigure(spec);
    }
    adaptation.configure(loaded.adaptive());
    Snapshot snap = snapshot(next, yaml, source, old.upstream(), old.generation() + 1);
    current = snap;
    onChange.accept(next);
    log.atInfo().addKeyValue("event", "config-reloaded").addKeyValue("source", source)
        .addKeyValue("generation", snap.generation()).addKeyValue("summary", next.summary())
        .addKeyValue("restartRequired", restart).log("config reloaded");
    return new Reload(next, snap.generation(), restart);
  }

  private Snapshot snapshot(SluiceConfig config, String yaml, String source, Upstream previous,
      long generation) {
    String token = config.server().adminToken() != null ? config.server().adminToken() : envToken;
    return new Snapshot(config, yaml, source, Identity.of(config.identity()),
        upstream(config.upstream(), previous), token == null || token.isEmpty() ? null : token, generation);
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

  private static List<String> restartRequired(ServerConfig was, ServerConfig now) {
    List<String> out = new ArrayList<>();
    if (!Objects.equals(was.bind(), now.bind())) {
      out.add("server.bind");
    }
    if (was.port() != now.port()) {
      out.add("server.port");
    }
    if (!Objects.equals(was.adminBind(), now.adminBind())) {
      out.add("server.admin-bind");
    }
    if (was.adminPort() != now.adminPort()) {
      out.add("server.admin-port");
    }
    return out;
  }
}
