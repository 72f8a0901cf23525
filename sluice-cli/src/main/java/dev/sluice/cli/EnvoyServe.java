package dev.sluice.cli;

import dev.sluice.config.ConfigException;
import dev.sluice.config.SluiceConfig;
import dev.sluice.core.Clock;
import dev.sluice.envoy.EdgeScale;
import dev.sluice.envoy.EnvoyDecision;
import dev.sluice.envoy.EnvoyRateLimitServer;
import dev.sluice.envoy.RateLimitGrpcService;
import dev.sluice.envoy.RateLimitGrpcService.Result;
import dev.sluice.server.SluiceServer;
import dev.sluice.server.admission.Stores;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Envoy's rate-limit service started beside a {@link SluiceServer} by {@code sluice serve
 * --envoy-config}: in the server's store kind, counted on its {@code /metrics}, written to its
 * request log, with {@code rate_limit.adaptive} rules following its control loop. Stateless.
 */
final class EnvoyServe {

  private EnvoyServe() {}

  /**
   * Starts the service on {@code port} of the server's bind address with the files of {@code dir},
   * re-read every {@code poll}, and hooks it to {@code server}'s meters and request log.
   */
  static EnvoyRateLimitServer start(SluiceServer server, Path dir, int port, Duration poll) throws ConfigException {
    SluiceConfig c = server.config();
    // The server's store kind: on Redis, every node with this config shares the Envoy limits. The
    // first store opened is the rules' (meters tagged store="envoy"), the second the one of every
    // descriptor-level limit override (store="envoy-overrides").
    AtomicInteger opened = new AtomicInteger();
    EnvoyRateLimitServer envoy = EnvoyRateLimitServer.start(dir, c.server().bind(), port, poll,
        spec -> Stores.openBeside(c.store(), "envoy", spec, Clock.system(), server.meterRegistry(),
            opened.getAndIncrement() == 0 ? "envoy" : "envoy-overrides"), c.server().grpcTls());
    try {
      meters(envoy, server.meterRegistry());
      Map<String, Counter> decisions = new ConcurrentHashMap<>();
      MeterRegistry registry = server.meterRegistry();
      envoy.service().onDecision(new RateLimitGrpcService.DecisionListener() {
        @Override
        public void decided(String domain, Result result) {
          // Per domain and result, like the edge's sluice.decisions per tier and result.
          decisions.computeIfAbsent(domain + "\n" + result.label(),
              k -> Counter.builder("sluice.envoy.decisions")
                  .tags("domain", domain, "result", result.label())
                  .description("Envoy ShouldRateLimit descriptor results").register(registry)).increment();
        }

        @Override
        public void decided(EnvoyDecision d) {
          decided(d.metricDomain(), d.result());
          log(server, d);
        }
      });
      // rate_limit.adaptive rules follow the factor the control loop applies to the edge's rates.
      envoy.followEdge(() -> {
        SluiceConfig now = server.config();
        return EdgeScale.of(now.limiterSpec(), server.store().spec(), now.adaptive());
      });
      server.grpcListening(envoy.port());
    } catch (RuntimeException e) {
      envoy.close();
      throw e;
    }
    return envoy;
  }

  /**
   * Writes one descriptor to the request log: {@code source} envoy, the entries as the client, the
   * domain as the tier, the rule's name as the route; 429 and denied when over, 200 otherwise (a
   * shadow-mode rule's over-limit hit is 200 and denied: admitted, but over).
   */
  static void log(SluiceServer server, EnvoyDecision d) {
    boolean bucket = d.burst() >= 0;
    server.logDecision("envoy", d.client(), d.domain(), d.rule(), d.answeredOk() ? 200 : 429,
        d.result() != Result.DENIED && d.result() != Result.SHADOW_DENIED, bucket ? "client" : null, d.hits(),
        d.remaining(), d.refillRate(), d.burst());
  }

  /** Counts the Envoy service's calls and descriptor outcomes on the admin port's {@code /metrics}. */
  private static void meters(EnvoyRateLimitServer envoy, MeterRegistry registry) {
    RateLimitGrpcService s = envoy.service();
    FunctionCounter.builder("sluice_envoy_calls", s, RateLimitGrpcService::calls)
        .description("ShouldRateLimit calls answered").register(registry);
    FunctionCounter.builder("sluice_envoy_descriptors", s, RateLimitGrpcService::descriptors)
        .description("Descriptors answered, OK or over").register(registry);
    FunctionCounter.builder("sluice_envoy_over_limit", s, RateLimitGrpcService::overLimits)
        .description("Descriptors answered OVER_LIMIT").register(registry);
    FunctionCounter.builder("sluice_envoy_shadow_over_limit", s, RateLimitGrpcService::shadowOverLimits)
        .description("Descriptors over a shadow_mode limit, answered OK").register(registry);
    FunctionCounter.builder("sluice_envoy_override_refused", s, RateLimitGrpcService::overrideRefusals)
        .description("Calls refused (RESOURCE_EXHAUSTED) for a descriptor limit override past the bound on"
            + " distinct override shapes").register(registry);
    FunctionCounter.builder("sluice_envoy_reloads", envoy, EnvoyRateLimitServer::reloads)
        .description("Reloads of the envoy rate-limit files").register(registry);
  }
}
