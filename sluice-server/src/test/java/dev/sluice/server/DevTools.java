package dev.sluice.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A headless Chromium driven over the DevTools protocol, for end-to-end tests: the process is
 * started with {@code --remote-debugging-port=0}, its page target is reached over a JDK {@link
 * WebSocket}, and commands are JSON messages with ids. Every event the page sends is kept ({@link
 * #events}). {@link #close} kills the process (and its children) and deletes its profile.
 */
final class DevTools implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern LISTENING = Pattern.compile("DevTools listening on (ws://\\S+)");

  private final Process process;
  private final Path profile;
  private final WebSocket socket;
  private final AtomicInteger ids = new AtomicInteger();
  private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
  private final List<JsonNode> events = new CopyOnWriteArrayList<>();

  private DevTools(Process process, Path profile, WebSocket socket) {
    this.process = process;
    this.profile = profile;
    this.socket = socket;
  }

  /** Returns the chromium binary: {@code $SLUICE_CHROMIUM}, else {@code chromium} or {@code chromium-browser} on the PATH. */
  static Path binary() {
    String named = System.getenv("SLUICE_CHROMIUM");
    if (named != null && !named.isBlank()) {
      return Path.of(named);
    }
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      for (String name : List.of("chromium", "chromium-browser")) {
        Path p = Path.of(dir, name);
        if (Files.isExecutable(p)) {
          return p;
        }
      }
    }
    return null;
  }

  /** Launches {@code binary} headless with a fresh profile and attaches to its page. */
  static DevTools launch(Path binary, int width, int height) throws IOException, InterruptedException {
    Path profile = Files.createTempDirectory("sluice-chromium");
    List<String> cmd = new ArrayList<>(List.of(binary.toString(), "--headless=new", "--remote-debugging-port=0",
        "--remote-debugging-address=127.0.0.1", "--user-data-dir=" + profile, "--no-first-run",
        "--no-default-browser-check", "--disable-gpu", "--disable-extensions", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--metrics-recording-only", "--mute-audio",
        "--window-size=" + width + "," + height));
    if ("root".equals(System.getProperty("user.name"))) {
      cmd.add("--no-sandbox"); // Chromium refuses to run as root with its sandbox
    }
    cmd.add("about:blank");
    Process p = new ProcessBuilder(cmd).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    try {
      String browserUrl = listening(p);
      URI browser = URI.create(browserUrl);
      HttpClient http = HttpClient.newHttpClient();
      String pageUrl = null;
      for (int attempt = 0; attempt < 50 && pageUrl == null; attempt++) {
        HttpResponse<String> list = http.send(HttpRequest.newBuilder(
            URI.create("http://" + browser.getHost() + ":" + browser.getPort() + "/json/list"))
            .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        for (JsonNode target : JSON.readTree(list.body())) {
          if (target.path("type").asText().equals("page")) {
            pageUrl = target.get("webSocketDebuggerUrl").asText();
            break;
          }
        }
        if (pageUrl == null) {
          java.util.concurrent.locks.LockSupport.parkNanos(100_000_000); // the browser is still starting
        }
      }
      if (pageUrl == null) {
        throw new IOException("chromium opened no page target");
      }
      DevTools[] self = new DevTools[1];
      WebSocket ws = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10))
          .buildAsync(URI.create(pageUrl), new Listener(m -> self[0].received(m))).get(15, TimeUnit.SECONDS);
      self[0] = new DevTools(p, profile, ws);
      return self[0];
    } catch (IOException | InterruptedException | RuntimeException e) {
      kill(p);
      throw e;
    } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
      kill(p);
      throw new IOException("cannot attach to chromium's page", e);
    }
  }

  /** Reads chromium's stderr until it names its DevTools endpoint (within 30 s), then drains the rest. */
  private static String listening(Process p) throws IOException, InterruptedException {
    BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
    CompletableFuture<String> url = new CompletableFuture<>();
    StringBuilder seen = new StringBuilder();
    Thread reader = new Thread(() -> {
      try {
        for (String line; (line = err.readLine()) != null; ) {
          Matcher m = LISTENING.matcher(line);
          if (m.find()) {
            url.complete(m.group(1));
          } else if (!url.isDone() && seen.length() < 4000) {
            seen.append(line).append('\n');
          }
        }
      } catch (IOException e) {
        url.completeExceptionally(e);
      }
      url.completeExceptionally(new IOException("chromium exited before listening: " + seen));
    }, "chromium-stderr");
    reader.setDaemon(true);
    reader.start();
    try {
      return url.get(30, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IOException(e.getCause().getMessage(), e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new IOException("chromium did not listen within 30 s: " + seen);
    }
  }

  private void received(String message) {
    try {
      JsonNode m = JSON.readTree(message);
      if (m.has("id")) {
        CompletableFuture<JsonNode> f = pending.remove(m.get("id").asInt());
        if (f != null) {
          if (m.has("error")) {
            f.completeExceptionally(new IOException("DevTools error: " + m.get("error")));
          } else {
            f.complete(m.get("result"));
          }
        }
      } else {
        events.add(m);
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Sends {@code method} with {@code params} and waits (at most 30 s) for its result. */
  JsonNode call(String method, Map<String, ?> params) throws Exception {
    int id = ids.incrementAndGet();
    ObjectNode msg = JSON.createObjectNode();
    msg.put("id", id);
    msg.put("method", method);
    msg.set("params", JSON.valueToTree(params));
    CompletableFuture<JsonNode> f = new CompletableFuture<>();
    pending.put(id, f);
    socket.sendText(JSON.writeValueAsString(msg), true).get(10, TimeUnit.SECONDS);
    return f.get(30, TimeUnit.SECONDS);
  }

  /** Evaluates {@code expression} in the page (awaiting a promise) and returns its JSON value. */
  JsonNode eval(String expression) throws Exception {
    JsonNode r = call("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true,
        "awaitPromise", true));
    if (r.has("exceptionDetails")) {
      throw new AssertionError("page threw evaluating " + expression + ": " + r.get("exceptionDetails"));
    }
    return r.path("result").path("value");
  }

  /** Returns every event received so far. */
  List<JsonNode> events() {
    return List.copyOf(events);
  }

  /** Returns the pid of the browser process. */
  long pid() {
    return process.pid();
  }

  @Override
  public void close() {
    socket.abort();
    kill(process);
    try (Stream<Path> files = Files.walk(profile)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // a profile left in the temp directory is harmless
    }
  }

  /** Kills {@code p} and its descendants (renderer, GPU and zygote processes), waiting up to 10 s. */
  static void kill(Process p) {
    p.descendants().forEach(ProcessHandle::destroyForcibly);
    p.destroyForcibly();
    try {
      p.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Collects a message that may arrive in pieces and hands it on whole. */
  private record Listener(java.util.function.Consumer<String> sink, StringBuilder buffer) implements WebSocket.Listener {

    Listener(java.util.function.Consumer<String> sink) {
      this(sink, new StringBuilder());
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      buffer.append(data);
      if (last) {
        String m = buffer.toString();
        buffer.setLength(0);
        sink.accept(m);
      }
      ws.request(1);
      return null;
    }
  }
}
