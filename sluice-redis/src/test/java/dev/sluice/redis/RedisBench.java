package dev.sluice.redis;

import dev.sluice.testkit.RedisProcess;
import dev.sluice.core.BucketStore;
import dev.sluice.core.Clock;
import dev.sluice.core.Decision;
import dev.sluice.core.Limit;
import dev.sluice.core.LimiterSpec;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;

/**
 * Decisions/s, p99 and over-admission against a real redis-server on loopback, for (a) a plain
 * token-bucket script, one EVAL per request, (b) Sluice without leasing, (c) Sluice with leasing;
 * 1 and 2 nodes; and the cold-client group (d): 10^4 client keys and many driver threads, plain
 * EVAL against Sluice without leasing, one call per decision and batched. A plain main (run by
 * {@code bench/redis/run.sh}), not a test. Arguments: seconds per cell (default 5), driver threads
 * per node (default 8), distinct client keys (default 8: hot clients, which leasing serves locally;
 * with many cold clients every decision needs Redis), the cells to run (default {@code abcBC}:
 * add {@code d} for the cold-client group), driver threads per node in the cold group (default 64).
 */
public final class RedisBench {

  private static final Clock CLOCK = Clock.system();
  private static final String TOKEN_BUCKET = """
      local b = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
      local rate, burst, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
      local tokens, ts = tonumber(b[1]) or burst, tonumber(b[2]) or now
      tokens = math.min(burst, tokens + (now - ts) * rate / 1000000)
      local ok = 0
      if tokens >= 1 then tokens = tokens - 1; ok = 1 end
      redis.call('HSET', KEYS[1], 'tokens', tokens, 'ts', now)
      redis.call('PEXPIRE', KEYS[1], 60000)
      return ok
      """;

  /** Distinct client keys in the cold-client group (d). */
  private static final int COLD_KEYS = 10_000;
  /** Which cells to run: a, b, c (throughput), B, C (saturated), d (cold clients); abcBC by default. */
  private static String only = "abcBC";
  private static final List<String> STATS = new ArrayList<>();

  private RedisBench() {}

  /** One cell's result. */
  record Cell(String name, int nodes, double perSecond, double p99Ms, long admitted, double bound) {}

  /** Runs every cell and prints a markdown table. */
  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 5;
    int threads = args.length > 1 ? Integer.parseInt(args[1]) : 8;
    int keys = args.length > 2 ? Integer.parseInt(args[2]) : 8;
    only = args.length > 3 ? args[3] : only;
    int coldThreads = args.length > 4 ? Integer.parseInt(args[4]) : 64;
    try (RedisProcess redis = RedisProcess.start()) {
      List<Cell> cells = new ArrayList<>();
      // Throughput: limits far above the load.
      LimiterSpec open = LimiterSpec.builder().tier("t", Limit.of(10_000_000, 10_000_000))
          .global(Limit.of(100_000_000, 100_000_000)).build();
      // Over-admission: the global level saturated (burst 2000, 20000/s).
      LimiterSpec tight = LimiterSpec.builder().tier("t", Limit.of(10_000_000, 10_000_000))
          .global(Limit.of(2_000, 20_000)).build();
      Load hot = new Load(threads, keys);
      Load cold = new Load(coldThreads, COLD_KEYS);
      for (int nodes : new int[] {1, 2}) {
        if (only.contains("a")) {
          cells.add(baseline("(a) plain EVAL token bucket", redis, nodes, hot, seconds));
        }
        if (only.contains("b")) {
          cells.add(sluice("(b) sluice, no leasing", redis, open, nodes, hot, seconds, false, true));
        }
        if (only.contains("c")) {
          cells.add(sluice("(c) sluice, leasing", redis, open, nodes, hot, seconds, true, true));
        }
        if (only.contains("B")) {
          cells.add(sluice("(b) saturated global", redis, tight, nodes, hot, seconds, false, true));
        }
        if (only.contains("C")) {
          cells.add(sluice("(c) saturated global", redis, tight, nodes, hot, seconds, true, true));
        }
        if (only.contains("d")) {
          String what = String.format(Locale.ROOT, ", %,d keys, %d threads", COLD_KEYS, coldThreads);
          cells.add(baseline("(d) plain EVAL" + what, redis, nodes, cold, seconds));
          cells.add(sluice("(d) sluice, no leasing, unbatched" + what, redis, open, nodes, cold, seconds, false, false));
          cells.add(sluice("(d) sluice, no leasing, batched" + what, redis, open, nodes, cold, seconds, false, true));
          cells.add(sluice("(d) saturated global, batched" + what, redis, tight, nodes, cold, seconds, false, true));
        }
      }
      System.out.println("| cell | nodes | decisions/s | p99 ms | admitted | bound B+R·t | over-admission |");
      System.out.println("|---|---|---|---|---|---|---|");
      for (Cell c : cells) {
        String over = c.bound() > 0 ? String.format(Locale.ROOT, "%+.2f %%", 100 * (c.admitted() - c.bound()) / c.bound()) : "";
        System.out.printf(Locale.ROOT, "| %s | %d | %,.0f | %.2f | %s | %s | %s |%n", c.name(), c.nodes(), c.perSecond(),
            c.p99Ms(), c.bound() > 0 ? Long.toString(c.admitted()) : "", c.bound() > 0 ? String.format(Locale.ROOT, "%.0f", c.bound()) : "", over);
      }
      System.out.println();
      System.out.println("Store counters per node (warm-up included); CPU and script time per decision (measured interval only):");
      STATS.forEach(System.out::println);
    }
  }

  /** The driver's load: threads per node, and the distinct client keys they take turns on. */
  private record Load(int threads, int keys) {}

  private static Cell baseline(String name, RedisProcess redis, int nodes, Load load, int seconds) throws Exception {
    List<RedisClient> clients = new ArrayList<>();
    List<RedisAsyncCommands<String, String>> cmds = new ArrayList<>();
    for (int n = 0; n < nodes; n++) {
      RedisClient c = RedisClient.create(RedisURI.create(redis.uri()));
      StatefulRedisConnection<String, String> conn = c.connect();
      clients.add(c);
      cmds.add(conn.async());
    }
    try {
      Result r = drive(nodes, load, seconds, redis, (node, key) -> cmds.get(node)
          .<Long>eval(TOKEN_BUCKET, ScriptOutputType.INTEGER, new String[] {"tb:" + key},
              "10000000", "10000000", Long.toString(CLOCK.nanoTime() / 1000))
          .toCompletableFuture().thenApply(v -> v == 1));
      STATS.add(String.format(Locale.ROOT, "- %s, %d node(s): %s", name, nodes, r.redisCpu()));
      return new Cell(name, nodes, r.perSecond, r.p99Ms, 0, 0);
    } finally {
      clients.forEach(RedisClient::shutdown);
    }
  }

  private static Cell sluice(String name, RedisProcess redis, LimiterSpec spec, int nodes, Load load,
      int seconds, boolean leasing, boolean batching) throws Exception {
    List<RedisBucketStore> stores = new ArrayList<>();
    String ns = "bench" + CLOCK.nanoTime();
    for (int n = 0; n < nodes; n++) {
      stores.add(RedisBucketStore.builder(spec).standalone(RedisURI.create(redis.uri())).namespace(ns)
          .nodeId("bench-" + n).leasing(leasing).batching(batching).timeout(java.time.Duration.ofSeconds(1)).build());
    }
    try {
      Result r = drive(nodes, load, seconds, redis, (node, key) -> stores.get(node).acquire(key, null, 1)
          .toCompletableFuture().thenApply(Decision::allowed));
      Limit g = spec.global();
      double bound = g.burst() < 1_000_000 ? g.burst() + g.rate().perSecond() * r.elapsedSeconds : 0;
      for (RedisBucketStore st : stores) {
        StoreStats x = st.stats();
        String batches = st.batchCalls() == 0 ? "" : String.format(Locale.ROOT, ", batch calls %,d (%.1f decisions each)",
            st.batchCalls(), (double) x.redisDecisions() / st.batchCalls());
        STATS.add(String.format(Locale.ROOT, "- %s, %d node(s), %s: redis %,d, leased %,d, denied locally %,d, fallback %,d, errors %d, grants %,d, returned %,d%s",
            name, nodes, st.nodeId(), x.redisDecisions(), x.leasedDecisions(), x.localDenials(), x.fallbackDecisions(), x.errors(),
            x.leaseGrants(), x.leaseReturnedTokens(), batches));
      }
      STATS.add(String.format(Locale.ROOT, "- %s, %d node(s): %s", name, nodes, r.redisCpu()));
      return new Cell(name, nodes, r.perSecond, r.p99Ms, r.admitted, bound);
    } finally {
      stores.forEach(BucketStore::close);
    }
  }

  private record Result(double perSecond, double p99Ms, long admitted, double elapsedSeconds, String redisCpu) {}

  private static Result drive(int nodes, Load load, int seconds, RedisProcess redis,
      BiFunction<Integer, String, CompletableFuture<Boolean>> decide) {
    // Warm-up: one second, not counted.
    run(nodes, load, 1, decide);
    RedisClient admin = RedisClient.create(RedisURI.create(redis.uri()));
    try (StatefulRedisConnection<String, String> conn = admin.connect()) {
      conn.sync().configResetstat();
      long jvm0 = jvmCpuNanos();
      long server0 = serverCpuNanos();
      Result r = run(nodes, load, seconds, decide);
      double decisions = r.perSecond() * r.elapsedSeconds();
      String cpu = String.format(Locale.ROOT, "CPU per decision: bench JVM %.1f µs, redis-server %.1f µs; ",
          (jvmCpuNanos() - jvm0) / 1e3 / decisions, (serverCpuNanos() - server0) / 1e3 / decisions);
      return new Result(r.perSecond(), r.p99Ms(), r.admitted(), r.elapsedSeconds(),
          cpu + redisCpu(conn.sync().info("commandstats"), decisions, r.elapsedSeconds()));
    } finally {
      admin.shutdown();
    }
  }

  /** Returns the CPU time this JVM has used, all threads (driver, Lettuce, stores) together. */
  private static long jvmCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /**
   * Returns the CPU time of the bench's redis-server: this JVM's only child whose executable names
   * redis (Debian links redis-server to redis-check-rdb).
   */
  private static long serverCpuNanos() {
    return ProcessHandle.current().children()
        .filter(p -> p.info().command().map(c -> c.contains("redis")).orElse(false))
        .findFirst().flatMap(p -> p.info().totalCpuDuration()).map(java.time.Duration::toNanos).orElse(0L);
  }

  /**
   * Summarizes Redis's own time in the scripting commands over the measured interval ({@code INFO
   * commandstats}): calls, µs per call and µs per decision, so a cell's server cost is visible
   * apart from the driver's and the client's.
   */
  private static String redisCpu(String info, double decisions, double seconds) {
    long calls = 0;
    long usec = 0;
    for (String line : info.split("\r?\n")) {
      if (line.startsWith("cmdstat_eval")) {
        for (String kv : line.substring(line.indexOf(':') + 1).split(",")) {
          String[] p = kv.split("=");
          if (p[0].equals("calls")) {
            calls += Long.parseLong(p[1]);
          } else if (p[0].equals("usec")) {
            usec += Long.parseLong(p[1]);
          }
        }
      }
    }
    return String.format(Locale.ROOT, "redis scripts: %,d calls, %.1f µs per call, %.2f µs per decision (%.0f %% of one core)",
        calls, calls == 0 ? 0.0 : (double) usec / calls, decisions == 0 ? 0.0 : usec / decisions,
        100.0 * usec / 1e6 / seconds);
  }

  private static Result run(int nodes, Load load, int seconds, BiFunction<Integer, String, CompletableFuture<Boolean>> decide) {
    int threads = load.threads();
    int keys = load.keys();
    // Latency samples per thread: a ring of the last ones (2^20 for a few threads, fewer for many).
    int ring = Integer.highestOneBit(Math.max(1 << 14, Math.min(1 << 20, (1 << 23) / threads)));
    AtomicBoolean stop = new AtomicBoolean();
    List<CompletableFuture<long[]>> runs = new ArrayList<>();
    // Client names built once: the driver should not spend its time formatting them.
    String[] names = new String[keys];
    for (int k = 0; k < keys; k++) {
      names[k] = "client-" + k;
    }
    long start = CLOCK.nanoTime();
    for (int n = 0; n < nodes; n++) {
      for (int t = 0; t < threads; t++) {
        int node = n;
        int seed = t;
        runs.add(CompletableFuture.supplyAsync(() -> {
          long[] lat = new long[ring];
          long count = 0;
          long admitted = 0;
          int i = seed * Math.max(1, keys / threads);
          while (!stop.get()) {
            long t0 = CLOCK.nanoTime();
            boolean ok = decide.apply(node, names[i++ % names.length]).join();
            lat[(int) (count++ & (lat.length - 1))] = CLOCK.nanoTime() - t0;
            // Virtual threads are not preempted: a decision answered without I/O never parks, so
            // without this the first two threads would keep both carriers and the other nodes'
            // threads would never run. Yielding after every decision (every cell) keeps the
            // threads of all nodes taking turns.
            Thread.yield();
            admitted += ok ? 1 : 0;
          }
          long[] out = Arrays.copyOf(lat, (int) Math.min(count, lat.length) + 2);
          out[out.length - 2] = count;
          out[out.length - 1] = admitted;
          return out;
        }, java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()));
      }
    }
    Conditions.await("cell duration", java.time.Duration.ofSeconds(seconds + 5),
        () -> CLOCK.nanoTime() - start >= TimeUnit.SECONDS.toNanos(seconds));
    stop.set(true);
    long total = 0;
    long admitted = 0;
    List<long[]> lats = new ArrayList<>();
    for (CompletableFuture<long[]> r : runs) {
      long[] out = r.join();
      total += out[out.length - 2];
      admitted += out[out.length - 1];
      lats.add(Arrays.copyOf(out, out.length - 2));
    }
    double elapsed = (CLOCK.nanoTime() - start) / 1e9;
    long[] all = lats.stream().flatMapToLong(Arrays::stream).sorted().toArray();
    double p99 = all.length == 0 ? 0 : all[(int) Math.min(all.length - 1, Math.ceil(all.length * 0.99) - 1)] / 1e6;
    return new Result(total / elapsed, p99, admitted, elapsed, "");
  }
}
