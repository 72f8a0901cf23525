package dev.sluice.server.admin;

import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpRequest;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.DecoratingHttpServiceFunction;
import com.linecorp.armeria.server.HttpService;
import com.linecorp.armeria.server.ServiceRequestContext;
import dev.sluice.server.http.Problem;
import dev.sluice.server.live.LiveConfig;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * Requires {@code Authorization: Bearer TOKEN} on the admin routes it decorates, comparing in
 * constant time with the token of the running config ({@code server.admin-token}, else {@code
 * SLUICE_ADMIN_TOKEN} read at start-up). Without any token configured, the decorated routes answer
 * 403: the admin API is closed rather than open. Stateless apart from the live config.
 */
public final class AdminAuth implements DecoratingHttpServiceFunction {

  private final LiveConfig config;

  public AdminAuth(LiveConfig config) {
    this.config = config;
  }

  @Override
  public HttpResponse serve(HttpService delegate, ServiceRequestContext ctx, HttpRequest req)
      throws Exception {
    String token = config.current().adminToken();
    if (token == null) {
      return AdminResponses.response(AdminResponses.problem(HttpStatus.FORBIDDEN, "admin-disabled",
          "the admin API is closed: no admin token is configured (set server.admin-token or SLUICE_ADMIN_TOKEN)"));
    }
    String auth = req.headers().get(HttpHeaderNames.AUTHORIZATION);
    if (auth == null || !auth.regionMatches(true, 0, "Bearer ", 0, 7)
        || !MessageDigest.isEqual(auth.substring(7).strip().getBytes(StandardCharsets.UTF_8),
            token.getBytes(StandardCharsets.UTF_8))) {
      Problem p = AdminResponses.problem(HttpStatus.UNAUTHORIZED, "unauthorized",
          "this admin route needs Authorization: Bearer <admin token>");
      return AdminResponses.aggregated(p, ResponseHeaders.builder(HttpStatus.UNAUTHORIZED)
          .set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"sluice-admin\""), null).toHttpResponse();
    }
    return delegate.serve(ctx, req);
  }
}
