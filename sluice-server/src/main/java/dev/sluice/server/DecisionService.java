package dev.sluice.server;

import dev.sluice.core.Decision;
import dev.sluice.core.Limit;
import io.netty.handler.codec.http.HttpHeaders;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code POST /v1/decisions}: decides one request or a batch for a gateway, and answers 200 with
 * the decision (whether allowed or not) as JSON; a single decision also carries the {@code
 * RateLimit-Policy} and {@code RateLimit} header fields. Bad bodies get 4xx problems and change no
 * bucket: every item of a batch is validated before any is decided. Runs on the event loop.
 */
final class DecisionService {


  private final Edge edge;

  DecisionService(Edge edge) {
    this.edge = edge;
  }

  /**
   * Answers one request body; the stage is already complete unless a shared store decides.
   *
   * @throws BadRequestException if the body is not a valid decision request
   */
  CompletionStage<Reply> decide(byte[] body) {
    RequestBodies.Parsed<RequestBodies.DecisionRequest> parsed = RequestBodies.decisions(body);
    List<RequestBodies.DecisionRequest> items = parsed.items();
    LiveConfig.Snapshot snap = edge.config().current();
    Admission admission = edge.admission();
    String[] tierOf = new String[items.size()];
    List<Problem.FieldError> errors = null;
    for (int i = 0; i < items.size(); i++) {
      RequestBodies.DecisionRequest r = items.get(i);
      String tier = snap.identity().tierOf(r.key(), r.tier());
      String unknown = admission.unknownTier(tier);
      if (unknown != null) {
        errors = errors == null ? new ArrayList<>() : errors;
        RequestBodies.add(errors, (parsed.batch() ? "/" + i : "") + "/tier", unknown);
      }
      tierOf[i] = tier;
    }
    if (errors != null) {
      throw new BadRequestException(new Problem(com.linecorp.armeria.common.HttpStatus.BAD_REQUEST, "urn:sluice:problem:unknown-tier",
          "Bad Request", "unknown tier", errors));
    }
    Admission.Verdict[] decided = new Admission.Verdict[items.size()];
    // A batch is decided in order, one after another; a store that answers at once keeps this inline.
    CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
    for (int i = 0; i < items.size(); i++) {
      int n = i;
      RequestBodies.DecisionRequest r = items.get(i);
      int cost = r.cost() > 0 ? r.cost()
          : r.path() == null ? 1 : admission.costOf(r.method() == null ? "GET" : r.method(), r.path());
      chain = chain.thenCompose(v -> admission.decide(r.key(), tierOf[n], cost, r.method(), r.path())
          .thenAccept(d -> decided[n] = d));
    }
    return chain.handle((v, err) -> err == null ? respond(parsed, decided) : admission.storeUnavailable(err));
  }

  private Reply respond(RequestBodies.Parsed<RequestBodies.DecisionRequest> parsed, Admission.Verdict[] decided) {
    List<RequestBodies.DecisionRequest> items = parsed.items();
    StringBuilder sb = new StringBuilder(parsed.batch() ? 200 * items.size() : 256);
    if (parsed.batch()) {
      sb.append('[');
    }
    Admission.Verdict last = null;
    for (int i = 0; i < items.size(); i++) {
      last = decided[i];
      if (i > 0) {
        sb.append(',');
      }
      write(sb, last);
      record(items.get(i), last);
    }
    if (parsed.batch()) {
      sb.append(']');
    }
    HttpHeaders h = Reply.fields();
    if (!parsed.batch()) {
      RateLimitHeaders.addRateLimit(h, last.tier(), last.decision());
    }
    return Reply.json(200, h, sb.toString());
  }

  /** Writes one decision as the JSON object documented in {@code docs/server.md}. */
  static void write(StringBuilder sb, Admission.Verdict decided) {
    Decision d = decided.decision();
    Limit limit = d.limit();
    sb.append("{\"allowed\":").append(d.allowed());
    sb.append(",\"remaining\":").append(Math.max(0, d.remaining()));
    sb.append(",\"retryAfterMs\":");
    if (d.retryAfterNanos() == Long.MAX_VALUE) {
      sb.append("null");
    } else {
      sb.append(RateLimitHeaders.ceilMillis(d.retryAfterNanos()));
    }
    sb.append(",\"resetAfterMs\":").append(RateLimitHeaders.ceilMillis(d.resetAfterNanos()));
    sb.append(",\"limit\":{\"level\":\"").append(d.level().label());
    sb.append("\",\"burst\":").append(limit.burst());
    sb.append(",\"rate\":\"").append(limit.rate());
    sb.append("\",\"ratePerSecond\":").append(limit.rate().perSecond());
    sb.append(",\"windowSeconds\":").append(RateLimitHeaders.windowSeconds(limit));
    sb.append("},\"deniedBy\":");
    if (d.allowed()) {
      sb.append("null");
    } else {
      sb.append('"').append(d.level().label()).append('"');
    }
    sb.append(",\"reason\":\"").append(reason(d)).append('"');
    sb.append(",\"tier\":");
    Json.string(sb, decided.tier());
    sb.append(",\"cost\":").append(decided.cost()).append('}');
  }

  private static String reason(Decision d) {
    return switch (d.reason()) {
      case ADMITTED -> "admitted";
      case EXHAUSTED -> "exhausted";
      case COST_EXCEEDS_BURST -> "cost_exceeds_burst";
    };
  }

  private void record(RequestBodies.DecisionRequest r, Admission.Verdict decided) {
    Decision d = decided.decision();
    if (edge.logRequest()) {
      edge.requestLog().offer(new RequestLogRecord(edge.wall().epochMillis(), "decision", r.key(),
          decided.tier(), r.method(), r.path(), 0, 0, -1, d.allowed() ? 200 : 429, d.allowed(),
          d.level().label(), decided.cost(), Math.max(0, d.remaining()), d.limit().rate().perSecond()));
    }
  }
}
