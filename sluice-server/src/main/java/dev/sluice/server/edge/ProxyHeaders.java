package dev.sluice.server.edge;

import dev.sluice.server.admission.Admission;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.util.List;
import java.util.Locale;

/**
 * How a proxied request's {@link Relay} rewrites a message head on its way through, in place, in
 * both directions. Hop-by-hop fields (RFC 9110 section 7.6.1: {@code Connection}, {@code Keep-Alive},
 * {@code Proxy-Connection}, {@code Proxy-Authenticate}, {@code Proxy-Authorization}, {@code TE}
 * unless every {@code TE} field is {@code trailers}, {@code Trailer}, {@code Transfer-Encoding},
 * {@code Upgrade}, and every field any {@code Connection} field names) are dropped both ways. The
 * request then gets the upstream's {@code Host} and {@code X-Forwarded-For}, {@code -Proto} and
 * {@code -Host}; the response gets the {@code RateLimit} fields and the framing and {@code
 * Connection} field its client needs. Stateless.
 */
final class ProxyHeaders {

  private static final List<AsciiString> HOP_BY_HOP = List.of(HttpHeaderNames.CONNECTION,
      AsciiString.cached("keep-alive"), AsciiString.cached("proxy-connection"), HttpHeaderNames.PROXY_AUTHENTICATE,
      HttpHeaderNames.PROXY_AUTHORIZATION, HttpHeaderNames.TE, HttpHeaderNames.TRAILER,
      HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.UPGRADE);
  private static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
  private static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
  private static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");

  private ProxyHeaders() {}

  /**
   * Turns the client's request head into the upstream's, in place, and returns it: hop-by-hop
   * fields and {@code Expect} dropped (a chunked body stays chunked), {@code Host} set to {@code
   * authority}, {@code client} appended to {@code X-Forwarded-For}, {@code X-Forwarded-Proto} set to
   * {@code http}, {@code X-Forwarded-Host} set to the client's {@code Host} (when it sent one), the
   * target prefixed with {@code basePath} and the version HTTP/1.1.
   */
  static HttpRequest toUpstream(HttpRequest request, String authority, String basePath, String client) {
    HttpHeaders h = request.headers();
    boolean chunked = HttpUtil.isTransferEncodingChunked(request);
    String original = h.get(HttpHeaderNames.HOST);
    String xff = h.get(X_FORWARDED_FOR);
    stripHopByHop(h, h.get(HttpHeaderNames.CONNECTION));
    h.remove(HttpHeaderNames.EXPECT);
    h.set(HttpHeaderNames.HOST, authority);
    h.set(X_FORWARDED_FOR, xff == null ? client : xff + ", " + client);
    h.set(X_FORWARDED_PROTO, "http");
    if (original != null) {
      h.set(X_FORWARDED_HOST, original);
    }
    if (chunked) {
      h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
    }
    if (!basePath.isEmpty()) {
      request.setUri(basePath + request.uri());
    }
    return request.setProtocolVersion(HttpVersion.HTTP_1_1);
  }

  /**
   * Turns the upstream's response head into the client's, in place: hop-by-hop fields dropped, the
   * {@code RateLimit} fields of {@code decided} added, the version set to the client's {@code
   * version}. A body without {@code Content-Length} (one is expected unless {@code head} asked, or
   * the status is 204 or 304) is chunked for an HTTP/1.1 client and ended by closing the
   * connection for an HTTP/1.0 one. {@code Connection} says {@code close} when {@code close} (the
   * connection closes after this exchange anyway) or the body ends with the connection, else {@code
   * keep-alive} to an HTTP/1.0 client.
   *
   * @return whether the body ends with the connection, which must then close after it
   */
  static boolean toClient(HttpResponse res, Admission.Verdict decided, boolean head, HttpVersion version,
      boolean close) {
    HttpHeaders h = res.headers();
    boolean hadLength = h.contains(HttpHeaderNames.CONTENT_LENGTH);
    stripHopByHop(h, h.get(HttpHeaderNames.CONNECTION));
    RateLimitHeaders.addRateLimit(h, decided.tier(), decided.decision());
    int code = res.status().code();
    boolean bodiless = head || code == 204 || code == 304;
    boolean untilClose = false;
    if (!hadLength && !bodiless) {
      if (version == HttpVersion.HTTP_1_1) {
        h.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
      } else {
        untilClose = true;
      }
    }
    if (close || untilClose) {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    } else if (version == HttpVersion.HTTP_1_0) {
      h.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
    res.setProtocolVersion(version);
    return untilClose;
  }

  /**
   * Drops the hop-by-hop fields. {@code Content-Length} stays even when {@code Connection} names
   * it: it frames the message this proxy passes on, and dropping it would let the body be read as
   * a second request (smuggled past admission) or leave a response without an end.
   */
  private static void stripHopByHop(HttpHeaders h, String connection) {
    if (connection != null) {
      for (String field : h.getAll(HttpHeaderNames.CONNECTION)) {
        for (String name : field.split(",")) {
          String n = name.strip().toLowerCase(Locale.ROOT);
          if (!n.isEmpty() && !HttpHeaderNames.CONTENT_LENGTH.contentEqualsIgnoreCase(n)) {
            h.remove(n);
          }
        }
      }
    }
    for (AsciiString name : HOP_BY_HOP) {
      if (name != HttpHeaderNames.TE || !onlyTrailers(h.getAll(name))) {
        h.remove(name);
      }
    }
  }

  /** Whether every {@code TE} field is {@code trailers}, the one value forwarded (not only the first). */
  private static boolean onlyTrailers(List<String> te) {
    for (String v : te) {
      if (!"trailers".equalsIgnoreCase(v.strip())) {
        return false;
      }
    }
    return true;
  }
}
