package dev.sluice.redis;

import dev.sluice.testkit.Conditions;
import dev.sluice.testkit.RedisProcess;
import dev.sluice.core.BucketStore;
import dev.sluice.core.Clock;
import dev.sluice.core.Limit;
import dev.sluice.core.LimiterSpec;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.UnaryOperator;

/**
 * Decisions/s, p99 and over-admission against a real redis-server on loopback, for (a) a plain
 * token-bucket script, one EVAL per request, (b) Sluice without leasing, (c) Sluice with leasing;
 * 1 and 2 nodes (saturated cells also 3); the cold-client group (d): 10^4 client keys and many
 * driver threads, plain EVAL against Sluice without leasing, one call per decision and batched;
 * optionally cells on a 3-master Cluster without and with 3 aggregate shards. Sluice cells run with
 * batching on (the store's default) unless their name says "unbatched". Besides the table it prints
 * each node's store counters (batch calls among them) and the CPU per decision of the bench JVM and
 * of the cell's redis-servers. A plain main (run by {@code bench/redis/run.sh}), not a test.
 * Arguments: seconds per cell (default 5), driver threads per node (default 8), distinct client keys
 * (default 8: hot clients, which leasing serves locally; with many cold clients every decision needs
 * Redis), the cells to run (default {@code abcBC}, see {@link #only}), driver threads per node in the
 * cold group (default 64).
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
  /** Every cell letter main accepts. */
  private static final String CELLS = "abcBCdefkK";
  /**
   * Which cells to run: a, b, c (throughput), B, C (saturated), d (cold clients), e (of d only
   * plain EVAL and batched Sluice) and f (e driven asynchronously: COLD_THREADS decisions in flight
   * per node, each issued from the completion of the one before, no thread per request) on one
   * standalone Redis; k (throughput) and K (saturated) on a 3-master Cluster, without and with 3
   * aggregate shards; {@code abcBC} by default.
   */
  private static String only = "abcBC";
  private static final List<String> STATS = new ArrayList<>();
  private static boolean jvmWarm;

  private RedisBench() {}

  /** One cell's result. */
  record Cell(String name, int nodes, double perSecond, double p99Ms, long admitted, double bound) {}

  /** Runs every cell and prints a markdown table. */
  public static void main(String[] args) throws Exception {
    int seconds = positive(args, 0, 5, "seconds per cell");
    int threads = positive(args, 1, 8, "driver threads per node");
    int keys = positive(args, 2, 8, "distinct client keys");
    only = args.length > 3 ? args[3] : only;
    int coldThreads = positive(args, 4, 64, "driver threads per node in the cold group");
    if (only.isEmpty() || !only.chars().allMatch(ch -> CELLS.indexOf(ch) >= 0)) {
      usage("cells must be letters of " + CELLS + ", got '" + only + "'");
    }
    try (RedisProcess redis = RedisProcess.start()) {
      List<Cell> cells = new ArrayList<>();
      // Throughput: limits far above the load.
      LimiterSpec open = LimiterSpec.builder().tier("t", Limit.of(10_000_000, 10_000_000))
          .global(Limit.of(100_000_000, 100_000_000)).build();
      // Over-admission: the global level saturated (burst 2000, 20000/s).
      LimiterSpec tight = LimiterSpec.builder().tier("t", Limit.of(10_000_000, 10_000_000))
          .global(Limit.of(2_000, 20_000)).build();
      RedisClusterProcesses cluster = only.contains("k") || only.contains("K") ? new RedisClusterProcesses() : null;
      Load hot = new Load(threads, keys, false);
      Load cold = new Load(coldThreads, COLD_KEYS, false);
      Backend standalone = new Backend(b -> b.standalone(RedisURI.create(redis.uri())),
          List.of(RedisURI.create(redis.uri())));
      // -Dsluice.bench.nodes=1 (in $BENCH_JAVA_OPTS) runs the cells of one node count only.
      int[] counts = Integer.getInteger("sluice.bench.nodes") == null ? new int[] {1, 2, 3}
          : new int[] {Integer.getInteger("sluice.bench.nodes")};
      for (int nodes : counts) {
        // Throughput and cold cells on 1 and 2 nodes; the saturated ones also on 3.
        if (nodes < 3 && only.contains("a")) {
          cells.add(baseline("(a) plain EVAL token bucket", redis, nodes, hot, seconds));
        }
        if (nodes < 3 && only.contains("b")) {
          cells.add(sluice("(b) sluice, no leasing", standalone, open, nodes, hot, seconds, false, true));
        }
        if (nodes < 3 && only.contains("c")) {
          cells.add(sluice("(c) sluice, leasing", standalone, open, nodes, hot, seconds, true, true));
        }
        if (only.contains("B")) {
          cells.add(sluice("(b) saturated global", standalone, tight, nodes, hot, seconds, false, true));
        }
        if (only.contains("C")) {
          cells.add(sluice("(c) saturated global", standalone, tight, nodes, hot, seconds, true, true));
        }
        if (nodes < 3 && only.contains("d")) {
          String what = String.format(Locale.ROOT, ", %,d keys, %d threads", COLD_KEYS, coldThreads);
          cells.add(baseline("(d) plain EVAL" + what, redis, nodes, cold, seconds));
          cells.add(sluice("(d) sluice, no leasing, unbatched" + what, standalone, open, nodes, cold, seconds, false, false));
          cells.add(sluice("(d) sluice, no leasing, batched" + what, standalone, open, nodes, cold, seconds, false, true));
          cells.add(sluice("(d) saturated global, batched" + what, standalone, tight, nodes, cold, seconds, false, true));
        }
        if (nodes < 3 && only.contains("e")) {
          // The two cells the cold-client goal compares, alone (quick runs, profiles).
          String what = String.format(Locale.ROOT, ", %,d keys, %d threads", COLD_KEYS, coldThreads);
          cells.add(baseline("(e) plain EVAL" + what, redis, nodes, cold, seconds));
          cells.add(sluice("(e) sluice, no leasing, batched" + what, standalone, open, nodes, cold, seconds, false, true));
        }
        if (nodes < 3 && only.contains("f")) {
          String what = String.format(Locale.ROOT, ", %,d keys, async, %d in flight", COLD_KEYS, coldThreads);
          Load async = new Load(coldThreads, COLD_KEYS, true);
          cells.add(baseline("(f) plain EVAL" + what, redis, nodes, async, seconds));
          cells.add(sluice("(f) sluice, no leasing, batched" + what, standalone, open, nodes, async, seconds, false, true));
        }
      }
      if (cluster != null) {
        // A 3-master Cluster on loopback: one namespace (one hot slot) vs its aggregates in 3 shards.
        try (cluster) {
          Backend one = new Backend(b -> b.cluster(cluster.seeds()), cluster.seeds());
          Backend three = new Backend(b -> b.cluster(cluster.seeds()).aggregateShards(3), cluster.seeds());
          for (int nodes : new int[] {1, 2}) {
            if (only.contains("k")) {
              cells.add(sluice("(b) cluster, no leasing", one, open, nodes, hot, seconds, false, true));
              cells.add(sluice("(b) cluster, no leasing, 3 shards", three, open, nodes, hot, seconds, false, true));
              cells.add(sluice("(c) cluster, leasing", one, open, nodes, hot, seconds, true, true));
              cells.add(sluice("(c) cluster, leasing, 3 shards", three, open, nodes, hot, seconds, true, true));
            }
            if (only.contains("K")) {
              cells.add(sluice("(c) cluster, saturated global", one, tight, nodes, hot, seconds, true, true));
              cells.add(sluice("(c) cluster, saturated global, 3 shards", three, tight, nodes, hot, seconds, true, true));
            }
          }
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

  /** Returns argument {@code i} as a positive int, {@code dflt} when absent; exits with usage when bad. */
  private static int positive(String[] args, int i, int dflt, String what) {
    if (args.length <= i) {
      return dflt;
    }
    try {
      int v = Integer.parseInt(args[i]);
      if (v > 0) {
        return v;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    usage(what + " must be a positive integer, got '" + args[i] + "'");
    return dflt;
  }

  /** Prints the problem and the usage on stdout (run.sh discards stderr) and exits with status 2. */
  private static void usage(String problem) {
    System.out.println("RedisBench: " + problem);
    System.out.println("usage: RedisBench [SECONDS_PER_CELL=5] [THREADS_PER_NODE=8] [CLIENT_KEYS=8] [CELLS=abcBC] [COLD_THREADS=64]");
    System.exit(2);
  }

  /** One decision of a driver thread, waited for: whether it was admitted (no future or boxing per call). */
  @FunctionalInterface
  private interface Decide {
    boolean decide(int node, String key);
  }

  /** One decision for the asynchronous driver: its admission, when Redis (or the store) answers. */
  @FunctionalInterface
  private interface DecideAsync {
    CompletableFuture<Boolean> decide(int node, String key);
  }

  /**
   * The driver's load: threads per node (with {@code async}: decisions in flight per node, each
   * issued from the completion of the one before, without a thread per request), and the distinct
   * client keys they take turns on.
   */
  private record Load(int threads, int keys, boolean async) {}

  /** Where a Sluice cell's stores connect, and the redis-servers whose CPU and script time it reports. */
  private record Backend(UnaryOperator<RedisStoreBuilder> connect, List<RedisURI> servers) {}

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
      DecideAsync async = (node, key) -> cmds.get(node)
          .<Long>eval(TOKEN_BUCKET, ScriptOutputType.INTEGER, new String[] {"tb:" + key},
              "10000000", "10000000", Long.toString(CLOCK.nanoTime() / 1000))
          .toCompletableFuture().thenApply(v -> v == 1);
      Result r = drive(nodes, load, seconds, List.of(RedisURI.create(redis.uri())), (node, key) -> cmds.get(node)
          .<Long>eval(TOKEN_BUCKET, ScriptOutputType.INTEGER, new String[] {"tb:" + key},
              "10000000", "10000000", Long.toString(CLOCK.nanoTime() / 1000))
          .toCompletableFuture().join() == 1, async, () -> { });
      STATS.add(String.format(Locale.ROOT, "- %s, %d node(s): %s", name, nodes, r.cpu()));
      return new Cell(name, nodes, r.perSecond, r.p99Ms, 0, 0);
    } finally {
      clients.forEach(RedisClient::shutdown);
    }
  }

  private static Cell sluice(String name, Backend backend, LimiterSpec spec, int nodes, Load load,
      int seconds, boolean leasing, boolean batching) throws Exception {
    List<RedisBucketStore> stores = new ArrayList<>();
    String ns = "bench" + CLOCK.nanoTime();
    for (int n = 0; n < nodes; n++) {
      stores.add(backend.connect().apply(RedisBucketStore.builder(spec)).namespace(ns).nodeId("bench-" + n)
          .leasing(leasing).batching(batching).batchesInFlight(Integer.getInteger("sluice.bench.batchesInFlight", 1))
          .timeout(java.time.Duration.ofSeconds(1)).build());
    }
    try {
      // A store whose Redis did not answer within its start-up wait starts in the failure mode; a
      // cell measured from the fallback buckets would say nothing about Redis.
      Conditions.await("every store deciding in Redis", java.time.Duration.ofSeconds(20),
          () -> stores.stream().allMatch(st -> st.mode().equals("redis")));
      // Between warm-up and measurement the global bucket refills in Redis (waited for), so the
      // measured window starts from a full bucket, as the bound B + R·t assumes.
      Result r = drive(nodes, load, seconds, backend.servers(), (node, key) -> stores.get(node).acquire(key, null, 1)
          .toCompletableFuture().join().allowed(), (node, key) -> stores.get(node).acquire(key, null, 1)
          .toCompletableFuture().thenApply(d -> d.allowed()), () -> awaitFullGlobal(stores.get(0)),
          spec.global().burst() < 1_000_000 ? stores.get(0) : null);
      Limit g = spec.global();
      double bound = g.burst() < 1_000_000 ? g.burst() + g.rate().perSecond() * r.elapsedSeconds : 0;
      if (!load.async()) {
        STATS.add(String.format(Locale.ROOT, "- %s, %d node(s): every driver thread stood still >= %.1f ms at least once; %s",
            name, nodes, r.pausedMs(), r.stalls()));
      }
      for (RedisBucketStore st : stores) {
        StoreStats x = st.stats();
        String batches = st.batchCalls() == 0 ? "" : String.format(Locale.ROOT, ", batch calls %,d (%.1f decisions each)",
            st.batchCalls(), (double) x.redisDecisions() / st.batchCalls());
        STATS.add(String.format(Locale.ROOT, "- %s, %d node(s), %s: redis %,d, leased %,d, denied locally %,d, fallback %,d, errors %d, grants %,d, returned %,d%s",
            name, nodes, st.nodeId(), x.redisDecisions(), x.leasedDecisions(), x.localDenials(), x.fallbackDecisions(), x.errors(),
            x.leaseGrants(), x.leaseReturnedTokens(), batches) + "; " + st.leaseDiagnostics());
      }
      STATS.add(String.format(Locale.ROOT, "- %s, %d node(s): %s", name, nodes, r.cpu()));
      return new Cell(name, nodes, r.perSecond, r.p99Ms, r.admitted, bound);
    } finally {
      stores.forEach(BucketStore::close);
    }
  }

  /**
   * One run's figures; {@code pausedMs} is the shortest, over the driver threads, of each thread's
   * longest gap between the starts of two consecutive decisions: every thread stood still at least
   * that long at least once (a CPU-starved JVM, or the Redis reply it waited for); {@code cpu}
   * says the CPU and script time per decision of the measured interval.
   */
  private record Result(double perSecond, double p99Ms, long admitted, double elapsedSeconds, double pausedMs,
      String cpu, String stalls) {}

  /** Waits until Redis holds the global bucket (every shard of it) full again (tokens in leases not counted). */
  static void awaitFullGlobal(BucketStore store) {
    Conditions.await("the global bucket full again", java.time.Duration.ofSeconds(10),
        () -> store.aggregates().toCompletableFuture().join().global().resetAfterNanos() == 0);
  }

  private static Result drive(int nodes, Load load, int seconds, List<RedisURI> servers,
      Decide decide, DecideAsync async, Runnable afterWarmUp) {
    return drive(nodes, load, seconds, servers, decide, async, afterWarmUp, null);
  }

  /** Drives a cell; {@code watched}, when not null, gets a {@link Stalls.FullWatch} over the measured run. */
  private static Result drive(int nodes, Load load, int seconds, List<RedisURI> servers,
      Decide decide, DecideAsync async, Runnable afterWarmUp, RedisBucketStore watched) {
    // Warm-up, not counted: one second, three for the JVM's first cell (on a loaded machine the JIT
    // was still compiling the decision path a second in, and the first cell under-admitted by a
    // further 15 points: -22.6 % against -6.1 % for the same cell repeated in the same JVM).
    run(nodes, load, jvmWarm ? 1 : 3, decide, async, null);
    jvmWarm = true;
    afterWarmUp.run();
    RedisClient admin = RedisClient.create();
    try {
      List<RedisCommands<String, String>> sync = new ArrayList<>();
      for (RedisURI uri : servers) {
        sync.add(admin.connect(uri).sync());
      }
      sync.forEach(RedisCommands::configResetstat);
      long jvm0 = BenchCpu.jvmCpuNanos();
      long server0 = sync.stream().mapToLong(BenchCpu::serverCpuNanos).sum();
      Result r = run(nodes, load, seconds, decide, async, watched);
      double decisions = r.perSecond() * r.elapsedSeconds();
      long server = sync.stream().mapToLong(BenchCpu::serverCpuNanos).sum() - server0;
      String cpu = String.format(Locale.ROOT, "CPU per decision: bench JVM %.1f µs, redis-server%s %.1f µs; %s",
          (BenchCpu.jvmCpuNanos() - jvm0) / 1e3 / decisions, servers.size() > 1 ? "s" : "", server / 1e3 / decisions,
          BenchCpu.scriptTime(sync.stream().map(s -> s.info("commandstats")).toList(), decisions, r.elapsedSeconds()));
      return new Result(r.perSecond(), r.p99Ms(), r.admitted(), r.elapsedSeconds(), r.pausedMs(), cpu, r.stalls());
    } finally {
      admin.shutdown();
    }
  }

  private static Result run(int nodes, Load load, int seconds, Decide decide, DecideAsync async,
      RedisBucketStore watched) {
    if (load.async()) {
      return runAsync(nodes, load, seconds, async);
    }
    Stalls.FullWatch full = watched == null ? null : new Stalls.FullWatch(watched);
    int threads = load.threads();
    int keys = load.keys();
    // Latency samples per thread: a ring of the last ones (2^20 for a few threads, fewer for many).
    int ring = Integer.highestOneBit(Math.max(1 << 14, Math.min(1 << 20, (1 << 23) / threads)));
    AtomicBoolean stop = new AtomicBoolean();
    List<CompletableFuture<long[]>> runs = new ArrayList<>();
    List<Stalls> stalls = new ArrayList<>();
    Stalls.Watchdog watchdog = new Stalls.Watchdog(CLOCK);
    double uptime = java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime() / 1e3;
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
        Stalls gaps = new Stalls();
        stalls.add(gaps);
        runs.add(CompletableFuture.supplyAsync(() -> {
          long[] lat = new long[ring];
          long count = 0;
          long admitted = 0;
          // Threads start spread over the keys, so cold keys are not all hit in the same order.
          int i = seed * Math.max(1, keys / threads);
          long prev = CLOCK.nanoTime();
          long first = prev;
          long longest = 0;
          while (!stop.get()) {
            long t0 = CLOCK.nanoTime();
            longest = Math.max(longest, t0 - prev);
            gaps.gap(prev, t0);
            prev = t0;
            boolean ok = decide.decide(node, names[i++ % names.length]);
            lat[(int) (count++ & (lat.length - 1))] = CLOCK.nanoTime() - t0;
            // Virtual threads are not preempted: a decision answered without I/O never parks, so
            // without this the first two threads would keep both carriers and the other nodes'
            // threads would never run. Yielding after every decision (every cell) keeps the
            // threads of all nodes taking turns.
            Thread.yield();
            admitted += ok ? 1 : 0;
          }
          long[] out = Arrays.copyOf(lat, (int) Math.min(count, lat.length) + 5);
          out[out.length - 5] = first;
          out[out.length - 4] = CLOCK.nanoTime();
          out[out.length - 3] = longest;
          out[out.length - 2] = count;
          out[out.length - 1] = admitted;
          return out;
        }, java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()));
      }
    }
    Conditions.await("cell duration", java.time.Duration.ofSeconds(seconds + 5),
        () -> CLOCK.nanoTime() - start >= TimeUnit.SECONDS.toNanos(seconds));
    stop.set(true);
    String fullSummary = "";
    try {
      watchdog.close();
      fullSummary = full == null ? "" : "; " + full.close();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    long total = 0;
    long admitted = 0;
    List<long[]> lats = new ArrayList<>();
    long everyPaused = Long.MAX_VALUE;
    long firstStart = Long.MAX_VALUE;
    long lastEnd = Long.MIN_VALUE;
    for (CompletableFuture<long[]> r : runs) {
      long[] out = r.join();
      firstStart = Math.min(firstStart, out[out.length - 5]);
      lastEnd = Math.max(lastEnd, out[out.length - 4]);
      everyPaused = Math.min(everyPaused, out[out.length - 3]);
      total += out[out.length - 2];
      admitted += out[out.length - 1];
      lats.add(Arrays.copyOf(out, out.length - 5));
    }
    // The window the driver threads decided in: from the first one's first decision to the last
    // one's return (the bound B + R·t is over the instants admissions happen in; the seconds a
    // loaded machine takes to start or join the threads are no window the bucket could admit in).
    double elapsed = (lastEnd - firstStart) / 1e9;
    double joined = (CLOCK.nanoTime() - start) / 1e9;
    long[] all = lats.stream().flatMapToLong(Arrays::stream).sorted().toArray();
    double p99 = all.length == 0 ? 0 : all[(int) Math.min(all.length - 1, Math.ceil(all.length * 0.99) - 1)] / 1e6;
    String where = String.format(Locale.ROOT, "decided in %.3f s (start to join %.3f s); cell from JVM uptime %.3f s: ",
        elapsed, joined, uptime) + Stalls.summary(stalls, watchdog, start) + fullSummary;
    return new Result(total / elapsed, p99, admitted, elapsed, everyPaused / 1e6, "", where);
  }

  /**
   * The asynchronous driver: per node, {@code load.threads()} slots, each with one decision in
   * flight, issuing its next decision from the completion of the one before (on whatever thread
   * completed it: for both the plain EVAL and Sluice, a Lettuce event loop), until the cell's time
   * is up. No driver thread blocks or yields, so what the cell measures is the client library and
   * Redis, not thread switches.
   */
  private static Result runAsync(int nodes, Load load, int seconds,
      DecideAsync decide) {
    int slots = load.threads();
    String[] names = new String[load.keys()];
    for (int k = 0; k < names.length; k++) {
      names[k] = "client-" + k;
    }
    AtomicBoolean stop = new AtomicBoolean();
    List<Slot> all = new ArrayList<>();
    int ring = Integer.highestOneBit(Math.max(1 << 12, Math.min(1 << 20, (1 << 23) / (slots * nodes))));
    long start = CLOCK.nanoTime();
    for (int n = 0; n < nodes; n++) {
      for (int t = 0; t < slots; t++) {
        Slot s = new Slot(n, t * Math.max(1, names.length / slots), ring, names, decide, stop);
        all.add(s);
      }
    }
    all.forEach(Slot::next);
    Conditions.await("cell duration", java.time.Duration.ofSeconds(seconds + 5),
        () -> CLOCK.nanoTime() - start >= TimeUnit.SECONDS.toNanos(seconds));
    stop.set(true);
    Conditions.await("every slot's last decision", java.time.Duration.ofSeconds(10),
        () -> all.stream().allMatch(s -> s.done));
    double elapsed = (CLOCK.nanoTime() - start) / 1e9;
    long total = 0;
    long admitted = 0;
    List<long[]> lats = new ArrayList<>();
    for (Slot s : all) {
      if (s.failure != null) {
        throw new IllegalStateException("a decision failed in the async driver", s.failure);
      }
      total += s.count;
      admitted += s.admitted;
      lats.add(Arrays.copyOf(s.lat, (int) Math.min(s.count, s.lat.length)));
    }
    long[] every = lats.stream().flatMapToLong(Arrays::stream).sorted().toArray();
    double p99 = every.length == 0 ? 0 : every[(int) Math.min(every.length - 1, Math.ceil(every.length * 0.99) - 1)] / 1e6;
    return new Result(total / elapsed, p99, admitted, elapsed, 0, "", "");
  }

  /**
   * One asynchronous driver slot: one decision in flight at a time, the next one issued from the
   * completion of the one before (a completion that arrives before its callback is registered runs
   * the loop on, without recursion). Its fields are written only by the decision chain, one step at
   * a time, and read after {@code done}.
   */
  private static final class Slot {
    private final int node;
    private final String[] names;
    private final DecideAsync decide;
    private final AtomicBoolean stop;
    final long[] lat;
    int key;
    long count;
    long admitted;
    volatile Throwable failure;
    volatile boolean done;

    Slot(int node, int key, int ring, String[] names, DecideAsync decide,
        AtomicBoolean stop) {
      this.node = node;
      this.key = key;
      this.lat = new long[ring];
      this.names = names;
      this.decide = decide;
      this.stop = stop;
    }

    /** Issues decisions until one is still in flight (its completion goes on) or the cell stops. */
    void next() {
      while (!stop.get()) {
        long t0 = CLOCK.nanoTime();
        CompletableFuture<Boolean> f = decide.decide(node, names[key++ % names.length]);
        if (!f.isDone()) {
          f.whenComplete((ok, err) -> {
            record(t0, ok, err);
            next();
          });
          return;
        }
        record(t0, f.getNow(false), null);
      }
      done = true;
    }

    private void record(long t0, Boolean ok, Throwable err) {
      if (err != null) {
        failure = err;
        stop.set(true);
        return;
      }
      lat[(int) (count++ & (lat.length - 1))] = CLOCK.nanoTime() - t0;
      admitted += ok ? 1 : 0;
    }
  }}
