package dev.sluice.server.edge;

import dev.sluice.adaptive.DemandForecaster;
import dev.sluice.adaptive.PredictiveController;
import dev.sluice.server.http.BadRequestException;
import dev.sluice.server.http.JsonBodies;
import dev.sluice.server.http.Problem;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code POST /v1/predict}: the demand forecast of the next control interval, for gateways that
 * want the forecast itself. Body {@code {}} for the global demand, or {@code {"tier": T}} for one
 * tier's; answers 200 with {@code scope}, {@code tier}, {@code windowSeconds}, {@code forecast} and
 * {@code upper} (tokens per second; {@code upper} is the 90 % interval's upper bound, {@code null}
 * without one), {@code rate} (global only: what the predictive controller proposes or lifts to),
 * {@code model} and {@code windows} (history length). 400 for a bad body or an unknown tier; 503
 * with {@code urn:sluice:problem:no-forecast} when no predictive controller runs or it has no
 * forecast (warming up, or its last run fell back). The global answer is the control loop's last
 * forecast; a tier's is computed from the tier's history on the event loop (one fit over at most
 * {@code adaptive.predictive.history} windows; well under a millisecond for the online models).
 */
final class PredictService {

  private final Edge edge;

  PredictService(Edge edge) {
    this.edge = edge;
  }

  /**
   * Answers one request body.
   *
   * @throws BadRequestException if the body is not a valid predict request
   */
  Reply predict(byte[] body) {
    String tier = RequestBodies.predict(body);
    if (tier != null) {
      String unknown = edge.admission().unknownTier(tier);
      if (unknown != null) {
        List<Problem.FieldError> errors = new ArrayList<>();
        RequestBodies.add(errors, "/tier", unknown);
        return Reply.problem(new Problem(HttpResponseStatus.BAD_REQUEST, "urn:sluice:problem:unknown-tier",
            "Bad Request", "unknown tier", errors));
      }
    }
    PredictiveController c = edge.adaptation().prediction().controller();
    if (c == null) {
      return noForecast("the predictive controller is not running (adaptive.enabled and a controllers list with"
          + " predictive are needed)");
    }
    double window = edge.config().current().config().adaptive().interval().toNanos() / 1e9;
    String model = c.modelVersion();
    if (tier == null) {
      PredictiveController.Outlook o = c.outlook();
      if (o == null) {
        String why = c.lastFallback();
        return noForecast(why != null && c.history().length >= c.settings().minHistory()
            ? "the last forecast fell back (" + why + ")"
            : "warming up: " + c.history().length + " of " + c.settings().minHistory() + " windows of history");
      }
      return answer("global", null, window, o.point(), o.upper(), o.target(), o.version(), o.windows());
    }
    DemandForecaster.Forecast f = c.forecastTier(tier);
    if (f == null) {
      return noForecast("no forecast for tier " + tier + " (too little history, or no model)");
    }
    return answer("tier", tier, window, f.point(), f.upper(), Double.NaN, model, -1);
  }

  private static Reply answer(String scope, String tier, double window, double point, double upper, double rate,
      String model, int windows) {
    byte[] json = JsonBodies.write(g -> {
      g.writeStartObject();
      g.writeStringField("scope", scope);
      JsonBodies.stringField(g, "tier", tier);
      g.writeNumberField("windowSeconds", window);
      g.writeNumberField("forecast", round(point));
      if (Double.isNaN(upper)) {
        g.writeNullField("upper");
      } else {
        g.writeNumberField("upper", round(upper));
      }
      if (!Double.isNaN(rate)) {
        g.writeNumberField("rate", round(rate));
      }
      JsonBodies.stringField(g, "model", model);
      if (windows >= 0) {
        g.writeNumberField("windows", windows);
      }
      g.writeEndObject();
    });
    return Reply.json(200, json);
  }

  private static double round(double v) {
    return Math.round(v * 1000) / 1000.0;
  }

  private static Reply noForecast(String detail) {
    return Reply.problem(Problem.of(503, "no-forecast", detail));
  }
}
