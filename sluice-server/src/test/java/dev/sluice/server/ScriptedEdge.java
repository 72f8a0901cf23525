package dev.sluice.server;

import dev.sluice.core.ManualClock;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A Sluice edge proxying to a {@link FuzzUpstream} (a generous limit, a 5 s upstream timeout), for
 * the regression tests of what {@link EdgeMutationFuzzTest} found: a JUnit extension that starts
 * both before a class's tests and closes them after ({@code @RegisterExtension static final}). Its
 * exchange method may be called from one thread at a time.
 */
final class ScriptedEdge implements BeforeAllCallback, AfterAllCallback {

  private FuzzUpstream upstream;
  private Harness sluice;

  /** Starts the upstream, then the edge in front of it. */
  @Override
  public void beforeAll(ExtensionContext context) throws IOException {
    upstream = new FuzzUpstream();
    sluice = Harness.start("""
        upstream:
          url: http://127.0.0.1:%d
          timeout: 5s
        tiers:
          free:
            per-client: { burst: 1000000, rate: 1000/s }
        """.formatted(upstream.port()), new ManualClock(1_000L));
  }

  FuzzUpstream upstream() {
    return upstream;
  }

  Harness sluice() {
    return sluice;
  }

  /** Sends {@code raw} on a new connection and returns every byte until the edge closes it. */
  byte[] exchange(String raw) throws IOException {
    try (Socket s = new Socket("127.0.0.1", sluice.server.edgePort())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(raw.getBytes(StandardCharsets.ISO_8859_1));
      s.getOutputStream().flush();
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      InputStream in = s.getInputStream();
      try {
        in.transferTo(got);
      } catch (SocketException reset) {
        // what came before it is complete
      }
      return got.toByteArray();
    }
  }

  @Override
  public void afterAll(ExtensionContext context) throws IOException {
    sluice.close();
    upstream.close();
  }
}
