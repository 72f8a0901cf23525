package dev.sluice.server.edge;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/**
 * Which exchange a request head becomes ({@link #route}), and the request-target forms the edge
 * accepts besides origin-form ({@code /path?query}, RFC 9112 section 3.2): an absolute-form {@code
 * http} or {@code https} target is rewritten to origin-form, its authority becoming {@code Host};
 * every other form is refused. Stateless.
 */
final class RequestTargets {

  private static final String CONTINUE = "100-continue";

  private RequestTargets() {}

  /**
   * Returns the exchange for the request head {@code req} on {@code conn}: {@code POST
   * /v1/decisions} and {@code POST /v1/feedback} a {@link BodyExchange}, every other path a {@link
   * ProxyExchange}; a {@code CONNECT}, a target of another form, an {@code Expect} other than {@code
   * 100-continue} or another method on the decision API a {@link ReplyExchange} with its {@link
   * Refusals refusal}.
   */
  static Exchange route(EdgeConnection conn, HttpRequest req) {
    String uri = req.uri();
    if (req.method() == HttpMethod.CONNECT) {
      ReplyExchange x = new ReplyExchange(conn, req, Refusals.connectNotSupported());
      x.closeAfter = true; // bytes after a CONNECT head may be a tunnel's, not HTTP
      return x;
    }
    if (uri.isEmpty() || uri.charAt(0) != '/') {
      uri = originForm(req);
      if (uri == null) {
        return new ReplyExchange(conn, req, Refusals.badTarget());
      }
    }
    String expect = req.headers().get(HttpHeaderNames.EXPECT);
    boolean expectContinue = false;
    if (expect != null && req.protocolVersion() != HttpVersion.HTTP_1_0) {
      if (!CONTINUE.equalsIgnoreCase(expect)) {
        return new ReplyExchange(conn, req, Refusals.expectationFailed());
      }
      // Without a body there is nothing to wait for: no 100, and no reason to close after the answer.
      expectContinue = HttpUtil.getContentLength(req, 0L) > 0 || req.headers().contains(HttpHeaderNames.TRANSFER_ENCODING);
    }
    int q = uri.indexOf('?');
    String path = q < 0 ? uri : uri.substring(0, q);
    Exchange x;
    if (path.equals("/v1/decisions") || path.equals("/v1/feedback") || path.equals("/v1/predict")) {
      if (!req.method().equals(HttpMethod.POST)) {
        x = new ReplyExchange(conn, req, Refusals.postOnly());
      } else {
        x = new BodyExchange(conn, req, path.equals("/v1/decisions") ? BodyExchange.Kind.DECISIONS
            : path.equals("/v1/feedback") ? BodyExchange.Kind.FEEDBACK : BodyExchange.Kind.PREDICT);
      }
    } else {
      x = new ProxyExchange(conn, req, path);
    }
    x.expectContinue = expectContinue;
    return x;
  }

  /**
   * Rewrites an absolute-form target ({@code http://host/path?q}) to origin-form in place and
   * replaces {@code Host} with its authority (RFC 9112 section 3.2.2); returns the new target, or
   * null for any other form ({@code *}, another scheme, userinfo, no authority).
   */
  static String originForm(HttpRequest req) {
    String uri = req.uri();
    int colon = uri.indexOf("://");
    if (colon < 0) {
      return null;
    }
    String scheme = uri.substring(0, colon);
    if (!scheme.equalsIgnoreCase("http") && !scheme.equalsIgnoreCase("https")) {
      return null;
    }
    int from = colon + 3;
    int end = from;
    while (end < uri.length() && uri.charAt(end) != '/' && uri.charAt(end) != '?' && uri.charAt(end) != '#') {
      end++;
    }
    String authority = uri.substring(from, end);
    if (authority.isEmpty() || !isAuthority(authority) || end < uri.length() && uri.charAt(end) == '#') {
      return null;
    }
    String rest = uri.substring(end);
    String origin = rest.isEmpty() ? "/" : rest.charAt(0) == '?' ? "/" + rest : rest;
    req.setUri(origin);
    req.headers().set(HttpHeaderNames.HOST, authority);
    return origin;
  }

  /**
   * Whether {@code s} is made of the characters a host and port may have (RFC 3986 section 3.2:
   * unreserved, sub-delims, percent signs, colons and IP-literal brackets; no userinfo), so that it
   * can become the {@code Host} field.
   */
  private static boolean isAuthority(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean alnum = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9';
      if (!alnum && "-._~!$&'()*+,;=:[]%".indexOf(c) < 0) {
        return false;
      }
    }
    return true;
  }
}
