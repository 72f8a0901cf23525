package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code sluice demo --duration 20s} in-process, over real loopback sockets: the story's summary
 * has sane numbers (the steady phase mostly served, 429s in the flash crowd, no 5xx and no errors
 * from the edge, the abusive client flagged), the comparison with the simulator has its rows, the
 * report is self-contained, and afterwards every port of the demo is free and none of its threads
 * is left.
 */
@Timeout(240)
class DemoCommandTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path dir;

  @Test
  void theShortStoryRunsAndItsSummaryIsSane() throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = Main.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    Path report = dir.resolve("demo-report");

    int code = cl.execute("demo", "--duration", "20s", "--no-color", "--out", report.toString());

    assertThat(code).as(out + "\n" + err).isZero();
    String text = out.toString();
    assertThat(text).contains("dashboard: http://127.0.0.1:", "/dashboard", "steady", "flash crowd",
        "abusive client", "low-rate flood", "backend slowdown", "recovery", "live default", "sim default",
        "sim static-best").doesNotContain("\033[");
    JsonNode s = JSON.readTree(report.resolve("summary.json").toFile());
    JsonNode phases = s.get("phases");
    assertThat(phases).hasSize(6);
    JsonNode steady = phases.get(0);
    assertThat(steady.get("2xx").asDouble() / steady.get("sent").asDouble()).as("steady: served\n" + text + s.get("phases")).isGreaterThan(0.9);
    JsonNode flash = phases.get(1);
    assertThat(flash.get("429").asLong()).as("429s during the flash crowd").isPositive();
    JsonNode abusive = phases.get(2);
    assertThat(abusive.get("429").asLong()).as("the abusive client is refused").isGreaterThan(abusive.get("sent").asLong() / 2);
    JsonNode total = s.get("total");
    assertThat(total.get("5xx").asLong()).as("no 5xx from the edge").isZero();
    assertThat(total.get("errors").asLong()).as("no connection errors or timeouts").isZero();
    assertThat(total.get("2xx").asLong() + total.get("429").asLong()).isEqualTo(total.get("sent").asLong());
    assertThat(s.get("comparison")).hasSize(3);
    assertThat(s.get("anomalies").get("enabled").asBoolean()).isTrue();
    assertThat(s.get("flagged_clients")).as("the abusive client flagged in /admin/anomalies: " + s.get("anomalies") + "\n" + text)
        .extracting(JsonNode::asText).contains("abuser-0");

    String html = Files.readString(report.resolve("index.html"));
    assertThat(html).contains("data:image/png;base64,", "static-best").doesNotContain("<script", "https://", "http://cdn");
    assertThat(Files.readString(report.resolve("scenario.yaml"))).contains("name: demo-story");

    // everything stopped: the ports are free and the demo's threads are gone
    for (String p : List.of("edge", "admin", "upstream")) {
      int port = s.get("ports").get(p).asInt();
      assertThat(port).isPositive();
      try (ServerSocket socket = new ServerSocket()) {
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      } catch (IOException e) {
        throw new AssertionError(p + " port " + port + " still taken", e);
      }
    }
    assertThat(demoThreads()).isEmpty();
  }

  @Test
  void badOptionsAreUsageErrors() {
    CommandLine cl = Main.commandLine();
    StringWriter err = new StringWriter();
    cl.setErr(new PrintWriter(err, true));
    cl.setOut(new PrintWriter(new StringWriter(), true));
    assertThat(cl.execute("demo", "--duration", "5s", "--out", dir.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("demo: --duration: 5s (expected: 20s to 1h)");
    assertThat(cl.execute("demo", "--duration", "soon", "--out", dir.toString())).isEqualTo(2);
    assertThat(cl.execute("demo", "--port", "70000", "--out", dir.toString())).isEqualTo(2);
  }

  private static List<String> demoThreads() {
    List<String> names = new ArrayList<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      String n = t.getName();
      if (t.isAlive() && (n.startsWith("demo-upstream-") || n.startsWith("sluice-load-") || n.startsWith("sluice-metrics-")
          || n.startsWith("sluice-edge-"))) {
        names.add(n);
      }
    }
    return names;
  }
}
