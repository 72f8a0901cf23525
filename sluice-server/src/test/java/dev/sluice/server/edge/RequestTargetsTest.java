package dev.sluice.server.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.Test;

/**
 * Absolute-form targets on their own, for the forms the end-to-end tests leave out: no path, a
 * query without a path, a fragment, an empty authority, scheme case and {@code https}.
 */
class RequestTargetsTest {

  static HttpRequest get(String target) {
    HttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, target);
    req.headers().set("Host", "edge");
    return req;
  }

  @Test
  void anHttpOrHttpsTargetBecomesOriginFormAndItsAuthorityTheHost() {
    String[][] rows = {
        {"http://example.com/a/b?q=1", "/a/b?q=1", "example.com"},
        {"HTTPS://example.com:8443/a", "/a", "example.com:8443"},
        {"http://example.com", "/", "example.com"},
        {"http://example.com?q=1", "/?q=1", "example.com"},
        {"http://[::1]:80/x", "/x", "[::1]:80"},
    };
    for (String[] row : rows) {
      HttpRequest req = get(row[0]);

      assertThat(RequestTargets.originForm(req)).as(row[0]).isEqualTo(row[1]);

      assertThat(req.uri()).as(row[0]).isEqualTo(row[1]);
      assertThat(req.headers().getAll("host")).as(row[0]).containsExactly(row[2]);
    }
  }

  @Test
  void everyOtherFormIsRefusedAndLeavesTheRequestAlone() {
    for (String target : new String[] {"*", "example.com:80", "ftp://example.com/x", "http:///x",
        "http://example.com#f", "http://user@example.com/x", "http//example.com/x"}) {
      HttpRequest req = get(target);

      assertThat(RequestTargets.originForm(req)).as(target).isNull();

      assertThat(req.uri()).as(target).isEqualTo(target);
      assertThat(req.headers().get("host")).as(target).isEqualTo("edge");
    }
  }
}
