package dev.sluice.server.edge;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import java.util.Iterator;
import java.util.Map;

/**
 * Decides whether an upstream response head may be passed on to a client: a status from 100 to
 * 599 other than 101 (Sluice never asks for an upgrade), every field name a token, no control
 * character but HTAB in a field value or the reason phrase (RFC 9110 sections 5.1, 5.5 and 15;
 * RFC 9112 section 4). The upstream decoder does not validate
 * fields (see {@code UpstreamPool}), and it passes bytes such as a bare CR, a NUL or a name with a
 * space or a quote through as they came; a client or cache after Sluice could read a bare CR as a
 * line end, or {@code Transfer-"Encoding} as a framing field, so such a response is refused (502)
 * rather than forwarded. One pass over the fields. (Trailer fields need no such check: the decoder
 * validates them as it reads them.) Stateless.
 */
final class UpstreamFields {

  private static final boolean[] TCHAR = new boolean[128];

  static {
    for (char c = '0'; c <= '9'; c++) {
      TCHAR[c] = true;
    }
    for (char c = 'a'; c <= 'z'; c++) {
      TCHAR[c] = true;
      TCHAR[c - 'a' + 'A'] = true;
    }
    for (char c : "!#$%&'*+-.^_`|~".toCharArray()) {
      TCHAR[c] = true;
    }
  }

  private UpstreamFields() {}

  /** Returns whether {@code res} is an interim (1xx) response other than 101, which is dropped. */
  static boolean interim(HttpResponse res) {
    int code = res.status().code();
    return code >= 100 && code < 200 && code != 101;
  }

  /**
   * Removes {@code Content-Length} from a head that also has {@code Transfer-Encoding} (Netty drops
   * the length of a chunked HTTP/1.1 response only; an HTTP/1.0 one keeps it) and returns whether it
   * did: the framing is suspect, so the connection is not reused after it.
   */
  static boolean dropLengthOfChunked(HttpResponse res) {
    if (res.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)
        && res.headers().contains(HttpHeaderNames.CONTENT_LENGTH)) {
      res.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
      return true;
    }
    return false;
  }

  /** Returns why {@code res}'s head may not be forwarded, or {@code null} when it may. */
  static String unfit(HttpResponse res) {
    int code = res.status().code();
    if (code < 100 || code > 599) {
      return "status code " + code + " (expected: 100 to 599)";
    }
    if (code == 101) {
      return "101 Switching Protocols answers no upgrade Sluice asked for";
    }
    if (hasControl(res.status().reasonPhrase())) {
      return "a control character in the reason phrase";
    }
    return unfit(res.headers());
  }

  /** Returns why {@code fields} may not be forwarded, or {@code null} when they may. */
  static String unfit(HttpHeaders fields) {
    Iterator<Map.Entry<CharSequence, CharSequence>> it = fields.iteratorCharSequence();
    while (it.hasNext()) {
      Map.Entry<CharSequence, CharSequence> e = it.next();
      CharSequence name = e.getKey();
      if (name.length() == 0) {
        return "a field without a name";
      }
      for (int i = 0; i < name.length(); i++) {
        char c = name.charAt(i);
        if (c >= 128 || !TCHAR[c]) {
          return "a field name with the character 0x" + Integer.toHexString(c);
        }
      }
      if (hasControl(e.getValue())) {
        return "a control character in the value of " + name;
      }
    }
    return null;
  }

  private static boolean hasControl(CharSequence s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 && c != '\t' || c == 0x7f) {
        return true;
      }
    }
    return false;
  }
}
