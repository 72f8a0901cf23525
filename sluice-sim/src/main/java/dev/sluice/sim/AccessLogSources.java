package dev.sluice.sim;

import dev.sluice.config.yaml.Mapping;
import dev.sluice.config.yaml.Problems;
import dev.sluice.config.yaml.YamlNode;
import dev.sluice.ml.data.AccessLogReader;
import dev.sluice.ml.data.Read;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads a source that replays an access log (combined or common format, plain or gzip) instead of
 * drawing arrivals:
 * <pre>
 * sources:
 *   - name: apache
 *     tier: standard                     # the tier of paths no rule matches
 *     access-log:
 *       file: DATA/apache/apache_logs    # relative to the scenario file; DATA/ = the shared data folder
 *       speedup: 1                       # virtual seconds = log seconds / speedup
 *       max-gap: 10s                     # longer silences in the log are shortened to this
 *       tiers: {/images/: static}        # optional: path prefix -> tier (longest prefix wins)
 *       bytes-per-token: 0               # optional: cost 1 + bytes / N (0: every request costs 1)
 * </pre>
 * Each line is one request from the client whose key is the line's host; with {@code tiers}, the
 * source becomes one source per tier, named {@code NAME/TIER}. Bad lines are counted and reported
 * ({@link AccessLogReplay#report}), never fatal; a missing or unreadable file, or a file without one
 * good line, is a problem of the scenario. {@code DATA/} resolves against the system property
 * {@code sluice.shared.data}, else the environment variable {@code SLUICE_DATA}.
 */
final class AccessLogSources {

  /** The source key that makes a source a replay. */
  static final String KEY = "access-log";
  /** The environment variable naming the shared data folder that {@code DATA/} stands for. */
  static final String DATA_ENV = "SLUICE_DATA";
  private static final List<String> KEYS = List.of("file", "speedup", "max-gap", "tiers", "bytes-per-token");

  private AccessLogSources() {}

  /** The logs one scenario file reads, each read once, by resolved path. Not thread-safe. */
  static final class Cache {
    private final Map<Path, Read<List<AccessLogReader.Line>>> logs = new HashMap<>();
    private final Map<Path, String> failures = new HashMap<>();

    /** Returns the log at {@code file}, or {@code null} after recording why it cannot be read. */
    Read<List<AccessLogReader.Line>> get(Path file) {
      if (logs.containsKey(file) || failures.containsKey(file)) {
        return logs.get(file);
      }
      try {
        if (!Files.isRegularFile(file)) {
          failures.put(file, file + ": no such file");
          return null;
        }
        Read<List<AccessLogReader.Line>> read = AccessLogReader.lines(file);
        logs.put(file, read);
        return read;
      } catch (IOException | RuntimeException e) {
        failures.put(file, file + ": cannot read: " + e.getMessage());
        return null;
      }
    }

    String failure(Path file) {
      return failures.get(file);
    }
  }

  /** Returns the replay's length in seconds (0 if it cannot be read); reports nothing. */
  static int length(YamlNode source, Path dir, Cache cache) {
    Fields silent = new Fields(new Problems(""));
    Mapping m = silent.map("", source, source.line(), null);
    Map<String, AccessLogReplay> parts = load(silent, silent.map(m, KEY, KEYS), "default", List.of(), dir, cache);
    long last = 0;
    for (AccessLogReplay r : parts.values()) {
      last = Math.max(last, r.lastNanos());
    }
    return parts.isEmpty() ? 0 : (int) (last / 1_000_000_000L) + 2;
  }

  /** Reads the replay source {@code m} (its {@code access-log} present) into one source per tier. */
  static List<Scenario.Source> read(Fields f, Mapping m, String name, String tier, int seconds,
      Scenario.LimiterModel limiter, Path dir, Cache cache, Scenario.Retry retry) {
    for (String k : List.of("clients", "zipf", "rate", "vus", "costs")) {
      if (m.has(k)) {
        f.problem(m, k, "nothing with access-log: the log's lines are the requests and its hosts the clients");
      }
    }
    Mapping a = f.map(m, KEY, KEYS);
    List<AccessLogReplay.TierRule> rules = new ArrayList<>();
    Mapping tm = f.map(a, "tiers", null);
    for (String prefix : tm.fields().keySet()) {
      String t = f.string(tm, prefix, "");
      if (limiter.tiers().stream().noneMatch(x -> x.name().equals(t))) {
        f.problem(tm, prefix, "one of " + limiter.tiers().stream().map(Scenario.TierModel::name).toList());
        continue;
      }
      rules.add(new AccessLogReplay.TierRule(prefix, t));
    }
    Map<String, AccessLogReplay> parts = load(f, a, tier, rules, dir, cache);
    List<Scenario.Source> out = new ArrayList<>();
    for (Map.Entry<String, AccessLogReplay> e : parts.entrySet()) {
      AccessLogReplay r = e.getValue();
      Map<Integer, Double> weights = new TreeMap<>();
      for (int i = 0; i < r.size(); i++) {
        weights.merge(r.cost(i), 1.0, Double::sum);
      }
      List<Scenario.CostClass> costs = new ArrayList<>();
      weights.forEach((c, w) -> costs.add(new Scenario.CostClass(c, w)));
      out.add(new Scenario.Source(rules.isEmpty() ? name : name + "/" + e.getKey(), r.clients(), 0, e.getKey(),
          r.perSecond(seconds), costs, f.bool(m, "compliant", true), retry, new int[0], null, r));
    }
    return out;
  }

  /** Reads the file and settings of {@code a} and splits the log by tier; empty on a problem. */
  private static Map<String, AccessLogReplay> load(Fields f, Mapping a, String tier,
      List<AccessLogReplay.TierRule> rules, Path dir, Cache cache) {
    double speedup = f.number(a, "speedup", 1, 1e-6, 1e9);
    double maxGap = f.millis(a, "max-gap", Double.POSITIVE_INFINITY) / 1000;
    if (!(maxGap > 0)) {
      f.problem(a, "max-gap", "a positive duration such as 10s");
      maxGap = Double.POSITIVE_INFINITY;
    }
    long bytesPerToken = f.integer(a, "bytes-per-token", 0, 0, Integer.MAX_VALUE);
    String file = f.string(a, "file", null);
    if (file == null) {
      f.problem(a, "file", "an access log file (combined or common format, plain or gzip)");
      return Map.of();
    }
    Path path = resolve(file, dir);
    if (path == null) {
      f.problem(a, "file", "DATA/ stands for the shared data folder: set " + DATA_ENV + "=DIR or -Dsluice.shared.data=DIR");
      return Map.of();
    }
    Read<List<AccessLogReader.Line>> read = cache.get(path);
    if (read == null) {
      f.problem(a, "file", "a readable access log (" + cache.failure(path) + ")");
      return Map.of();
    }
    if (read.value().isEmpty()) {
      f.problem(a, "file", "at least one access log line (" + read.report().summary() + ")");
      return Map.of();
    }
    return AccessLogReplay.split(read.value(), read.report(), speedup, maxGap, rules, tier, bytesPerToken);
  }

  /** Resolves {@code file} against the scenario's folder, or {@code DATA/...} against the shared data folder. */
  static Path resolve(String file, Path dir) {
    if (file.equals("DATA") || file.startsWith("DATA/")) {
      String root = System.getProperty("sluice.shared.data");
      if (root == null || root.isBlank()) {
        root = System.getenv(DATA_ENV);
      }
      if (root == null || root.isBlank()) {
        return null;
      }
      return Path.of(root).resolve(file.length() > 5 ? file.substring(5) : "").normalize();
    }
    return dir == null ? Path.of(file) : dir.resolve(file).normalize();
  }
}
