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
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A real redis-server process on a loopback port, for tests. The binary is, in this order:
 * {@code $SLUICE_REDIS_SERVER}, {@code redis-server} on the PATH, or the Redis 7.0.15 binary inside
 * the {@code org.signal:embedded-redis} jar, extracted once per JVM. A missing binary fails the
 * test (never a skip). Every process is killed by {@link #kill}, and by a shutdown hook if a test
 * forgets. Thread-safe. Shared by every module whose tests need a Redis (standalone or a
 * cluster-enabled node).
 */
public final class RedisProcess implements AutoCloseable {

  private static volatile Path binary;

  private final Path dir;
  private final int port;
  private final boolean cluster;
  private Process process;

  private RedisProcess(int port, boolean cluster) throws IOException {
    this.port = port;
    this.cluster = cluster;
    this.dir = Files.createTempDirectory("sluice-redis-" + port);
  }

  /** Starts a standalone server on a free loopback port. */
  public static RedisProcess start() {
    return start(freePort(false), false);
  }

  /** Starts a cluster-enabled server on a free loopback port whose bus port (+10000) is free too. */
  public static RedisProcess startClusterNode() {
    return start(freePort(true), true);
  }

  /**
   * Returns a standalone server on a free loopback port without starting it: nothing listens on
   * {@link #port()} until {@link #restart()} (for tests of a Redis that is down at start).
   */
  public static RedisProcess unstarted() {
    try {
      return new RedisProcess(freePort(false), false);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static RedisProcess start(int port, boolean cluster) {
    try {
      RedisProcess p = new RedisProcess(port, cluster);
      p.restart();
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
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

  /**
   * Starts the server on its port (again, after {@link #kill}; or the first time, after {@link
   * #unstarted}) and waits until it accepts connections.
   */
  public synchronized void restart() {
    if (process != null && process.isAlive()) {
      throw new IllegalStateException("redis on " + port + " is running");
    }
    List<String> cmd = new ArrayList<>(List.of(binary().toString(), "--port", Integer.toString(port),
        "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no",
        "--dir", dir.toString(), "--loglevel", "notice"));
    if (cluster) {
      cmd.addAll(List.of("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
          "--cluster-node-timeout", "2000"));
    }
    try {
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
      process = p;
      CompletableFuture<Void> ready = new CompletableFuture<>();
      Thread reader = new Thread(() -> pump(p.getInputStream(), ready), "redis-log-" + port);
      reader.setDaemon(true);
      reader.start();
      ready.get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      kill();
      throw new AssertionError("redis-server " + binary() + " did not start on port " + port + ": " + e, e);
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

  /** Kills the server at once (SIGKILL), as a crash would, and waits for it to be gone. */
  public synchronized void kill() {
    if (process != null) {
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  @Override
  public void close() {
    kill();
  }

  private static int freePort(boolean withBus) {
    for (int attempt = 0; attempt < 100; attempt++) {
      try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        int p = s.getLocalPort();
        if (!withBus) {
          return p;
        }
        if (p + 10_000 <= 65_535) {
          try (ServerSocket bus = new ServerSocket(p + 10_000, 1, InetAddress.getLoopbackAddress())) {
            return bus.getLocalPort() - 10_000;
          } catch (IOException busTaken) {
            // try another port
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    throw new AssertionError("no free loopback port pair found");
  }

  /** Returns the redis-server binary to run, failing with a clear message when there is none. */
  public static synchronized Path binary() {
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
      if (!dirName.isEmpty()) {
        Path p = Path.of(dirName, "redis-server");
        if (Files.isExecutable(p)) {
          return binary = p;
        }
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
