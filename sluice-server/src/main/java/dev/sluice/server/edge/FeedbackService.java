package dev.sluice.server.edge;

import dev.sluice.server.http.JsonBodies;
import dev.sluice.server.http.Problem;
import dev.sluice.server.live.LiveConfig;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code POST /v1/feedback}: a gateway reports upstream outcomes ({@code key}, {@code latencyMs},
 * {@code status}, one object or an array), which feed the adaptive control loop, the {@code
 * sluice_upstream_*} meters and the request log exactly as proxied requests do. An item may hand
 * back the {@code permit} its decision carried, which is released; a permit that is unknown,
 * already released or expired is not an error (the report is still accepted; it is just not
 * counted as released). An item may also hand back its decision's {@code decisionId}, which is
 * only echoed into the request log's feedback line so that the outcome joins its decision; it must
 * be well formed ({@link dev.sluice.requestlog.DecisionIds#isWellFormed}) but is not checked against
 * the ids issued (the decision may come from another node or before a restart). Answers 202 with {@code {"accepted": n, "released": m}}; a bad body gets a
 * 400 problem and records and releases nothing.
 */
final class FeedbackService {

  private final Edge edge;

  FeedbackService(Edge edge) {
    this.edge = edge;
  }

  /**
   * Answers one request body.
   *
   * @throws BadRequestException if the body is not a valid feedback report
   */
  Reply accept(byte[] body) {
    RequestBodies.Parsed<RequestBodies.Feedback> parsed = RequestBodies.feedback(body);
    List<RequestBodies.Feedback> items = parsed.items();
    List<Problem.FieldError> errors = new ArrayList<>();
    for (int i = 0; i < items.size(); i++) {
      String tier = items.get(i).tier();
      String unknown = tier == null ? null : edge.admission().unknownTier(tier);
      if (unknown != null) {
        RequestBodies.add(errors, (parsed.batch() ? "/" + i : "") + "/tier", unknown);
      }
    }
    if (!errors.isEmpty()) {
      return Reply.problem(new Problem(HttpResponseStatus.BAD_REQUEST, "urn:sluice:problem:unknown-tier",
          "Bad Request", "unknown tier", errors));
    }
    LiveConfig.Snapshot snap = edge.config().current();
    int released = 0;
    for (RequestBodies.Feedback f : items) {
      if (f.permit() != 0 && edge.admission().release(f.permit())) {
        released++;
      }
      long nanos = Math.round(f.latencyMs() * 1_000_000.0);
      edge.upstream(nanos, f.status(), f.path() == null ? 1
          : edge.admission().costOf(f.method() == null ? "GET" : f.method(), f.path()));
      if (edge.logRequest()) {
        edge.logFeedback(f.decisionId(), f.key(), snap.identity().tierOf(f.key(), f.tier()), f.method(), f.path(),
            nanos, f.status());
      }
    }
    int accepted = items.size();
    int freed = released;
    return Reply.json(202, JsonBodies.write(g -> {
      g.writeStartObject();
      g.writeNumberField("accepted", accepted);
      g.writeNumberField("released", freed);
      g.writeEndObject();
    }));
  }
}
