package dev.sluice.server;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.util.Exceptions;
import com.linecorp.armeria.server.HttpService;
import dev.sluice.config.ConfigException;
import dev.sluice.config.ConfigProblem;
import dev.sluice.core.BucketStore;
import dev.sluice.core.LevelState;
import dev.sluice.core.Limiter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * The admin routes: health and readiness, Prometheus metrics, the running config (read and hot
 * reload) and one client's buckets. Work that may take long (a reload reconfigures every bucket,
 * a scrape walks every meter) runs on the blocking task executor, never on an event loop.
 */
final class AdminService {

  private static final MediaType YAML = MediaType.parse("application/yaml; charset=utf-8");
  private static final MediaType PROMETHEUS = MediaType.parse("text/plain; version=0.0.4; charset=utf-8");

  private final LiveConfig config;
  private final Limiter limiter;
  private final BucketStore store;
  private final ServerMetrics metrics;
  private final BooleanSupplier ready;

  AdminService(LiveConfig config, Limiter limiter, BucketStore store, ServerMetrics metrics,
      BooleanSupplier ready) {
    this.config = config;
    this.store = store;
    this.limiter = limiter;
    this.metrics = metrics;
    this.ready = ready;
  }

  /** {@code GET /healthz}: 200 while the process serves. */
  HttpService health() {
    return (ctx, req) -> HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, "{\"status\":\"ok\"}");
  }

  /** {@code GET /readyz}: 200 once started with a config, 503 before and while stopping. */
  HttpService readiness() {
    return (ctx, req) -> ready.getAsBoolean()
        ? HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8,
            "{\"status\":\"ready\",\"generation\":" + config.current().generation() + "}")
        : Problem.of(HttpStatus.SERVICE_UNAVAILABLE, "not-ready", "starting or stopping").toResponse();
  }

  /** {@code GET /metrics}: the Prometheus text format. */
  HttpService metrics() {
    return (ctx, req) -> HttpResponse.of(
        () -> HttpResponse.of(HttpStatus.OK, PROMETHEUS, metrics.scrape()), ctx.blockingTaskExecutor());
  }

  /** {@code GET /admin/config}: the YAML text running now. */
  HttpService getConfig() {
    return (ctx, req) -> {
      LiveConfig.Snapshot s = config.current();
      return HttpResponse.of(ResponseHeaders.builder(HttpStatus.OK).contentType(YAML)
          .set("x-sluice-config-generation", Long.toString(s.generation()))
          .set("x-sluice-config-source", s.source()).build(),
          com.linecorp.armeria.common.HttpData.ofUtf8(s.yaml()));
    };
  }

  /** {@code PUT /admin/config}: validates the YAML body fully, then swaps it in atomically. */
  HttpService putConfig() {
    return (ctx, req) -> HttpResponse.of(req.aggregate().thenApplyAsync(agg -> {
      String yaml;
      try {
        yaml = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(agg.content().array())).toString();
      } catch (CharacterCodingException e) {
        return Problem.badRequest("the body is not UTF-8 text", List.of()).toResponse();
      }
      try {
        LiveConfig.Reload r = config.apply(yaml, "PUT /admin/config");
        StringBuilder sb = new StringBuilder("{\"applied\":true");
        sb.append(",\"generation\":").append(r.generation());
        sb.append(",\"summary\":");
        Json.string(sb, r.config().summary());
        sb.append(",\"restartRequired\":[");
        for (int i = 0; i < r.restartRequired().size(); i++) {
          Json.string(sb.append(i == 0 ? "" : ","), r.restartRequired().get(i));
        }
        return HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, sb.append("]}").toString());
      } catch (ConfigException e) {
        List<Problem.FieldError> errors = new ArrayList<>();
        for (ConfigProblem p : e.problems()) {
          errors.add(new Problem.FieldError(p.path(), p.line(), p.message()));
        }
        int n = errors.size();
        return new Problem(HttpStatus.BAD_REQUEST, "urn:sluice:problem:invalid-config", "Invalid Config",
            (n == 1 ? "1 problem" : n + " problems") + "; the running config is unchanged", errors).toResponse();
      }
    }, ctx.blockingTaskExecutor()).exceptionally(cause -> EdgeErrors.forCause(cause).toResponse()));
  }

  /** {@code GET /admin/buckets/{key}[?tier=T]}: the client's levels, tokens and rates. */
  HttpService buckets() {
    return (ctx, req) -> {
      String key = ctx.pathParam("key");
      String named = ctx.queryParam("tier");
      String tier = config.current().identity().tierOf(key, named);
      if (key == null || key.isEmpty() || key.length() > Identity.MAX_KEY_LENGTH) {
        return Problem.badRequest("key: expected 1 to " + Identity.MAX_KEY_LENGTH + " characters", List.of())
            .toResponse();
      }
      if (!limiter.spec().tiers().containsKey(tier)) {
        return Problem.of(HttpStatus.NOT_FOUND, "unknown-tier", "unknown tier \"" + tier
            + "\" (expected: one of " + limiter.spec().tiers().keySet() + ")").toResponse();
      }
      if (store == null) {
        return levels(key, tier, limiter.levels(key, tier));
      }
      return HttpResponse.of(store.levels(key, tier).handleAsync((levels, err) -> err == null
          ? levels(key, tier, levels)
          : Problem.of(HttpStatus.SERVICE_UNAVAILABLE, "store-unavailable",
              "the bucket store failed: " + Exceptions.peel(err)).toResponse(), ctx.eventLoop()));
    };
  }

  private static HttpResponse levels(String key, String tier, List<LevelState> levels) {
    StringBuilder sb = new StringBuilder(256).append("{\"key\":");
    Json.string(sb, key).append(",\"tier\":");
    Json.string(sb, tier).append(",\"levels\":[");
    for (int i = 0; i < levels.size(); i++) {
      LevelState s = levels.get(i);
      sb.append(i == 0 ? "{" : ",{");
      sb.append("\"level\":\"").append(s.level().label()).append('"');
      sb.append(",\"burst\":").append(s.limit().burst());
      sb.append(",\"rate\":\"").append(s.limit().rate()).append('"');
      sb.append(",\"ratePerSecond\":").append(s.limit().rate().perSecond());
      sb.append(",\"tokens\":").append(s.tokens());
      sb.append(",\"resetAfterMs\":").append(RateLimitHeaders.ceilMillis(s.resetAfterNanos()));
      sb.append('}');
    }
    return HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, sb.append("]}").toString());
  }
}
