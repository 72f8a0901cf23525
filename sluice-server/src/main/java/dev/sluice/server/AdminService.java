package dev.sluice.server;

import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.common.ResponseHeadersBuilder;
import com.linecorp.armeria.common.util.Exceptions;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.sluice.config.ConfigException;
import dev.sluice.config.ConfigProblem;
import dev.sluice.config.ServerConfig;
import dev.sluice.core.AggregateLevels;
import dev.sluice.core.BucketStore;
import dev.sluice.core.LevelState;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin routes: health and readiness, Prometheus metrics, the running config (read and hot
 * reload) and one client's buckets. Work that may take long (a reload reconfigures every bucket,
 * a scrape walks every meter) runs on the blocking task executor, never on an event loop.
 */
final class AdminService {

  private static final Logger log = LoggerFactory.getLogger(AdminService.class);
  private static final MediaType YAML = MediaType.parse("application/yaml; charset=utf-8");
  private static final MediaType PROMETHEUS = MediaType.parse("text/plain; version=0.0.4; charset=utf-8");

  private final LiveConfig config;
  private final BucketStore store;
  private final ServerMetrics metrics;
  private final BooleanSupplier ready;

  AdminService(LiveConfig config, BucketStore store, ServerMetrics metrics, BooleanSupplier ready) {
    this.config = config;
    this.store = store;
    this.metrics = metrics;
    this.ready = ready;
  }

  /** {@code GET /healthz}: 200 while the process serves. */
  HttpService health() {
    return (ctx, req) -> HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, "{\"status\":\"ok\"}");
  }

  /**
   * {@code GET /readyz}: 503 before start and while stopping; otherwise 200 with the store in use,
   * status {@code ready}, or {@code degraded} while a Redis store decides in its failure mode (the
   * node still answers every request, from its fallback, so it stays in rotation).
   */
  HttpService readiness() {
    return (ctx, req) -> {
      if (!ready.getAsBoolean()) {
        return Problem.of(HttpStatus.SERVICE_UNAVAILABLE, "not-ready", "starting or stopping").toResponse();
      }
      String mode = store.mode();
      StringBuilder sb = new StringBuilder(128).append('{');
      Json.name(sb, "status");
      Json.string(sb, mode.equals("local") || mode.equals("redis") ? "ready" : "degraded");
      Json.name(sb, "generation").append(config.current().generation());
      Json.name(sb, "store");
      Stores.appendJson(sb, config.effective().store(), mode);
      return HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, sb.append('}').toString());
    };
  }

  /**
   * {@code GET /metrics}: the Prometheus text format. The store's aggregate levels are read first,
   * so the token gauges show what it holds at scrape time (NaN if it did not answer).
   */
  HttpService metrics() {
    return (ctx, req) -> HttpResponse.of(store.aggregates().handleAsync((levels, err) -> {
      metrics.levels(err == null ? levels : AggregateLevels.NONE);
      return HttpResponse.of(HttpStatus.OK, PROMETHEUS, metrics.scrape());
    }, ctx.blockingTaskExecutor()));
  }

  /**
   * {@code GET /admin/config}: the YAML text running now; with {@code Accept: application/json},
   * a JSON object with that text and the configured and effective values of every restart-only
   * setting.
   */
  HttpService getConfig() {
    return (ctx, req) -> {
      LiveConfig.Snapshot s = config.current();
      if (wantsJson(req.headers().accept())) {
        StringBuilder sb = new StringBuilder(512).append('{');
        Json.name(sb, "generation").append(s.generation());
        Json.name(sb, "source");
        Json.string(sb, s.source());
        Json.name(sb, "summary");
        Json.string(sb, s.config().summary());
        appendRestartView(sb, s);
        Json.name(sb, "yaml");
        Json.string(sb, s.yaml());
        return HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, sb.append('}').toString());
      }
      ResponseHeadersBuilder h = ResponseHeaders.builder(HttpStatus.OK).contentType(YAML)
          .set("x-sluice-config-generation", Long.toString(s.generation()))
          .set("x-sluice-config-source", s.source());
      if (!s.restartRequired().isEmpty()) {
        h.set("x-sluice-restart-required", String.join(",", s.restartRequired()));
      }
      return HttpResponse.of(h.build(), com.linecorp.armeria.common.HttpData.ofUtf8(s.yaml()));
    };
  }

  /** Returns whether the most preferred of the accepted types that Sluice serves is JSON (default: YAML). */
  private static boolean wantsJson(List<MediaType> accepted) {
    for (MediaType m : accepted) {
      if (m.belongsTo(MediaType.JSON)) {
        return true;
      }
      if (m.hasWildcard() || m.belongsTo(YAML.withoutParameters())) {
        return false;
      }
    }
    return false;
  }

  /**
   * Appends {@code restartRequired}, then {@code configured} and {@code effective}, each {@code
   * {"server":{"bind","port","admin-bind","admin-port"},"store":{...}}}: the restart-only settings
   * as the config names them and as the process uses them (the ports it is bound to, the store it
   * opened, with the mode decisions are made in now).
   */
  private void appendRestartView(StringBuilder sb, LiveConfig.Snapshot s) {
    Json.name(sb, "restartRequired").append('[');
    for (int i = 0; i < s.restartRequired().size(); i++) {
      Json.string(sb.append(i == 0 ? "" : ","), s.restartRequired().get(i));
    }
    sb.append(']');
    LiveConfig.Effective e = config.effective();
    Json.name(sb, "configured").append('{');
    appendServer(sb, s.config().server());
    Json.name(sb, "store");
    Stores.appendJson(sb, s.config().store(), null).append('}');
    Json.name(sb, "effective").append('{');
    appendServer(sb, e.server());
    Json.name(sb, "store");
    Stores.appendJson(sb, e.store(), store.mode()).append('}');
  }

  private static void appendServer(StringBuilder sb, ServerConfig c) {
    Json.name(sb, "server").append('{');
    Json.name(sb, "bind");
    Json.string(sb, c.bind());
    Json.name(sb, "port").append(c.port());
    Json.name(sb, "admin-bind");
    Json.string(sb, c.adminBind());
    Json.name(sb, "admin-port").append(c.adminPort());
    sb.append('}');
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
        LiveConfig.Snapshot s = config.apply(yaml, "PUT /admin/config");
        StringBuilder sb = new StringBuilder("{\"applied\":true");
        sb.append(",\"generation\":").append(s.generation());
        sb.append(",\"summary\":");
        Json.string(sb, s.config().summary());
        appendRestartView(sb, s);
        return HttpResponse.of(HttpStatus.OK, MediaType.JSON_UTF_8, sb.append('}').toString());
      } catch (ConfigException e) {
        List<Problem.FieldError> errors = new ArrayList<>();
        for (ConfigProblem p : e.problems()) {
          errors.add(new Problem.FieldError(p.path(), p.line(), p.message()));
        }
        int n = errors.size();
        return new Problem(HttpStatus.BAD_REQUEST, "urn:sluice:problem:invalid-config", "Invalid Config",
            (n == 1 ? "1 problem" : n + " problems") + "; the running config is unchanged", errors).toResponse();
      }
    }, ctx.blockingTaskExecutor()).exceptionally(HttpResponse::ofFailure)); // EdgeErrors: 4xx or logged 500
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
      if (!store.spec().tiers().containsKey(tier)) {
        return Problem.of(HttpStatus.NOT_FOUND, "unknown-tier", "unknown tier \"" + tier
            + "\" (expected: one of " + store.spec().tiers().keySet() + ")").toResponse();
      }
      return HttpResponse.of(store.levels(key, tier).handleAsync((levels, err) -> err == null
          ? levels(key, tier, levels) : storeUnavailable(ctx, err), ctx.eventLoop()));
    };
  }

  /**
   * A 503 for a store read that failed: a generic detail and the request id for the client, the
   * cause (which names Redis's address and Lettuce's exceptions) only in the log, at WARN.
   */
  private HttpResponse storeUnavailable(ServiceRequestContext ctx, Throwable err) {
    String id = ctx.id().text();
    log.atWarn().setCause(Exceptions.peel(err)).addKeyValue("event", "store-read-failed")
        .addKeyValue("requestId", id).addKeyValue("mode", store.mode())
        .log("reading a client's buckets from the store failed");
    StringBuilder extra = new StringBuilder(",\"requestId\":");
    Json.string(extra, id);
    return Problem.of(HttpStatus.SERVICE_UNAVAILABLE, "store-unavailable",
        "the bucket store did not answer; the cause is in the server log under this request id")
        .toAggregated(null, extra.toString()).toHttpResponse();
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
