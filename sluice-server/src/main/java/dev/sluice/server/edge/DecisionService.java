package dev.sluice.server.edge;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import dev.sluice.core.Decision;
import dev.sluice.core.Limit;
import dev.sluice.server.admission.Admission;
import dev.sluice.server.http.BadRequestException;
import dev.sluice.server.http.JsonBodies;
import dev.sluice.server.http.Problem;
import dev.sluice.server.live.LiveConfig;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code POST /v1/decisions}: decides one request or a batch for a gateway, and answers 200 with
 * the decision (whether allowed or not) as JSON; a single decision also carries the {@code
 * RateLimit-Policy} and {@code RateLimit} header fields. Bad bodies get 4xx problems and change no
 * bucket: every item of a batch is validated before any is decided. A decision admitted under a
 * concurrency level carries its permit as a string id ({@link #permitId}) that the gateway hands
 * back on {@code /v1/feedback} ({@link FeedbackService}) when the request completes; one it never
 * hands back expires after {@code global.permit-timeout}. Every decision also carries a {@code
 * decisionId} ({@link dev.sluice.requestlog.DecisionIds}) that the gateway may hand back with its
 * feedback, so that the request log's outcome line joins the decision's line. Runs on the event loop.
 */
final class DecisionService {

  // Member names and reasons of the decision object, quoted once: the generator copies their bytes.
  private static final SerializedString ALLOWED = new SerializedString("allowed");
  private static final SerializedString ABNORMAL = new SerializedString("abnormal-usage-detected");
  private static final SerializedString REMAINING = new SerializedString("remaining");
  private static final SerializedString RETRY_AFTER_MS = new SerializedString("retryAfterMs");
  private static final SerializedString RESET_AFTER_MS = new SerializedString("resetAfterMs");
  private static final SerializedString LIMIT = new SerializedString("limit");
  private static final SerializedString LEVEL = new SerializedString("level");
  private static final SerializedString BURST = new SerializedString("burst");
  private static final SerializedString RATE = new SerializedString("rate");
  private static final SerializedString RATE_PER_SECOND = new SerializedString("ratePerSecond");
  private static final SerializedString WINDOW_SECONDS = new SerializedString("windowSeconds");
  private static final SerializedString DENIED_BY = new SerializedString("deniedBy");
  private static final SerializedString REASON = new SerializedString("reason");
  private static final SerializedString TIER = new SerializedString("tier");
  private static final SerializedString COST = new SerializedString("cost");
  private static final SerializedString PERMIT = new SerializedString("permit");
  private static final SerializedString DECISION_ID = new SerializedString("decisionId");
  private static final SerializedString ADMITTED = new SerializedString("admitted");
  private static final SerializedString EXHAUSTED = new SerializedString("exhausted");
  private static final SerializedString COST_EXCEEDS_BURST = new SerializedString("cost_exceeds_burst");
  private static final SerializedString IN_FLIGHT = new SerializedString("in_flight");

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
      throw new BadRequestException(new Problem(HttpResponseStatus.BAD_REQUEST, "urn:sluice:problem:unknown-tier",
          "Bad Request", "unknown tier", errors));
    }
    int[] costs = new int[items.size()];
    for (int i = 0; i < items.size(); i++) {
      RequestBodies.DecisionRequest r = items.get(i);
      costs[i] = r.cost() > 0 ? r.cost()
          : r.path() == null ? 1 : admission.costOf(r.method() == null ? "GET" : r.method(), r.path());
    }
    return decideFrom(0, parsed, tierOf, costs, new Admission.Verdict[items.size()]);
  }

  /**
   * Decides items {@code from} on, in order. While the store answers at once (the local store, a
   * Redis lease) this stays a loop on the event loop with no stage per item; the first answer that
   * has to wait chains the rest behind it.
   */
  private CompletionStage<Reply> decideFrom(int from, RequestBodies.Parsed<RequestBodies.DecisionRequest> parsed,
      String[] tierOf, int[] costs, Admission.Verdict[] decided) {
    List<RequestBodies.DecisionRequest> items = parsed.items();
    Admission admission = edge.admission();
    for (int i = from; i < items.size(); i++) {
      RequestBodies.DecisionRequest r = items.get(i);
      CompletableFuture<Admission.Verdict> v = admission.decide(r.key(), tierOf[i], costs[i], r.method(), r.path());
      if (!v.isDone()) {
        int n = i;
        return v.handle((d, err) -> {
          if (err != null) {
            return CompletableFuture.completedFuture(failed(decided, err));
          }
          decided[n] = d;
          return decideFrom(n + 1, parsed, tierOf, costs, decided);
        }).thenCompose(stage -> stage);
      }
      if (v.isCompletedExceptionally()) {
        return CompletableFuture.completedFuture(failed(decided, v.exceptionNow()));
      }
      decided[i] = v.resultNow();
    }
    return CompletableFuture.completedFuture(respond(parsed, decided));
  }

  /** A batch the store failed part of: the permits of the items already decided go back; 503. */
  private Reply failed(Admission.Verdict[] decided, Throwable err) {
    for (Admission.Verdict v : decided) {
      if (v != null) {
        edge.admission().release(v.decision().permit());
      }
    }
    return Failures.storeUnavailable(edge, err);
  }

  /**
   * Returns a permit handle as the string id the API shows: its decimal digits. A string, not a
   * JSON number: handles use all 63 bits, and a JavaScript client loses every integer above 2^53.
   */
  static String permitId(long permit) {
    return Long.toString(permit);
  }

  private Reply respond(RequestBodies.Parsed<RequestBodies.DecisionRequest> parsed, Admission.Verdict[] decided) {
    List<RequestBodies.DecisionRequest> items = parsed.items();
    boolean batch = parsed.batch();
    String[] ids = new String[decided.length];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = edge.decisionIds().next();
    }
    byte[] body = JsonBodies.write(g -> {
      if (batch) {
        g.writeStartArray();
      }
      for (int i = 0; i < decided.length; i++) {
        write(g, decided[i], ids[i]);
      }
      if (batch) {
        g.writeEndArray();
      }
    });
    for (int i = 0; i < items.size(); i++) {
      record(items.get(i), decided[i], ids[i]);
    }
    HttpHeaders h = Reply.fields();
    if (!batch) {
      Admission.Verdict only = decided[0];
      RateLimitHeaders.addRateLimit(h, only.tier(), only.decision());
    }
    return Reply.json(200, h, body);
  }

  /** Writes one decision, named {@code decisionId}, as the JSON object documented in {@code docs/server.md}. */
  static void write(JsonGenerator g, Admission.Verdict decided, String decisionId) throws IOException {
    Decision d = decided.decision();
    Limit limit = d.limit();
    String level = d.level().label();
    g.writeStartObject();
    g.writeFieldName(ALLOWED);
    g.writeBoolean(d.allowed());
    g.writeFieldName(REMAINING);
    g.writeNumber(Math.max(0, d.remaining()));
    g.writeFieldName(RETRY_AFTER_MS);
    if (d.retryAfterNanos() == Long.MAX_VALUE) {
      g.writeNull();
    } else {
      g.writeNumber(RateLimitHeaders.ceilMillis(d.retryAfterNanos()));
    }
    g.writeFieldName(RESET_AFTER_MS);
    g.writeNumber(RateLimitHeaders.ceilMillis(d.resetAfterNanos()));
    g.writeFieldName(LIMIT);
    g.writeStartObject();
    g.writeFieldName(LEVEL);
    g.writeString(level);
    g.writeFieldName(BURST);
    g.writeNumber(limit.burst());
    g.writeFieldName(RATE);
    g.writeString(limit.rate().toString());
    g.writeFieldName(RATE_PER_SECOND);
    g.writeNumber(limit.rate().perSecond());
    g.writeFieldName(WINDOW_SECONDS);
    g.writeNumber(RateLimitHeaders.windowSeconds(limit));
    g.writeEndObject();
    g.writeFieldName(DENIED_BY);
    if (d.allowed()) {
      g.writeNull();
    } else {
      g.writeString(level);
    }
    g.writeFieldName(REASON);
    if (decided.abnormal()) {
      g.writeString(ABNORMAL);
    } else {
      g.writeString(reason(d));
    }
    JsonBodies.stringField(g, TIER, decided.tier());
    g.writeFieldName(COST);
    g.writeNumber(decided.cost());
    g.writeFieldName(PERMIT);
    if (d.permit() == 0) {
      g.writeNull();
    } else {
      g.writeString(permitId(d.permit()));
    }
    g.writeFieldName(DECISION_ID);
    g.writeString(decisionId);
    g.writeEndObject();
  }

  private static SerializedString reason(Decision d) {
    return switch (d.reason()) {
      case ADMITTED -> ADMITTED;
      case EXHAUSTED -> EXHAUSTED;
      case COST_EXCEEDS_BURST -> COST_EXCEEDS_BURST;
      case IN_FLIGHT -> IN_FLIGHT;
    };
  }

  private void record(RequestBodies.DecisionRequest r, Admission.Verdict decided, String decisionId) {
    if (edge.logRequest()) {
      edge.logDecided("decision", decisionId, r.key(), decided, r.method(), r.path(), 0, 0, -1,
          decided.decision().allowed() ? 200 : 429);
    }
  }
}
