package dev.sluice.server.edge;

import dev.sluice.server.admission.Admission;
import dev.sluice.server.http.BadRequestException;
import dev.sluice.server.http.Problem;
import dev.sluice.server.live.LiveConfig;
import dev.sluice.server.observe.RequestTrace;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * One proxied request, on the client's side: identifies the client, decides through {@link
 * Admission}, and either refuses (404, 400, 413, 503 or the 429 of {@link Refusals}) or hands the
 * request over to a {@link Relay}, which forwards it to the upstream and relays the response back
 * (its head rewritten both ways by {@link ProxyHeaders}; the response gains the {@code RateLimit}
 * fields). Body pieces that arrive while the store decides are held here and handed to the relay
 * with the request; a body that outgrows {@code --max-body} is refused here, before or after the
 * handover. An admitted request's permit of a concurrency level is held by the exchange until it
 * ends ({@link Exchange#permit}). Its states (DECIDING, REFUSED; the relay's once admitted), what
 * moves them and what ends it are in the design note of {@link EdgeConnection}. Every decided
 * request goes to the request log, with the upstream's latency and status once forwarded. Event
 * loop only.
 */
final class ProxyExchange extends Exchange {

  private final Edge edge;
  private final String route;
  private final String method;
  private String key;
  private Admission.Verdict decided;
  /** Body pieces that arrived while deciding; handed to the relay, or released on a refusal. */
  private List<HttpContent> held = new ArrayList<>();
  /** REFUSED or failed: the rest of the body is dropped. */
  private boolean discarding;
  /** The upstream side, once admitted. */
  private Relay relay;
  /** The request's spans, or {@code null} when tracing is off. */
  private RequestTrace trace;

  ProxyExchange(EdgeConnection conn, HttpRequest request, String route) {
    super(conn, request);
    this.edge = conn.server().edge();
    this.route = route;
    this.method = request.method().name();
  }

  /** DECIDING: reads the running config, identifies the client and asks the admission path. */
  @Override
  void start() {
    if (edge.tracing().enabled()) { // off (the default): not even a header lookup
      trace = edge.tracing().request(method, route, request.headers().get("traceparent"),
          request.headers().get("tracestate"));
    }
    LiveConfig.Snapshot snap = edge.config().current();
    LiveConfig.Upstream up = snap.upstream();
    if (up == null) {
      refuse(Refusals.noUpstream());
      return;
    }
    long max = conn.server().options().maxProxyBodyBytes();
    if (max > 0 && declaredLength() > max) {
      closeAfter = true;
      refuse(Reply.problem(Problem.tooLarge(max)));
      return;
    }
    HttpHeaders headers = request.headers();
    String tier;
    try {
      key = snap.identity().clientKey(headers, conn.remote());
      tier = snap.identity().tier(key, headers);
    } catch (BadRequestException e) {
      refuse(Reply.problem(e.problem()));
      return;
    }
    Admission admission = edge.admission();
    String unknown = admission.unknownTier(tier);
    if (unknown != null) {
      refuse(Refusals.unknownTier(unknown));
      return;
    }
    int cost = admission.costOf(method, route);
    if (trace != null) {
      trace.deciding(tier, cost);
    }
    CompletableFuture<Admission.Verdict> verdict = admission.decide(key, tier, cost, method, route);
    if (verdict.isDone()) {
      decided(verdict, up);
      return;
    }
    // The store waits on Redis; the body waits too (bounded: the connection stops reading).
    pause(true);
    verdict.whenCompleteAsync((d, err) -> {
      if (ended) { // the connection closed while the store decided: nobody holds the permit
        if (d != null) {
          edge.admission().release(d.decision().permit());
        }
        return;
      }
      try {
        pause(false);
        decided(verdict, up);
      } catch (RuntimeException e) {
        conn.fail(this, false, e);
      }
    }, conn.channel().eventLoop());
  }

  /** REFUSED: answers without forwarding; the rest of the body is dropped. */
  private void refuse(Reply reply) {
    discarding = true;
    releaseHeld();
    conn.reply(this, reply);
  }

  /** Goes on with a completed decision: a 503 if the store failed, a 429, or the handover. */
  private void decided(CompletableFuture<Admission.Verdict> verdict, LiveConfig.Upstream up) {
    Admission.Verdict d;
    try {
      d = verdict.join();
    } catch (java.util.concurrent.CompletionException | java.util.concurrent.CancellationException err) {
      if (trace != null) {
        trace.decisionFailed(err);
      }
      refuse(Failures.storeUnavailable(edge, err));
      return;
    }
    this.decided = d;
    if (trace != null) {
      boolean allowed = d.decision().allowed();
      trace.decided(d.tier(), allowed, allowed ? null : d.decision().level().label(),
          d.decision().limit().rate().perSecond(), d.abnormal());
    }
    permit = d.decision().permit(); // held until the exchange ends, whatever answers it
    if (responseDone || ended) {
      return;
    }
    if (!d.decision().allowed()) {
      refuse(Refusals.throttled(d));
      logRecord(-1);
      return;
    }
    relay = new Relay(this, up, held);
    held = null;
    relay.start();
  }

  @Override
  void content(HttpContent c) {
    requestBytes += c.content().readableBytes();
    long max = conn.server().options().maxProxyBodyBytes();
    if (discarding || responseDone && !forwarding()) {
      c.release();
      return;
    }
    if (max > 0 && requestBytes > max) {
      c.release();
      closeAfter = true;
      Reply tooLarge = Reply.problem(Problem.tooLarge(max));
      if (relay != null) {
        relay.bodyTooLarge(tooLarge);
      } else {
        failedWith(tooLarge);
      }
      return;
    }
    if (relay == null) {
      held.add(c); // still deciding
      return;
    }
    relay.content(c);
  }

  private boolean forwarding() {
    return relay != null && relay.active();
  }

  /** The client connection's read batch ended: body pieces written upstream go out now. */
  @Override
  void clientReadComplete() {
    if (relay != null) {
      relay.clientReadComplete();
    }
  }

  /** Returns whether the request is forwarded and its response has not ended (its timer runs). */
  boolean waitingOnUpstream() {
    return relay != null && relay.waitingOnUpstream();
  }

  @Override
  boolean responseStarted() {
    return relay != null && relay.headSent() || responseDone;
  }

  /** Returns whether the request is {@code HEAD} (its response has no body whatever its head says). */
  boolean head() {
    return HttpMethod.HEAD.equals(request.method());
  }

  @Override
  void clientWritabilityChanged(boolean writable) {
    if (relay != null) {
      relay.clientWritabilityChanged(writable);
    }
  }

  /** Returns what every handler of this request shares. */
  Edge edge() {
    return edge;
  }

  /** Returns the request's method, for logs. */
  String method() {
    return method;
  }

  /** Returns the request's path, for logs and cost rules. */
  String route() {
    return route;
  }

  /** Returns the request's spans, or {@code null} when tracing is off. */
  RequestTrace trace() {
    return trace;
  }

  @Override
  void onEnd() {
    if (trace != null) {
      trace.ended(status);
      trace = null;
    }
  }

  /** Returns the decision, or {@code null} while deciding. */
  Admission.Verdict verdict() {
    return decided;
  }

  /**
   * Answers {@code reply} instead of a forwarded response (a 413 while deciding, or the relay's
   * 502, 504 or 413 before the response head): the rest of the body is dropped, and the reply
   * carries the {@code RateLimit} fields of the decision when there is one.
   */
  void failedWith(Reply reply) {
    releaseHeld();
    discarding = true;
    if (decided != null) { // a body can outgrow its limit while the store still decides
      RateLimitHeaders.addRateLimit(reply.headers(), decided.tier(), decided.decision());
    }
    if (paused) {
      pause(false);
    }
    conn.reply(this, reply);
    logRecord(-1);
  }

  private void releaseHeld() {
    if (held != null) {
      for (HttpContent c : held) {
        c.release();
      }
      held.clear();
    }
  }

  @Override
  void abort() {
    releaseHeld();
    if (relay != null) {
      relay.abort();
    }
  }

  /** Writes the request-log record once decided ({@code upstreamNanos} < 0: none measured). */
  void logRecord(long upstreamNanos) {
    if (decided != null && edge.logRequest()) {
      edge.logDecided("proxy", edge.decisionIds().next(), key, decided, method, route, requestBytes, responseBytes,
          upstreamNanos, status);
    }
  }
}
