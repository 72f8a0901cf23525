package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.core.Clock;
import dev.sluice.ml.live.DemandModel;
import dev.sluice.ml.registry.ModelMetadata;
import dev.sluice.ml.registry.ModelRegistry;
import dev.sluice.ml.registry.NewModel;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The predictive controller inside {@code sluice serve}, over real sockets: {@code POST /v1/predict},
 * the model meters, {@code GET /admin/models} and {@code POST /admin/models/{version}/activate}.
 * Demand comes from a thread calling {@code /v1/decisions}; intervals are 100 ms.
 */
@Timeout(90)
class PredictiveServeTest {

  @TempDir
  Path models;

  private String config(String controllers, String forecaster) {
    return """
        tiers:
          free:
            per-client: { burst: 100000, rate: 100000/s }
        global: { burst: 4000, rate: 2000/s }
        adaptive:
          enabled: true
          interval: 100ms
          controllers: %s
          predictive: { period: 100ms, history: 30, min-history: 5, forecaster: %s, models: "%s" }
        """.formatted(controllers, forecaster, models);
  }

  /** Calls /v1/decisions in a loop until closed. */
  private static final class Demand implements AutoCloseable {
    final AtomicBoolean running = new AtomicBoolean(true);
    final Thread thread;

    Demand(Harness sluice) {
      thread = Thread.ofVirtual().start(() -> {
        while (running.get()) {
          sluice.post(sluice.edge("/v1/decisions"), "{\"key\": \"k\", \"tier\": \"free\"}");
        }
      });
    }

    @Override
    public void close() {
      running.set(false);
      try {
        thread.join();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  private static double metric(Harness sluice, String name, String... labels) {
    Double v = PrometheusText.parse(sluice.adminGet("/metrics").body()).value(name, labels);
    return v == null ? Double.NaN : v;
  }

  @Test
  @SuppressWarnings("try") // the demand thread runs for the block
  void predictAnswersTheForecastAndTheMetersMove() throws Exception {
    try (Harness sluice = Harness.start(config("[capacity, predictive]", "holt"), Clock.system());
        Demand demand = new Demand(sluice)) {
      // The tier's history starts with its first demand, the global one with the loop.
      Harness.await(Duration.ofSeconds(30), "a global and a tier forecast",
          () -> sluice.post(sluice.edge("/v1/predict"), "{}").statusCode() == 200
              && sluice.post(sluice.edge("/v1/predict"), "{\"tier\": \"free\"}").statusCode() == 200);
      JsonNode global = Harness.json(sluice.post(sluice.edge("/v1/predict"), "{}"));
      assertThat(global.get("scope").asText()).isEqualTo("global");
      assertThat(global.get("model").asText()).isEqualTo("online:holt");
      assertThat(global.get("forecast").asDouble()).isPositive();
      assertThat(global.get("rate").asDouble()).isGreaterThanOrEqualTo(global.get("forecast").asDouble());
      assertThat(global.get("windowSeconds").asDouble()).isEqualTo(0.1);
      assertThat(global.get("windows").asInt()).isBetween(5, 30);
      HttpResponse<String> tierRes = sluice.post(sluice.edge("/v1/predict"), "{\"tier\": \"free\"}");
      assertThat(tierRes.statusCode()).as(tierRes.body()).isEqualTo(200);
      JsonNode tier = Harness.json(tierRes);
      assertThat(tier.get("scope").asText()).isEqualTo("tier");
      assertThat(tier.get("tier").asText()).isEqualTo("free");
      assertThat(tier.get("forecast").asDouble()).isPositive();

      Harness.await(Duration.ofSeconds(30), "prediction errors and the drift of demand", () -> {
        PrometheusText m = PrometheusText.parse(sluice.adminGet("/metrics").body());
        Double over = m.value("sluice_model_prediction_error_count", "direction", "over");
        Double under = m.value("sluice_model_prediction_error_count", "direction", "under");
        Double psi = m.value("sluice_feature_drift", "feature", "demand");
        Double tierPsi = m.value("sluice_feature_drift", "feature", "demand.free");
        return over != null && under != null && over + under > 10 && psi != null && !psi.isNaN()
            && tierPsi != null && !tierPsi.isNaN();
      });
      assertThat(metric(sluice, "sluice_model_version", "version", "online:holt")).isEqualTo(1.0);
      // Exported; the first forecasts, before the JIT compiles the fit, may pass the 2 ms budget.
      assertThat(metric(sluice, "sluice_model_fallbacks_total")).isGreaterThanOrEqualTo(0.0);
      assertThat(sluice.server.controlLoop().predictive().lastFallback()).satisfiesAnyOf(
          why -> assertThat(why).isNull(), why -> assertThat(why).startsWith("timeout"));
    }
  }

  @Test
  void badPredictRequestsAreProblems() throws Exception {
    try (Harness sluice = Harness.start(config("[capacity]", "holt"), Clock.system())) {
      HttpResponse<String> none = sluice.post(sluice.edge("/v1/predict"), "{}");
      assertThat(none.statusCode()).isEqualTo(503);
      assertThat(Harness.json(none).get("type").asText()).isEqualTo("urn:sluice:problem:no-forecast");
      HttpResponse<String> unknown = sluice.post(sluice.edge("/v1/predict"), "{\"tier\": \"gold\"}");
      assertThat(unknown.statusCode()).isEqualTo(400);
      assertThat(Harness.json(unknown).get("errors").get(0).get("pointer").asText()).isEqualTo("/tier");
      assertThat(sluice.post(sluice.edge("/v1/predict"), "{\"horizon\": 3}").statusCode()).isEqualTo(400);
      assertThat(sluice.post(sluice.edge("/v1/predict"), "[{}]").statusCode()).isEqualTo(400);
      assertThat(sluice.get(sluice.edge("/v1/predict")).statusCode()).isEqualTo(405);
    }
  }

  @Test
  @SuppressWarnings("try") // the demand thread runs for the block
  void modelsAreListedAndActivatedAndAModelOfOtherFeaturesIsRefused() throws Exception {
    ModelRegistry registry = ModelRegistry.open(models);
    double[] y = new double[200];
    for (int i = 0; i < y.length; i++) {
      y[i] = 50 + 20 * Math.sin(i / 10.0);
    }
    ModelMetadata demand = registry.register(DemandModel.train(y, 1, Instant.parse("2026-12-01T00:00:00Z")).model());
    ModelMetadata tokens = registry.register(new NewModel("xgboost", "tokens_next", "sha256:" + "1".repeat(64), 10,
        List.of("count"), Instant.EPOCH, Instant.EPOCH, 10, Map.of("mae", 2.0), Map.of(), Map.of(), "model.bin",
        p -> Files.writeString(p, "x")));
    try (Harness sluice = Harness.start(config("[capacity, predictive]", "model"), Clock.system());
        Demand traffic = new Demand(sluice)) {
      // No model is active yet: the controller falls back and counts it.
      Harness.await(Duration.ofSeconds(30), "fallbacks while no model is active",
          () -> metric(sluice, "sluice_model_fallbacks_total") > 0);
      assertThat(sluice.post(sluice.edge("/v1/predict"), "{}").statusCode()).isEqualTo(503);

      JsonNode list = Harness.json(sluice.adminGet("/admin/models"));
      assertThat(list.get("directory").asText()).isEqualTo(models.toString());
      assertThat(list.get("active").isNull()).isTrue();
      assertThat(list.get("models")).hasSize(2);
      JsonNode first = list.get("models").get(0);
      assertThat(first.get("version").asText()).isEqualTo(demand.version());
      assertThat(first.get("usable").asBoolean()).isTrue();
      assertThat(first.get("metadata").get("kind").asText()).isEqualTo("demand-holt");
      assertThat(first.get("metadata").get("metrics").get("backtest_mae").asDouble()).isPositive();
      assertThat(list.get("models").get(1).get("usable").asBoolean()).isFalse();

      HttpResponse<String> unknown = activate(sluice, "99");
      assertThat(unknown.statusCode()).isEqualTo(404);
      assertThat(Harness.json(unknown).get("type").asText()).isEqualTo("urn:sluice:problem:unknown-model");
      HttpResponse<String> mismatch = activate(sluice, tokens.version());
      assertThat(mismatch.statusCode()).isEqualTo(409);
      assertThat(Harness.json(mismatch).get("type").asText()).isEqualTo("urn:sluice:problem:schema-mismatch");
      assertThat(Harness.json(mismatch).get("detail").asText()).contains("trained on feature schema 11111111");
      assertThat(registry.activeVersion()).isEmpty();

      HttpResponse<String> ok = activate(sluice, demand.version());
      assertThat(ok.statusCode()).isEqualTo(200);
      assertThat(Harness.json(ok).get("version").asText()).isEqualTo(demand.version());
      assertThat(registry.activeVersion()).contains(demand.version());
      Harness.await(Duration.ofSeconds(30), "a forecast by the activated model", () -> {
        HttpResponse<String> p = sluice.post(sluice.edge("/v1/predict"), "{}");
        return p.statusCode() == 200 && Harness.json(p).get("model").asText().equals(demand.version());
      });
      // The gauge follows at the end of the control step that switched the model: wait for it.
      Harness.await(Duration.ofSeconds(30), "sluice_model_version of the activated model",
          () -> metric(sluice, "sluice_model_version", "version", demand.version()) == 1.0);
      JsonNode after = Harness.json(sluice.adminGet("/admin/models"));
      assertThat(after.get("active").asText()).isEqualTo(demand.version());
      assertThat(after.get("inUse").asText()).isEqualTo(demand.version());
    }
  }

  private static HttpResponse<String> activate(Harness sluice, String version) {
    return sluice.post(sluice.admin("/admin/models/" + version + "/activate"), "", "Authorization",
        "Bearer " + Harness.TOKEN);
  }
}
