package dev.sluice.server.admin;

import com.linecorp.armeria.common.HttpData;
import com.linecorp.armeria.common.HttpHeaderNames;
import com.linecorp.armeria.common.HttpResponse;
import com.linecorp.armeria.common.HttpStatus;
import com.linecorp.armeria.common.MediaType;
import com.linecorp.armeria.common.ResponseHeaders;
import com.linecorp.armeria.server.HttpService;
import dev.sluice.core.BucketStore;
import dev.sluice.core.Clock;
import dev.sluice.server.live.Adaptation;
import dev.sluice.server.observe.ServerMetrics;
import dev.sluice.server.observe.WallClock;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The live dashboard: {@code GET /dashboard} (the page), {@code /dashboard/app.js} and {@code
 * /dashboard/app.css} (its script and style, served from the jar; nothing is fetched from
 * elsewhere), and {@code GET /admin/stream} ({@link DashboardStream}, behind the admin token). The
 * page itself holds no data and needs no token: it asks for the token in a form, keeps it in the
 * tab's session storage and sends it as {@code Authorization: Bearer} on a {@code fetch} that reads
 * the event stream, so the token never appears in a URL. Thread-safe; {@link #close} stops the
 * stream.
 */
public final class DashboardService implements AutoCloseable {

  /** The policy of the page: its own script, style and event stream only. */
  static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self';"
      + " img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

  private final DashboardStream stream;
  private final HttpService page = asset("dashboard.html", MediaType.HTML_UTF_8);
  private final HttpService script = asset("dashboard.js", MediaType.JAVASCRIPT_UTF_8);
  private final HttpService style = asset("dashboard.css", MediaType.CSS_UTF_8);

  /** Snapshots {@code metrics}, {@code store} and {@code adaptation} every {@code periodMillis}. */
  public DashboardService(ServerMetrics metrics, BucketStore store, Adaptation adaptation, Clock clock,
      WallClock wall, long periodMillis) {
    DashboardFeed feed = new DashboardFeed(metrics, store, adaptation, clock, wall);
    this.stream = new DashboardStream(feed, periodMillis, metrics.topClients()::watching);
  }

  /** {@code GET /dashboard}. */
  public HttpService page() {
    return page;
  }

  /** {@code GET /dashboard/app.js}. */
  public HttpService script() {
    return script;
  }

  /** {@code GET /dashboard/app.css}. */
  public HttpService style() {
    return style;
  }

  /** {@code GET /admin/stream}: server-sent events, one snapshot per period. */
  public HttpService events() {
    return (ctx, req) -> {
      ctx.clearRequestTimeout();
      return stream.open();
    };
  }

  private static HttpService asset(String name, MediaType type) {
    byte[] body;
    try (InputStream in = DashboardService.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("dashboard asset missing from the jar: " + name);
      }
      body = in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    ResponseHeaders headers = ResponseHeaders.builder(HttpStatus.OK).contentType(type)
        .set(HttpHeaderNames.CACHE_CONTROL, "no-cache")
        .set(HttpHeaderNames.CONTENT_SECURITY_POLICY, CSP)
        .set(HttpHeaderNames.X_CONTENT_TYPE_OPTIONS, "nosniff")
        .set("referrer-policy", "no-referrer")
        .build();
    return (ctx, req) -> HttpResponse.of(headers, HttpData.wrap(body));
  }

  @Override
  public void close() {
    stream.close();
  }
}
