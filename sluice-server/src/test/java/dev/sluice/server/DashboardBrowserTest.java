package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.core.Clock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The live dashboard end to end in headless Chromium, driven over the DevTools protocol: a real
 * {@code sluice serve} on loopback proxies traffic from two tiers (one client over its limit, so
 * there are denials), the browser opens {@code /dashboard}, signs in with the admin token through
 * the page's form, and the charts must draw and then move within 3 s; a screenshot is saved as
 * {@code target/dashboard-e2e.png}, and the page must log no error and throw nothing. Under {@code
 * CI=true} a missing chromium fails the test; elsewhere it is skipped with the reason.
 */
@Timeout(120)
class DashboardBrowserTest {

  @Test
  void theDashboardDrawsLiveDataAfterSigningIn() throws Exception {
    Path chromium = DevTools.binary();
    if (chromium == null) {
      String why = "no chromium on the PATH (apt-get install chromium, or set SLUICE_CHROMIUM)";
      if ("true".equals(System.getenv("CI"))) {
        throw new AssertionError(why + "; CI requires it");
      }
      Assumptions.abort(why);
    }
    try (TestUpstream upstream = new TestUpstream();
        Harness sluice = Harness.start("""
            upstream: { url: "%s" }
            identity:
              clients: { "pro-1": pro }
            tiers:
              free:
                per-client: { burst: 5, rate: 20/s }
                share: 0.5
              pro:
                per-client: { burst: 50, rate: 200/s }
                share: 0.5
            global: { burst: 400, rate: 400/s }
            adaptive:
              enabled: true
              interval: 500ms
              anomaly: { enabled: true, window: 500ms }
            """.formatted(upstream.url()), Clock.system());
        DevTools browser = DevTools.launch(chromium, 1400, 1300);
        Traffic traffic = new Traffic()) {
      for (String client : List.of("free-1", "free-2", "pro-1", "heavy")) {
        traffic.start(sluice, client, !client.equals("heavy"));
      }
      browser.call("Page.enable", Map.of());
      browser.call("Runtime.enable", Map.of());
      browser.call("Log.enable", Map.of());
      browser.call("Page.navigate", Map.of("url", sluice.admin("/dashboard")));
      awaitTrue(browser, "document.readyState === 'complete' && !!window.sluiceDashboard", "the page to load");
      assertThat(browser.eval("document.getElementById('login').hidden").asBoolean()).isFalse();

      // a wrong token is refused and the form stays
      signIn(browser, "not-the-token");
      awaitTrue(browser, "document.getElementById('login-error').textContent.length > 0", "the refusal");
      assertThat(browser.eval("window.sluiceDashboard.updates").asInt()).isZero();

      signIn(browser, Harness.TOKEN);
      awaitTrue(browser, "window.sluiceDashboard.updates > 0 && window.sluiceDashboard.status === 'live'",
          "the first snapshot");
      int first = browser.eval("window.sluiceDashboard.updates").asInt();
      String lastT = browser.eval("String(window.sluiceDashboard.history.at(-1).t)").asText();
      // charts update within 3 s
      Harness.await(Duration.ofSeconds(3), "a new snapshot drawn within 3 s", () -> {
        try {
          return browser.eval("window.sluiceDashboard.updates").asInt() > first
              && !browser.eval("String(window.sluiceDashboard.history.at(-1).t)").asText().equals(lastT);
        } catch (Exception e) {
          throw new AssertionError(e);
        }
      });
      awaitTrue(browser, "(() => { const h = window.sluiceDashboard.history.at(-1);"
          + " return h.tiers.free.denied > 0 && h.tiers.pro.admitted > 0 && h.upstream.p95 != null"
          + " && h.clients.length > 0 && window.sluiceDashboard.drawn['chart-heatmap'] > 0; })()",
          "traffic, denials, latency and top clients in the snapshots");
      JsonNode drawn = browser.eval("window.sluiceDashboard.drawn");
      for (String chart : List.of("chart-traffic", "chart-rate", "chart-latency", "chart-fill", "chart-anomaly",
          "chart-heatmap")) {
        assertThat(drawn.path(chart).asInt()).as(chart + " points").isPositive();
      }
      assertThat(browser.eval("document.querySelectorAll('#chart-traffic polyline').length").asInt())
          .isGreaterThanOrEqualTo(6);
      assertThat(browser.eval("document.querySelector('#chart-heatmap').textContent").asText()).contains("heavy");
      assertThat(browser.eval("location.href").asText()).doesNotContain(Harness.TOKEN);

      awaitTrue(browser, "window.sluiceDashboard.updates >= " + (first + 4), "a few more seconds of history");
      JsonNode shot = browser.call("Page.captureScreenshot", Map.of("format", "png", "captureBeyondViewport", true));
      byte[] png = Base64.getDecoder().decode(shot.get("data").asText());
      Path file = Path.of("target", "dashboard-e2e.png");
      Files.createDirectories(file.getParent());
      Files.write(file, png);
      assertThat(png.length).isGreaterThan(10_000);
      assertThat(new byte[] {png[1], png[2], png[3]}).isEqualTo("PNG".getBytes(java.nio.charset.StandardCharsets.US_ASCII));

      List<String> errors = new ArrayList<>();
      for (JsonNode e : browser.events()) {
        String method = e.path("method").asText();
        JsonNode p = e.path("params");
        if (method.equals("Runtime.exceptionThrown")
            || method.equals("Runtime.consoleAPICalled") && p.path("type").asText().equals("error")
            || method.equals("Log.entryAdded") && p.path("entry").path("level").asText().equals("error")
                && !refusedOnPurpose(p.path("entry"))) {
          errors.add(e.toString());
        }
      }
      assertThat(errors).as("console errors and exceptions").isEmpty();
    } // the traffic stops first (resources close in reverse order), then the browser, then the server
  }

  /** Clients on threads of their own, each sending one request after another until closed. */
  private static final class Traffic implements AutoCloseable {
    private final AtomicBoolean stop = new AtomicBoolean();
    private final List<Thread> threads = new ArrayList<>();

    void start(Harness sluice, String client, boolean paced) {
      Thread t = new Thread(() -> {
        while (!stop.get()) {
          sluice.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(sluice.edge("/echo/" + client)))
              .header("X-Client-ID", client));
          if (paced) {
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000); // a steady client's pace
          }
        }
      }, "traffic-" + client);
      t.setDaemon(true);
      t.start();
      threads.add(t);
    }

    @Override
    public void close() {
      stop.set(true);
      for (Thread t : threads) {
        try {
          t.join(30_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    }
  }

  /** The 401 of the wrong token on purpose, which Chromium logs as a failed resource. */
  private static boolean refusedOnPurpose(JsonNode entry) {
    return entry.path("url").asText().endsWith("/admin/stream") && entry.path("text").asText().contains("401");
  }

  private static void signIn(DevTools browser, String token) throws Exception {
    browser.eval("(() => { document.getElementById('token').value = " + Harness.JSON.writeValueAsString(token)
        + "; document.getElementById('login').requestSubmit(); return true; })()");
  }

  private static void awaitTrue(DevTools browser, String expression, String what) {
    Harness.await(Duration.ofSeconds(20), what, () -> {
      try {
        return browser.eval(expression).asBoolean();
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    });
  }
}
