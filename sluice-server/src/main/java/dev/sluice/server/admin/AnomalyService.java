package dev.sluice.server.admin;

import com.linecorp.armeria.server.HttpService;
import dev.sluice.adaptive.flood.FloodEvent;
import dev.sluice.adaptive.flood.FloodResponse;
import dev.sluice.server.live.Anomalies;
import java.util.Map;

/**
 * {@code GET /admin/anomalies}: whether the flood response runs, its current scores (global, per
 * tier, per offending client) and its recent events (at most 256, oldest first), each with kind,
 * scope, score, start, end ({@code null} while it lasts) and action.
 */
public final class AnomalyService {

  private final Anomalies anomalies;

  /** Serves what {@code anomalies} runs. */
  public AnomalyService(Anomalies anomalies) {
    this.anomalies = anomalies;
  }

  /** The handler. */
  public HttpService list() {
    return (ctx, req) -> {
      FloodResponse r = anomalies.response();
      long zero = anomalies.epochMillisAtZero();
      return AdminResponses.json(g -> {
        g.writeStartObject();
        g.writeBooleanField("enabled", r != null);
        g.writeObjectFieldStart("scores");
        if (r != null) {
          g.writeNumberField("global", r.globalScore());
          for (Map.Entry<String, Double> e : r.tierScores().entrySet()) {
            g.writeNumberField("tier:" + e.getKey(), e.getValue());
          }
          for (Map.Entry<String, Double> e : r.clientScores().entrySet()) {
            g.writeNumberField("client:" + e.getKey(), e.getValue());
          }
        }
        g.writeEndObject();
        g.writeArrayFieldStart("events");
        if (r != null) {
          for (FloodEvent e : r.events()) {
            g.writeRawValue(e.toJson(zero));
          }
        }
        g.writeEndArray();
        g.writeEndObject();
      });
    };
  }
}
