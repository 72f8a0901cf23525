package dev.sluice.server.edge;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.sluice.core.Clock;
import dev.sluice.server.RootLog;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One edge connection's pipeline on an {@link EmbeddedChannel}: what the client gets when Sluice
 * itself fails (a bug).
 */
class EdgeConnectionTest {

  /** Thread-safe: event loops append while the test reads. */
  @RegisterExtension
  final RootLog logged = new RootLog();

  /** A connection to an edge whose services are broken: every decision or feedback throws. */
  static EmbeddedChannel brokenEdge(EdgeServer[] server) {
    Edge broken = new Edge(null, null, null, null, null, null, null, null);
    server[0] = new EdgeServer(broken, new EdgeServer.Options(65536, 0, Duration.ofSeconds(60)), null,
        Clock.system());
    EmbeddedChannel ch = new EmbeddedChannel();
    server[0].initChannel(ch);
    return ch;
  }

  static String written(EmbeddedChannel ch) {
    StringBuilder sb = new StringBuilder();
    ByteBuf b;
    while ((b = ch.readOutbound()) != null) {
      sb.append(b.toString(StandardCharsets.ISO_8859_1));
      b.release();
    }
    return sb.toString();
  }

  @Test
  void aBugAnswers500OnceWithARequestIdAndLogsAnError() {
    EdgeServer[] server = new EdgeServer[1];
    EmbeddedChannel ch = brokenEdge(server);
    String body = "{\"key\":\"k\",\"latencyMs\":1,\"status\":200}";
    String req = "POST /v1/feedback HTTP/1.1\r\nHost: x\r\nContent-Length: " + body.length() + "\r\n\r\n" + body;

    ch.writeInbound(Unpooled.copiedBuffer(req + req, StandardCharsets.ISO_8859_1));
    String out = written(ch);

    assertThat(out).startsWith("HTTP/1.1 500 ").containsIgnoringCase("connection: close")
        .contains("urn:sluice:problem:internal").doesNotContain("NullPointerException");
    assertThat(out.indexOf("HTTP/1.1", 1)).as("a second response").isEqualTo(-1);
    String id = out.substring(out.indexOf("\"requestId\":\"") + 13);
    id = id.substring(0, id.indexOf('"'));
    assertThat(out).containsIgnoringCase("x-request-id: " + id);
    assertThat(ch.isOpen()).isFalse();
    assertThat(server[0].inFlight()).isZero();
    String logged0 = id;
    assertThat(logged.all()).anyMatch(e -> e.getLevel() == Level.ERROR && e.getKeyValuePairs() != null
        && e.getKeyValuePairs().stream().anyMatch(kv -> kv.key.equals("requestId") && logged0.equals(kv.value)));
  }
}
