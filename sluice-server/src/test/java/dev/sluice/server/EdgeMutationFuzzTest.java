package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Clock;
import dev.sluice.core.ManualClock;
import dev.sluice.server.edge.Transport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Mutation fuzzer for the edge port, in both directions, over real loopback sockets: mutated
 * client requests against a valid upstream, and valid requests against a scripted upstream
 * answering mutated responses. One server and one upstream serve every case; a case is one client
 * connection. After every case: exactly one response per request or a clean close; no 5xx for a
 * client's fault and nothing but the upstream's status, 502 or 504 for an upstream's; no ERROR
 * logged for a client's fault and no bug logged for an upstream's; no stack trace, class name or
 * internal address in a response; {@code sluice_edge_requests_active} back to 0 and no upstream
 * connection left half-used.
 *
 * <p>System properties: {@code sluice.fuzz.cases} (default 10000), {@code sluice.fuzz.seed},
 * {@code sluice.fuzz.case} (run that case of the seed alone, to reproduce a failure; on a fresh
 * server, so what earlier cases left, such as pooled upstream connections, is not there), {@code
 * sluice.fuzz.max-failures} (stop after that many failing cases, default 40) and {@code
 * sluice.fuzz.verbose} (print every case). Failures are grouped by kind, each with its first case
 * as a recipe: corpus entry, mutation operators, the bytes each way, and the command to rerun it.
 */
class EdgeMutationFuzzTest {

  /*
   * Design note: how a case ends without waiting on a clock.
   *
   * A client-side case writes the mutated request, then PADDING, and reads until the edge closes:
   * whatever state a mutation leaves the edge's parser in ends in an error within PADDING (with the
   * body limits set below), so the edge answers what it could read, then 400, and closes. An
   * upstream-side case sends valid requests, the last with Connection: close; the upstream closes
   * after a scripted answer unless that answer is whole (FuzzInvariants.validAnswer), so the edge
   * never waits upstream.timeout on half an answer. settle() then waits for every side to be quiet:
   * requests_active and the pool's busy connections back to their count before the case, no client
   * connection open, every upstream connection idle. READ_BOUND, SETTLE, IDLE and upstream.timeout
   * bound failures only; no assertion depends on how long anything took.
   */

  static final long SEED = Long.getLong("sluice.fuzz.seed", 0x511CE_F022L);
  static final int CASES = Integer.getInteger("sluice.fuzz.cases", 10_000);
  static final int ONLY = Integer.getInteger("sluice.fuzz.case", -1);
  static final int MAX_FAILING_CASES = Integer.getInteger("sluice.fuzz.max-failures", 40);
  static final boolean VERBOSE = Boolean.getBoolean("sluice.fuzz.verbose");
  /** How long a case may take to wind down on every side once the client has its answer (a failure bound). */
  static final Duration SETTLE = Duration.ofSeconds(5);
  /**
   * The edge's idle timeout here. {@link #PADDING} ends every request the edge reads in full, but
   * one it refused (404, 405, 417...) has its body discarded to the end, however long: a mutated
   * length or chunk size can leave the edge waiting for more, and this closes it. A connection
   * neither answered nor closed after {@link #READ_BOUND} is a failure.
   */
  static final Duration IDLE = Duration.ofSeconds(2);
  static final Duration READ_BOUND = Duration.ofSeconds(10);

  /**
   * Sent after every mutated request: a line no HTTP/1.1 parser accepts in any state (as a request
   * line, a field, a chunk size or a chunk end), repeated past every size limit of the fuzzed
   * server, so whatever the mutation left open ends in an error and a close rather than a wait.
   */
  static final byte[] PADDING = "X X X\n".repeat(1_500).getBytes(StandardCharsets.ISO_8859_1);

  static FuzzUpstream upstream;
  static LogCapture logs;
  static Harness sluice;
  static SluiceServer server;
  /**
   * The most upstream connections the pool may keep open between cases: a case has at most two
   * requests in flight on one event loop, and idle ones are reused most recent first, so more
   * than a few per loop is a leak.
   */
  static int maxOpen;
  /** Requests the edge counts as active between cases: 0 unless an earlier case leaked some. */
  static int activeBase;
  /** Upstream connections the pool counts as busy between cases: 0 unless an earlier case leaked some. */
  static int busyBase;

  @BeforeAll
  static void start() throws IOException {
    upstream = new FuzzUpstream();
    logs = LogCapture.attach();
    logs.muteOthers(); // the upstream faults log thousands of expected warnings; the cases check them
    sluice = Harness.start(Harness.options("""
        upstream:
          url: http://127.0.0.1:%d
          timeout: 2s
        tiers:
          free:
            per-client: { burst: 1000000000, rate: 1000/s }
        costs:
          - { method: POST, path: "/fuzz/b", cost: 2 }
        """.formatted(upstream.port()), new ManualClock(1_000L))
        .maxDecisionBodyBytes(2048).maxProxyBodyBytes(4096).idleTimeout(IDLE));
    server = sluice.server;
    int eventLoops = Integer.getInteger(Transport.EVENT_LOOPS_PROPERTY, Runtime.getRuntime().availableProcessors());
    maxOpen = 4 * eventLoops;
  }

  @AfterAll
  static void stop() throws IOException {
    if (sluice != null) {
      sluice.close();
    }
    if (logs != null) {
      logs.close();
    }
    if (upstream != null) {
      upstream.close();
    }
  }

  @Test
  void mutatedTrafficInBothDirectionsKeepsEveryInvariant() {
    FuzzCase.Failures failures = new FuzzCase.Failures();
    Map<String, Integer> statuses = new TreeMap<>();
    Clock clock = Clock.system();
    long started = clock.nanoTime();
    long cpuStarted = processCpuNanos();
    int from = ONLY >= 0 ? ONLY : 0;
    int to = ONLY >= 0 ? ONLY + 1 : CASES;
    int run = 0;
    for (int i = from; i < to && failures.cases() < MAX_FAILING_CASES; i++) {
      FuzzCase c = runCase(i);
      run++;
      if (VERBOSE) {
        System.out.println(c.describe() + "\n    failures: " + c.failures);
      }
      for (StrictHttp.Response r : c.responses) {
        statuses.merge((c.upstreamSide ? "up " : "client ") + r.status(), 1, Integer::sum);
      }
      failures.add(c);
    }
    long millis = (clock.nanoTime() - started) / 1_000_000;
    long cpuMillis = (processCpuNanos() - cpuStarted) / 1_000_000;
    System.out.printf("edge mutation fuzz: seed %d, %d cases in %d ms (%d ms of CPU, all threads), statuses %s%n",
        SEED, run, millis, cpuMillis, statuses);
    assertThat(failures.report()).as("edge mutation fuzz, seed " + SEED).isEmpty();
    if (ONLY < 0) {
      Double active = PrometheusText.parse(sluice.adminGet("/metrics").body()).value("sluice_edge_requests_active");
      assertThat(active).as("sluice_edge_requests_active after the run").isEqualTo(0.0);
    }
  }

  private static long processCpuNanos() {
    return java.lang.management.ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os ? os.getProcessCpuTime() : 0;
  }

  static FuzzCase runCase(int index) {
    Random r = new Random(mix(SEED + 0x9E3779B97F4A7C15L * (index + 1L)));
    FuzzCase c = new FuzzCase(SEED, index, r.nextBoolean());
    logs.drain();
    try {
      if (c.upstreamSide) {
        upstreamCase(c, r);
      } else {
        clientCase(c, r);
      }
    } catch (Hung e) {
      c.received = e.got;
      c.fail("connection neither answered nor closed", "nothing more within " + READ_BOUND + " after "
          + e.got.length + " bytes");
    } catch (IOException e) {
      c.fail("client socket: " + e.getClass().getSimpleName(), e.toString());
    } catch (RuntimeException e) {
      java.io.StringWriter trace = new java.io.StringWriter();
      e.printStackTrace(new java.io.PrintWriter(trace));
      c.fail("the fuzzer itself failed: " + e, trace.toString());
    }
    settle(c);
    if (!c.upstreamSide && c.parsed) {
      // Each answer once, in order; the upstream's own list is in the order its threads finished.
      List<Long> answered = upstream.answered().stream().sorted().toList();
      if (!c.passedOn.equals(answered)) {
        c.fail("upstream answers not passed on exactly once", "upstream answered " + answered + ", client got "
            + c.passedOn);
      }
    }
    for (FuzzUpstream.Violation v : upstream.takeViolations()) {
      c.fail(v.kind(), v.detail());
    }
    FuzzInvariants.logs(c, logs.drain());
    return c;
  }

  /** Murmur3's 64-bit finaliser: neighbouring case numbers get unrelated random streams. */
  static long mix(long z) {
    z = (z ^ z >>> 33) * 0xff51afd7ed558ccdL;
    z = (z ^ z >>> 33) * 0xc4ceb9fe1a85ec53L;
    return z ^ z >>> 33;
  }

  /** A mutated request (then {@link #PADDING}) against the valid upstream. */
  static void clientCase(FuzzCase c, Random r) throws IOException {
    FuzzCorpus.Seed seed = FuzzCorpus.CLIENT.get(r.nextInt(FuzzCorpus.CLIENT.size()));
    HttpMutator.Result m = r.nextInt(20) == 0 ? new HttpMutator.Result(seed.bytes(), List.of(), false)
        : HttpMutator.mutate(seed.bytes(), r, false);
    c.corpus = seed.name();
    c.ops = m.ops();
    c.sent = m.bytes();
    upstream.beginCase(null);
    c.received = converse(split(m.bytes(), 1 + r.nextInt(3)), true);
    boolean maybeHead = StrictHttp.latin1(m.bytes(), 0, m.bytes().length).contains("HEAD");
    if (FuzzInvariants.parse(c, maybeHead ? null : i -> false)) {
      FuzzInvariants.clientFault(c);
    }
  }

  /** Valid requests against the upstream answering the first with a mutated response. */
  static void upstreamCase(FuzzCase c, Random r) throws IOException {
    FuzzCorpus.Requests q = FuzzCorpus.UPSTREAM_REQUESTS.get(r.nextInt(FuzzCorpus.UPSTREAM_REQUESTS.size()));
    FuzzCorpus.Response seed = FuzzCorpus.RESPONSES.get(r.nextInt(FuzzCorpus.RESPONSES.size()));
    String method = q.methods().get(0);
    HttpMutator.Result m = r.nextInt(20) == 0 ? new HttpMutator.Result(seed.render(method), List.of(), false)
        : HttpMutator.mutate(seed.render(method), r, true);
    StrictHttp.Response valid = FuzzInvariants.validAnswer(m.bytes(), method.equals("HEAD"));
    // Keep the connection open only after a whole answer: after anything else the edge would wait for the rest.
    boolean close = m.truncated() || r.nextInt(3) == 0 || valid == null || valid.closes();
    boolean reset = r.nextInt(25) == 0;
    int writes = 1 + r.nextInt(3);
    c.corpus = q.name() + " <- " + seed.name() + (reset ? " (then reset)" : close ? " (then close)" : "");
    c.ops = m.ops();
    c.sent = q.bytes();
    c.script = m.bytes();
    upstream.beginCase((index, req) -> index == 0 ? new FuzzUpstream.Answer(m.bytes(), writes, close, reset)
        : new FuzzUpstream.Answer(FuzzCorpus.secondAnswer(req.method()), 1, false, false));
    c.received = converse(List.of(q.bytes()), false);
    if (FuzzInvariants.parse(c, i -> i < q.methods().size() && q.methods().get(i).equals("HEAD"))) {
      FuzzInvariants.upstreamFault(c, q.methods(), reset);
    }
  }

  /**
   * Waits until the case is over on every side: the edge answers nothing, holds no client
   * connection, and every upstream connection is idle between requests and no more are open than
   * {@link #maxOpen}; then closes the upstream connections that wrote a scripted answer, so the
   * next case starts clean (and all of them when the case did not settle).
   */
  static void settle(FuzzCase c) {
    boolean ok = awaitCondition(SETTLE, () -> server.edgeRequestsActive() <= activeBase
        && server.edgeConnections() == 0 && server.upstreamConnectionsBusy() <= busyBase && upstream.allIdle()
        && upstream.open() <= maxOpen);
    if (!ok) {
      if (server.edgeRequestsActive() > activeBase) {
        c.fail("requests_active did not return to 0", "requests_active " + server.edgeRequestsActive()
            + " after the case, " + activeBase + " before it");
        activeBase = server.edgeRequestsActive(); // else every later case would fail on this one's leak
      }
      if (server.upstreamConnectionsBusy() > busyBase) {
        c.fail("upstream connection leaked", "upstream connections busy " + server.upstreamConnectionsBusy()
            + " after the case, " + busyBase + " before it");
        busyBase = server.upstreamConnectionsBusy();
      }
      if (server.edgeConnections() != 0) {
        c.fail("client connection left open", server.edgeConnections() + " edge connections");
      }
      if (!upstream.allIdle() || upstream.open() > maxOpen) {
        c.fail("upstream connection left half-used", "at the upstream: " + upstream.describe());
      }
    }
    if ((c.upstreamSide || !ok) && !upstream.closeScripted(!ok, SETTLE)) {
      c.fail("upstream connection not closed by the edge", upstream.describe());
    }
  }

  /** Splits {@code b} into {@code n} writes. */
  static List<byte[]> split(byte[] b, int n) {
    List<byte[]> out = new ArrayList<>();
    int from = 0;
    for (int i = 1; i <= n; i++) {
      int to = i == n ? b.length : b.length * i / n;
      out.add(java.util.Arrays.copyOfRange(b, from, to));
      from = to;
    }
    return out;
  }

  /**
   * Writes {@code writes} (then {@link #PADDING} when {@code pad}) on a new connection from another
   * thread and reads until the edge closes it; a connection still open after 10 s is a failure.
   */
  static byte[] converse(List<byte[]> writes, boolean pad) throws IOException {
    Socket s = new Socket();
    Thread writer = null;
    try {
      s.setTcpNoDelay(true);
      s.connect(new InetSocketAddress("127.0.0.1", sluice.server.edgePort()), 5_000);
      s.setSoTimeout((int) READ_BOUND.toMillis());
      OutputStream out = s.getOutputStream();
      writer = Thread.ofVirtual().start(() -> {
        try {
          for (byte[] w : writes) {
            out.write(w);
            out.flush();
          }
          if (pad) {
            out.write(PADDING);
            out.flush();
          }
        } catch (IOException closed) {
          // the edge closed first: fine, what it answered is read below
        }
      });
      ByteArrayOutputStream got = new ByteArrayOutputStream();
      InputStream in = s.getInputStream();
      byte[] buf = new byte[16_384];
      try {
        for (int n = in.read(buf); n >= 0; n = in.read(buf)) {
          got.write(buf, 0, n);
        }
      } catch (SocketTimeoutException e) {
        throw new Hung(got.toByteArray());
      } catch (SocketException reset) {
        // a reset after the edge closed with our padding unread: what came before it is complete
      }
      return got.toByteArray();
    } finally {
      s.close();
      if (writer != null) {
        try {
          writer.join(5_000);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  /** The edge neither closed the connection nor sent anything more within {@link #READ_BOUND}. */
  static final class Hung extends IOException {
    private static final long serialVersionUID = 1L;
    final transient byte[] got;

    Hung(byte[] got) {
      super("no close within " + READ_BOUND, null);
      this.got = got;
    }
  }

  /** Polls {@code condition} every 0.2 ms until it holds or {@code timeout} passes; returns whether it held. */
  static boolean awaitCondition(Duration timeout, BooleanSupplier condition) {
    Clock clock = Clock.system();
    long deadline = clock.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (clock.nanoTime() > deadline) {
        return false;
      }
      java.util.concurrent.locks.LockSupport.parkNanos(200_000);
    }
    return true;
  }
}
