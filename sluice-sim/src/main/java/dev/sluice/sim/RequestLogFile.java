package dev.sluice.sim;

import dev.sluice.core.Decision;
import dev.sluice.requestlog.DecisionIds;
import dev.sluice.requestlog.RequestLogRecord;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The request log of one simulated run ({@code sluice simulate --request-log}): one line of the
 * server's schema ({@link RequestLogRecord}, the same encoder) per attempt, source {@code proxy},
 * in virtual time from {@link #EPOCH_MILLIS}. Not thread-safe; one per run, used by its
 * {@link Simulation} only.
 *
 * <ol>
 *   <li>Every attempt the limiter (or a peer gate) decides gets exactly one line: a denied attempt
 *       when it is decided (status 429), an admitted one when the client sees its answer (the
 *       backend's 200 or 500, a 503 while it is down, a 504 at the client's deadline), or, if the
 *       run ends first, at the end of the run with {@code status} and {@code upstreamMs} null.
 *   <li>Lines appear in the order of their time stamps (the event loop's order).
 *   <li>The content is a pure function of (scenario, policy, seed): decision ids come from {@link
 *       DecisionIds#seeded} with the seed and the policy, numbered in decision order.
 * </ol>
 */
final class RequestLogFile implements AutoCloseable {

  /** Virtual time 0 of every run: 2026-01-01T00:00:00Z, in milliseconds since the Unix epoch. */
  static final long EPOCH_MILLIS = 1_767_225_600_000L;

  private final Path path;
  private final BufferedWriter out;
  private final String policy;
  private final DecisionIds ids;
  private final StringBuilder line = new StringBuilder(512);
  private long lines;
  // Per request slot, the decision of the admitted attempt it holds until its answer (id null: none).
  private String[] decisionId = new String[1024];
  private String[] client = new String[1024];
  private String[] tier = new String[1024];
  private int[] cost = new int[1024];
  private String[] level = new String[1024];
  private long[] remaining = new long[1024];
  private double[] rate = new double[1024];
  private long[] burst = new long[1024];
  /** The anomaly score of each admitted attempt at its decision (NaN: no anomaly response). */
  private double[] score = new double[1024];

  /** Creates (or truncates) {@code path} for the run of {@code policy} with {@code seed}. */
  RequestLogFile(Path path, String policy, long seed) {
    this.path = path;
    this.policy = policy;
    this.ids = DecisionIds.seeded(seed, policy);
    try {
      this.out = Files.newBufferedWriter(path, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the request log " + path, e);
    }
  }

  /**
   * Returns the file of the run of {@code policy} with {@code seed} for {@code --request-log
   * file}: the file's name without its extension, {@code -POLICY-seedN.jsonl}, in the same
   * directory ({@code logs/sim.jsonl} → {@code logs/sim-default-seed1.jsonl}).
   */
  static Path pathFor(Path file, String policy, long seed) {
    String name = file.getFileName().toString();
    int dot = name.lastIndexOf('.');
    String stem = dot > 0 ? name.substring(0, dot) : name;
    return file.resolveSibling(stem + "-" + policy + "-seed" + seed + ".jsonl");
  }

  /** Creates the directory {@code file}'s run logs go to, if it does not exist. */
  static void createDirectory(Path file) {
    Path parent = file.toAbsolutePath().getParent();
    try {
      if (parent != null) {
        Files.createDirectories(parent);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the request log's directory " + parent, e);
    }
  }

  /** An attempt of {@code cost} tokens from {@code key} in {@code tier} was denied by {@code d} at {@code now}. */
  void denied(long now, String key, String tier, int cost, Decision d, double score) {
    write(now, key, tier, cost, false, 429, -1, d.level().label(), Math.max(0, d.remaining()),
        d.limit().rate().perSecond(), d.limit().burst(), ids.next(), score);
  }

  /** A peer's in-flight gate refused an attempt at {@code now}: no bucket decided, so no rate or burst. */
  void gateDenied(long now, String key, String tier, int cost, double score) {
    write(now, key, tier, cost, false, 429, -1, "global", 0, Double.NaN, -1, ids.next(), score);
  }

  /** Attempt {@code slot} was admitted by {@code d}; its line is written at its answer. */
  void admitted(int slot, String key, String tier, int cost, Decision d, double score) {
    if (slot >= decisionId.length) {
      grow(Math.max(slot + 1, decisionId.length * 2));
    }
    decisionId[slot] = ids.next();
    client[slot] = key;
    this.tier[slot] = tier;
    this.cost[slot] = cost;
    level[slot] = d.level().label();
    remaining[slot] = Math.max(0, d.remaining());
    rate[slot] = d.limit().rate().perSecond();
    burst[slot] = d.limit().burst();
    this.score[slot] = score;
  }

  /** The client saw the answer to admitted attempt {@code slot}: {@code status} after {@code upstreamNanos} (negative: none). */
  void answered(int slot, long now, int status, long upstreamNanos) {
    write(now, client[slot], tier[slot], cost[slot], true, status, upstreamNanos, level[slot], remaining[slot],
        rate[slot], burst[slot], decisionId[slot], score[slot]);
    decisionId[slot] = null;
    client[slot] = null;
    tier[slot] = null;
  }

  /** The run ended at {@code end}: writes the admitted attempts still unanswered, in slot order. */
  void endOfRun(long end) {
    for (int slot = 0; slot < decisionId.length; slot++) {
      if (decisionId[slot] != null) {
        answered(slot, end, 0, -1);
      }
    }
  }

  /** Lines written so far. */
  long lines() {
    return lines;
  }

  private void write(long now, String key, String tier, int cost, boolean allowed, int status, long upstreamNanos,
      String level, long remaining, double rate, long burst, String id, double score) {
    RequestLogRecord r = new RequestLogRecord(EPOCH_MILLIS + now / 1_000_000, "proxy", key, tier, null, null, 0, 0,
        upstreamNanos, status, allowed, level, cost, remaining, rate, burst, id, policy, null, Double.NaN,
        Double.isNaN(score) ? Double.NaN : Math.round(score * 1000) / 1000.0);
    line.setLength(0);
    r.appendJson(line);
    line.append('\n');
    try {
      out.append(line);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the request log " + path, e);
    }
    lines++;
  }

  private void grow(int n) {
    decisionId = Arrays.copyOf(decisionId, n);
    client = Arrays.copyOf(client, n);
    tier = Arrays.copyOf(tier, n);
    cost = Arrays.copyOf(cost, n);
    level = Arrays.copyOf(level, n);
    remaining = Arrays.copyOf(remaining, n);
    rate = Arrays.copyOf(rate, n);
    burst = Arrays.copyOf(burst, n);
    score = Arrays.copyOf(score, n);
  }

  @Override
  public void close() {
    try {
      out.close();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the request log " + path, e);
    }
  }
}
