package dev.sluice.server.admin;

import com.fasterxml.jackson.core.JsonGenerator;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.server.HttpService;
import dev.sluice.ml.live.DemandModel;
import dev.sluice.ml.registry.CorruptArtifactException;
import dev.sluice.ml.registry.ModelEntry;
import dev.sluice.ml.registry.ModelMetadata;
import dev.sluice.ml.registry.ModelRegistry;
import dev.sluice.ml.registry.SchemaMismatchException;
import dev.sluice.server.http.JsonBodies;
import dev.sluice.server.live.Prediction;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The model routes: {@code GET /admin/models} lists the registry {@code adaptive.predictive.models}
 * names (every version with its metadata, whether it is active, and whether the running demand
 * features can use it), and {@code POST /admin/models/{version}/activate} makes a version the
 * active model: 404 for an unknown version, 409 for a model trained on other features (schema
 * mismatch) or a broken artifact, 409 as well when no registry is configured. Registry I/O runs on
 * the blocking task executor, never on an event loop.
 */
public final class ModelsService {

  private final Prediction prediction;

  public ModelsService(Prediction prediction) {
    this.prediction = prediction;
  }

  /** {@code GET /admin/models}. */
  public HttpService list() {
    return (ctx, req) -> HttpResponse.of(CompletableFuture.supplyAsync(() -> {
      ModelRegistry r = prediction.registry();
      List<ModelEntry> entries;
      String active;
      try {
        entries = r == null ? List.of() : r.list();
        active = r == null ? null : r.activeVersion().orElse(null);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return AdminResponses.json(g -> {
        g.writeStartObject();
        JsonBodies.stringField(g, "directory", r == null ? null : r.directory().toString());
        JsonBodies.stringField(g, "active", active);
        JsonBodies.stringField(g, "inUse", prediction.modelVersion());
        JsonBodies.stringField(g, "featureSchemaHash", DemandModel.SCHEMA_HASH);
        g.writeArrayFieldStart("models");
        for (ModelEntry e : entries) {
          write(g, e);
        }
        g.writeEndArray();
        g.writeEndObject();
      });
    }, ctx.blockingTaskExecutor()));
  }

  private static void write(JsonGenerator g, ModelEntry e) throws IOException {
    g.writeStartObject();
    JsonBodies.stringField(g, "version", e.version());
    g.writeBooleanField("active", e.active());
    if (e instanceof ModelEntry.Broken b) {
      g.writeBooleanField("usable", false);
      JsonBodies.stringField(g, "problem", b.problem());
    } else if (e instanceof ModelEntry.Valid v) {
      ModelMetadata m = v.metadata();
      g.writeBooleanField("usable", m.featureSchemaHash().equals(DemandModel.SCHEMA_HASH));
      g.writeFieldName("metadata");
      metadata(g, m);
    }
    g.writeEndObject();
  }

  /** Writes the metadata as {@code metadata.json} names its fields. */
  static void metadata(JsonGenerator g, ModelMetadata m) throws IOException {
    g.writeStartObject();
    JsonBodies.stringField(g, "kind", m.kind());
    JsonBodies.stringField(g, "target", m.target());
    JsonBodies.stringField(g, "createdAt", m.createdAt().toString());
    JsonBodies.stringField(g, "featureSchemaHash", m.featureSchemaHash());
    g.writeNumberField("windowSeconds", m.windowSeconds());
    g.writeArrayFieldStart("features");
    for (String f : m.features()) {
      JsonBodies.string(g, f);
    }
    g.writeEndArray();
    JsonBodies.stringField(g, "trainedFrom", m.trainedFrom().toString());
    JsonBodies.stringField(g, "trainedTo", m.trainedTo().toString());
    g.writeNumberField("trainingRows", m.trainingRows());
    g.writeObjectFieldStart("metrics");
    for (Map.Entry<String, Double> e : m.metrics().entrySet()) {
      g.writeNumberField(e.getKey(), e.getValue());
    }
    g.writeEndObject();
    g.writeObjectFieldStart("parameters");
    for (Map.Entry<String, String> e : m.parameters().entrySet()) {
      JsonBodies.stringField(g, e.getKey(), e.getValue());
    }
    g.writeEndObject();
    JsonBodies.stringField(g, "sha256", m.sha256());
    g.writeEndObject();
  }

  /** {@code POST /admin/models/{version}/activate}. */
  public HttpService activate() {
    return (ctx, req) -> HttpResponse.of(CompletableFuture.supplyAsync(() -> {
      String version = ctx.pathParam("version");
      try {
        ModelMetadata m = prediction.activate(version);
        return AdminResponses.json(g -> {
          g.writeStartObject();
          g.writeBooleanField("activated", true);
          JsonBodies.stringField(g, "version", m.version());
          g.writeFieldName("metadata");
          metadata(g, m);
          g.writeEndObject();
        });
      } catch (SchemaMismatchException e) {
        return AdminResponses.response(AdminResponses.problem(HttpStatus.CONFLICT, "schema-mismatch",
            e.getMessage() + "; the active model is unchanged"));
      } catch (CorruptArtifactException e) {
        return AdminResponses.response(AdminResponses.problem(HttpStatus.CONFLICT, "broken-model",
            e.getMessage() + "; the active model is unchanged"));
      } catch (IllegalStateException e) {
        return AdminResponses.response(AdminResponses.problem(HttpStatus.CONFLICT, "no-model-registry",
            e.getMessage()));
      } catch (IllegalArgumentException e) {
        return AdminResponses.response(AdminResponses.problem(HttpStatus.NOT_FOUND, "unknown-model",
            "unknown model " + e.getMessage()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }, ctx.blockingTaskExecutor()));
  }
}
