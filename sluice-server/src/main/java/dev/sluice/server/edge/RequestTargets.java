package dev.sluice.server.edge;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;

/**
 * The request-target forms the edge accepts besides origin-form ({@code /path?query}, RFC 9112
 * section 3.2): an absolute-form {@code http} or {@code https} target is rewritten to origin-form,
 * its authority becoming {@code Host}; every other form is refused. Stateless.
 */
final class RequestTargets {

  private RequestTargets() {}

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
