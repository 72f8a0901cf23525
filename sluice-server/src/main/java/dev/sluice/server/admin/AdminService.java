package dev.sluice.server.admin;

import com.fasterxml.jackson.core.JsonGenerator;
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
import dev.sluice.server.admission.Identity;
import dev.sluice.server.admission.Stores;
import dev.sluice.server.http.JsonBodies;
import dev.sluice.server.http.Problem;
import dev.sluice.server.live.LiveConfig;
import dev.sluice.server.observe.ServerMetrics;
import java.io.IOException;
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
public final class AdminService {

  private static final Logger log = LoggerFactory.getLogger(AdminService.class);
  private static final MediaType YAML = MediaType.parse("application/yaml; charset=utf-8");
  private static final MediaType PROMETHEUS = MediaType.parse("text/plain; version=0.0.4; charset=utf-8");

  private final LiveConfig config;
  private final BucketStore store;
  private final ServerMetrics metrics;
  private final BooleanSupplier ready;

  public AdminService(LiveConfig config, BucketStore store, ServerMetrics metrics, BooleanSupplier ready) {
    this.config = config;
    this.store = store;
    this.metrics = metrics;
    this.ready = ready;
  }

  /** {@code GET /healthz}: 200 while the process serves. */
  public HttpService health() {
    return (ctx, req) -> AdminResponses.json(g -> {
      g.writeStartObject();
      g.writeStringField("status", "ok");
      g.writeEndObject();
    });
  }

  /**
   * {@code GET /readyz}: 503 before start and while stopping; otherwise 200 with the store in use,
   * status {@code ready}, or {@code degraded} while a Redis store decides in its failure mode (the
   * node still answers every request, from its fallback, so it stays in rotation).
   */
  public HttpService readiness() {
    return (ctx, req) -> {
      if (!ready.getAsBoolean()) {
        return AdminResponses.response(
            AdminResponses.problem(HttpStatus.SERVICE_UNAVAILABLE, "not-ready", "starting or stopping"));
      }
      String mode = store.mode();
      long generation = config.current().generation();
      return AdminResponses.json(g -> {
        g.writeStartObject();
        g.writeStringField("status", mode.equals("local") || mode.equals("redis") ? "ready" : "degraded");
        g.writeNumberField("generation", generation);
        g.writeFieldName("store");
        Stores.writeJson(g, config.effective().store(), mode);
        g.writeEndObject();
      });
    };
  }

  /**
   * {@code GET /metrics}: the Prometheus text format. The store's aggregate levels are read first,
   * so the token gauges show what it holds at scrape time (NaN if it did not answer).
   */
  public HttpService metrics() {
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
  public HttpService getConfig() {
    return (ctx, req) -> {
      LiveConfig.Snapshot s = config.current();
      if (wantsJson(req.headers().accept())) {
        return AdminResponses.json(g -> {
          g.writeStartObject();
          g.writeNumberField("generation", s.generation());
          JsonBodies.stringField(g, "source", s.source());
          JsonBodies.stringField(g, "summary", s.config().summary());
          writeRestartView(g, s);
          JsonBodies.stringField(g, "yaml", s.yaml());
          g.writeEndObject();
        });
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
   * Writes the members {@code restartRequired}, then {@code configured} and {@code effective},
   * each {@code {"server":{"bind","port","admin-bind","admin-port","grpc-port"},"store":{...}}}: the
   * restart-only settings as the config names them and as the process uses them (the ports it is
   * bound to, the store it opened, with the mode decisions are made in now).
   */
  private void writeRestartView(JsonGenerator g, LiveConfig.Snapshot s) throws IOException {
    g.writeArrayFieldStart("restartRequired");
    for (String setting : s.restartRequired()) {
      JsonBodies.string(g, setting);
    }
    g.writeEndArray();
    LiveConfig.Effective e = config.effective();
    g.writeObjectFieldStart("configured");
    writeServer(g, s.config().server());
    g.writeFieldName("store");
    Stores.writeJson(g, s.config().store(), null);
    g.writeEndObject();
    g.writeObjectFieldStart("effective");
    writeServer(g, e.server());
    g.writeFieldName("store");
    Stores.writeJson(g, e.store(), store.mode());
    g.writeEndObject();
  }

  private static void writeServer(JsonGenerator g, ServerConfig c) throws IOException {
    g.writeObjectFieldStart("server");
    JsonBodies.stringField(g, "bind", c.bind());
    g.writeNumberField("port", c.port());
    JsonBodies.stringField(g, "admin-bind", c.adminBind());
    g.writeNumberField("admin-port", c.adminPort());
    g.writeNumberField("grpc-port", c.grpcPort());
    g.writeEndObject();
  }

  /** {@code PUT /admin/config}: validates the YAML body fully, then swaps it in atomically. */
  public HttpService putConfig() {
    return (ctx, req) -> HttpResponse.of(req.aggregate().thenApplyAsync(agg -> {
      String yaml;
      try {
        yaml = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(ByteBuffer.wrap(agg.content().array())).toString();
      } catch (CharacterCodingException e) {
        return AdminResponses.response(Problem.badRequest("the body is not UTF-8 text", List.of()));
      }
      try {
        LiveConfig.Snapshot s = config.apply(yaml, "PUT /admin/config");
        return AdminResponses.json(g -> {
          g.writeStartObject();
          g.writeBooleanField("applied", true);
          g.writeNumberField("generation", s.generation());
          JsonBodies.stringField(g, "summary", s.config().summary());
          writeRestartView(g, s);
          g.writeEndObject();
        });
      } catch (ConfigException e) {
        List<Problem.FieldError> errors = new ArrayList<>();
        for (ConfigProblem p : e.problems()) {
          errors.add(new Problem.FieldError(p.path(), p.line(), p.message()));
        }
        int n = errors.size();
        String detail = (n == 1 ? "1 problem" : n + " problems") + "; the running config is unchanged";
        return AdminResponses.response(new Problem(HttpStatus.BAD_REQUEST.code(),
            Problem.TYPE_PREFIX + "invalid-config", "Invalid Config", detail, errors));
      }
    }, ctx.blockingTaskExecutor()).exceptionally(HttpResponse::ofFailure)); // AdminErrors: 4xx or logged 500
  }

  /** {@code GET /admin/buckets/{key}[?tier=T]}: the client's levels, tokens and rates. */
  public HttpService buckets() {
    return (ctx, req) -> {
      String key = ctx.pathParam("key");
      String named = ctx.queryParam("tier");
      String tier = config.current().identity().tierOf(key, named);
      if (key == null || key.isEmpty() || key.length() > Identity.MAX_KEY_LENGTH) {
        return AdminResponses.response(
            Problem.badRequest("key: expected 1 to " + Identity.MAX_KEY_LENGTH + " characters", List.of()));
      }
      if (!store.spec().tiers().containsKey(tier)) {
        return AdminResponses.response(AdminResponses.problem(HttpStatus.NOT_FOUND, "unknown-tier",
            "unknown tier \"" + tier + "\" (expected: one of " + store.spec().tiers().keySet() + ")"));
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
    Problem p = AdminResponses.problem(HttpStatus.SERVICE_UNAVAILABLE, "store-unavailable",
        "the bucket store did not answer; the cause is in the server log under this request id");
    return AdminResponses.aggregated(p, null, g -> JsonBodies.stringField(g, "requestId", id)).toHttpResponse();
  }

  /** Returns {@code nanos} in whole milliseconds, rounded up as the edge's decision API rounds it. */
  private static long ceilMillis(long nanos) {
    return nanos <= 0 ? 0 : Math.ceilDiv(nanos, 1_000_000L);
  }

  private static HttpResponse levels(String key, String tier, List<LevelState> levels) {
    return AdminResponses.json(g -> {
      g.writeStartObject();
      JsonBodies.stringField(g, "key", key);
      JsonBodies.stringField(g, "tier", tier);
      g.writeArrayFieldStart("levels");
      for (LevelState s : levels) {
        g.writeStartObject();
        g.writeStringField("level", s.level().label());
        g.writeNumberField("burst", s.limit().burst());
        g.writeStringField("rate", s.limit().rate().toString());
        g.writeNumberField("ratePerSecond", s.limit().rate().perSecond());
        g.writeNumberField("tokens", s.tokens());
        g.writeNumberField("resetAfterMs", ceilMillis(s.resetAfterNanos()));
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    });
  }
}
