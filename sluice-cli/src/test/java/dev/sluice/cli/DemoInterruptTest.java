package dev.sluice.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code sluice demo} in a JVM of its own, stopped with SIGTERM (what Ctrl-C's SIGINT also does:
 * run the shutdown hooks) while the story plays: the process ends, and the upstream's, the edge's
 * and the admin API's ports are all free afterwards.
 */
@Timeout(120)
class DemoInterruptTest {

  private static final Pattern PORTS = Pattern.compile(
      "upstream http://127\\.0\\.0\\.1:(\\d+), edge http://127\\.0\\.0\\.1:(\\d+), admin http://127\\.0\\.0\\.1:(\\d+)");

  @TempDir
  Path dir;

  @Test
  void stoppingTheProcessClosesEveryPort() throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Main.class.getName(), "demo",
        "--duration", "60s", "--no-color", "--no-simulation", "--out", dir.resolve("report").toString())
        .redirectErrorStream(true).start();
    List<Integer> ports = new ArrayList<>();
    StringBuilder seen = new StringBuilder();
    try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        seen.append(line).append('\n');
        Matcher m = PORTS.matcher(line);
        if (m.find()) {
          for (int g = 1; g <= 3; g++) {
            ports.add(Integer.parseInt(m.group(g)));
          }
        }
        if (line.startsWith("steady ")) {
          break; // the story is playing: the first phase has ended
        }
      }
      assertThat(ports).as(seen.toString()).hasSize(3);
      assertThat(line).as(seen.toString()).isNotNull();
      p.destroy(); // SIGTERM: the shutdown hooks run
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("the demo process ended").isTrue();
    } finally {
      p.destroyForcibly();
    }
    for (int port : ports) {
      try (ServerSocket socket = new ServerSocket()) {
        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      } catch (IOException e) {
        throw new AssertionError("port " + port + " still taken after the demo stopped\n" + seen, e);
      }
    }
  }
}
