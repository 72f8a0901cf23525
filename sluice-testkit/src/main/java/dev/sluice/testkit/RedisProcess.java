package dev.sluice.testkit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A real standalone redis-server process on a free loopback port, for tests of modules that use
 * Redis through a server (the Redis module keeps its own launcher with cluster and crash
 * support). Thread-safe. The binary is, in this order: {@code $SLUICE_REDIS_SERVER}, {@code
 * redis-server} on the PATH, or the Redis 7.0.15 binary inside the {@code org.signal:embedded-redis}
 * jar, extracted once per JVM. A missing binary fails the test with {@link AssertionError} — never
 * a skip, in CI or elsewhere. The process is killed by {@link #close}, and by a shutdown hook if a
 * test forgets.
 */
public final class RedisProcess implements AutoCloseable {

  private static Path binary;

  private final int port;
  private final Process process;

  private RedisProcess(int port, Process process) {
    this.port = port;
    this.process = process;
  }

  /**
   * Starts redis-server on a free loopback port and waits (up to ten seconds) until it accepts
   * connections.
   *
   * @throws AssertionError if there is no binary or it does not start
   */
  public static RedisProcess start() {
    int port = freePort();
    Path dir;
    try {
      dir = Files.createTempDirectory("sluice-redis-" + port);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> cmd = List.of(binary().toString(), "--port", Integer.toString(port), "--bind", "127.0.0.1",
        "--save", "", "--appendonly", "no", "--protected-mode", "no", "--dir", dir.toString());
    Process p = null;
    try {
      p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
      CompletableFuture<Void> ready = new CompletableFuture<>();
      InputStream out = p.getInputStream();
      Thread reader = new Thread(() -> pump(out, ready), "redis-log-" + port);
      reader.setDaemon(true);
      reader.start();
      ready.get(10, TimeUnit.SECONDS);
      return new RedisProcess(port, p);
    } catch (Exception e) {
      if (p != null) {
        p.destroyForcibly();
      }
      throw new AssertionError("redis-server " + binary() + " did not start on port " + port + ": " + e, e);
    }
  }

  /** Returns the port. */
  public int port() {
    return port;
  }

  /** Returns {@code redis://127.0.0.1:PORT}. */
  public String uri() {
    return "redis://127.0.0.1:" + port;
  }

  /** Kills the server and waits (up to ten seconds) for it to be gone. */
  @Override
  public void close() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void pump(InputStream in, CompletableFuture<Void> ready) {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      StringBuilder log = new StringBuilder();
      for (String line; (line = r.readLine()) != null; ) {
        if (!ready.isDone()) {
          log.append(line).append('\n');
        }
        if (line.contains("Ready to accept connections")) {
          ready.complete(null);
        }
      }
      ready.completeExceptionally(new IllegalStateException("redis exited:\n" + log));
    } catch (IOException e) {
      ready.completeExceptionally(e);
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Returns the redis-server binary to run, failing with a clear message when there is none. */
  static synchronized Path binary() {
    if (binary != null) {
      return binary;
    }
    String env = System.getenv("SLUICE_REDIS_SERVER");
    if (env != null && !env.isBlank()) {
      Path p = Path.of(env);
      if (!Files.isExecutable(p)) {
        throw new AssertionError("SLUICE_REDIS_SERVER=" + env + " is not an executable redis-server");
      }
      return binary = p;
    }
    for (String dirName : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      if (!dirName.isEmpty() && Files.isExecutable(Path.of(dirName, "redis-server"))) {
        return binary = Path.of(dirName, "redis-server");
      }
    }
    return binary = extractEmbedded();
  }

  private static Path extractEmbedded() {
    String os = System.getProperty("os.name").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch").toLowerCase(Locale.ROOT);
    String name = "redis-server-7.0.15-" + (os.contains("mac") ? "darwin" : "linux") + "-"
        + (arch.contains("aarch64") || arch.contains("arm64") ? "arm64" : arch.contains("64") ? "amd64" : "386");
    try (InputStream in = RedisProcess.class.getResourceAsStream("/" + name)) {
      if (in == null) {
        throw new AssertionError("no redis-server: set SLUICE_REDIS_SERVER, put redis-server on the PATH, "
            + "or use a platform the embedded-redis jar ships (missing " + name + ")");
      }
      Path out = Files.createTempFile("redis-server-", "");
      Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
      if (!out.toFile().setExecutable(true)) {
        throw new AssertionError("cannot make " + out + " executable");
      }
      out.toFile().deleteOnExit();
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
