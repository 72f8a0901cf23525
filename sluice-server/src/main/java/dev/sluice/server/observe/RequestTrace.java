package dev.sluice.server.observe;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.List;

/**
 * The spans of one edge request: {@code sluice.request} (server kind, the whole exchange), its
 * children {@code sluice.decision} (the limiter: tier, cost, decision, the level that denied, the
 * refill rate of the deciding level) and {@code sluice.upstream} (client kind, the proxied call),
 * whose context goes upstream in a W3C {@code traceparent}. Confined to the request's event loop,
 * like the exchange that holds it; created only when tracing is on ({@link Tracing#request}).
 */
public final class RequestTrace {

  /** Attribute keys, created once. */
  static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
  static final AttributeKey<String> PATH = AttributeKey.stringKey("url.path");
  static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
  public static final AttributeKey<String> TIER = AttributeKey.stringKey("sluice.tier");
  public static final AttributeKey<Long> COST = AttributeKey.longKey("sluice.cost");
  public static final AttributeKey<String> DECISION = AttributeKey.stringKey("sluice.decision");
  public static final AttributeKey<String> DENIED_BY = AttributeKey.stringKey("sluice.denied_level");
  public static final AttributeKey<Double> REFILL_RATE = AttributeKey.doubleKey("sluice.refill_rate");
  public static final AttributeKey<Boolean> ABNORMAL = AttributeKey.booleanKey("sluice.abnormal");

  private static final TextMapGetter<String[]> INCOMING = new TextMapGetter<>() {
    @Override
    @SuppressWarnings("deprecation") // still abstract in TextMapGetter; the W3C propagator does not call it
    public Iterable<String> keys(String[] carrier) {
      return List.of("traceparent", "tracestate");
    }

    @Override
    public String get(String[] carrier, String key) {
      return carrier == null ? null : key.equals("traceparent") ? carrier[0] : key.equals("tracestate") ? carrier[1] : null;
    }
  };

  private final Tracer tracer;
  private final Span root;
  private final Context context;
  private Span decision;
  private Span upstream;

  private RequestTrace(Tracer tracer, Span root, Context context) {
    this.tracer = tracer;
    this.root = root;
    this.context = context;
  }

  /** Starts the request span; returns {@code null} when the sampler drops it (nothing more to record). */
  static RequestTrace start(Tracer tracer, String method, String path, String traceparent, String tracestate) {
    Context parent = traceparent == null ? Context.root()
        : W3CTraceContextPropagator.getInstance().extract(Context.root(), new String[] {traceparent, tracestate},
            INCOMING);
    Span root = tracer.spanBuilder("sluice.request").setParent(parent).setSpanKind(SpanKind.SERVER)
        .setAttribute(METHOD, method).setAttribute(PATH, path).startSpan();
    if (!root.isRecording()) {
      return null; // not sampled: its children would not be either, and a caller's traceparent goes upstream as sent
    }
    return new RequestTrace(tracer, root, parent.with(root));
  }

  /** Starts {@code sluice.decision}: the limiter decides {@code cost} tokens in {@code tier}. */
  public void deciding(String tier, int cost) {
    root.setAttribute(TIER, tier);
    decision = tracer.spanBuilder("sluice.decision").setParent(context).setSpanKind(SpanKind.INTERNAL)
        .setAttribute(TIER, tier).setAttribute(COST, cost).startSpan();
  }

  /**
   * Ends {@code sluice.decision} with its outcome: allowed or denied, the denying level's label
   * ({@code null} when allowed), the refill rate of the deciding level in tokens per second, and
   * whether an anomaly action denied it; the request span gets the outcome too.
   */
  public void decided(String tier, boolean allowed, String deniedBy, double refillRate, boolean abnormal) {
    String outcome = allowed ? "allowed" : "denied";
    root.setAttribute(DECISION, outcome);
    if (decision == null) {
      return;
    }
    decision.setAttribute(TIER, tier);
    decision.setAttribute(DECISION, outcome);
    if (deniedBy != null) {
      decision.setAttribute(DENIED_BY, deniedBy);
      root.setAttribute(DENIED_BY, deniedBy);
    }
    decision.setAttribute(REFILL_RATE, refillRate);
    if (abnormal) {
      decision.setAttribute(ABNORMAL, true);
    }
    decision.end();
    decision = null;
  }

  /** Ends {@code sluice.decision} as failed: the store did not decide. */
  public void decisionFailed(Throwable cause) {
    if (decision != null) {
      decision.setStatus(StatusCode.ERROR, "the bucket store failed");
      decision.recordException(cause);
      decision.end();
      decision = null;
    }
  }

  /**
   * Starts {@code sluice.upstream}, the proxied call, and returns the {@code traceparent} the
   * upstream request carries (its context), or {@code null} when the trace is not sampled.
   */
  public String upstreamStarted(String authority) {
    upstream = tracer.spanBuilder("sluice.upstream").setParent(context).setSpanKind(SpanKind.CLIENT)
        .setAttribute("server.address", authority).startSpan();
    SpanContext c = upstream.getSpanContext();
    return c.isValid() ? "00-" + c.getTraceId() + "-" + c.getSpanId() + "-" + c.getTraceFlags().asHex() : null;
  }

  /** Ends {@code sluice.upstream} with the upstream's status, or the edge's 502/504 for it ({@code failed}). */
  public void upstreamEnded(int status, boolean failed) {
    if (upstream == null) {
      return;
    }
    if (status > 0) {
      upstream.setAttribute(STATUS, status);
    }
    if (failed || status >= 500) {
      upstream.setStatus(StatusCode.ERROR);
    }
    upstream.end();
    upstream = null;
  }

  /** Ends the request span (and a child still open, cut short) with the status answered (0: none). */
  public void ended(int status) {
    if (decision != null) {
      decision.setStatus(StatusCode.ERROR, "the request ended while deciding");
      decision.end();
      decision = null;
    }
    if (upstream != null) {
      upstream.setStatus(StatusCode.ERROR, "the request ended before the upstream answered");
      upstream.end();
      upstream = null;
    }
    if (status > 0) {
      root.setAttribute(STATUS, status);
    }
    if (status >= 500 || status == 0) {
      root.setStatus(StatusCode.ERROR);
    }
    root.end();
  }
}
