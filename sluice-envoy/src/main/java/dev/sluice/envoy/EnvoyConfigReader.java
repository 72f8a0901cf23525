package dev.sluice.envoy;

import dev.sluice.config.ConfigException;
import dev.sluice.config.ConfigProblem;
import dev.sluice.config.yaml.Mapping;
import dev.sluice.config.yaml.Problems;
import dev.sluice.config.yaml.YamlNode;
import dev.sluice.config.yaml.YamlReader;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.RateLimit.Unit;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Reads envoyproxy/ratelimit config files unchanged (stateless, thread-safe): one domain per file, nested {@code descriptors}
 * of {@code key}, {@code value}, {@code rate_limit {unit, requests_per_unit, unlimited, name,
 * replaces}}, {@code shadow_mode}, {@code quota_mode}, {@code detailed_metric} (also their {@code
 * value_to_metric}, {@code share_threshold} and {@code metadata}, accepted and ignored). One key is
 * Sluice's own: {@code rate_limit.burst}, the bucket size (default {@code requests_per_unit}), and
 * {@code rate_limit.adaptive} (default false), which lets the adaptive control loop scale the rule's
 * rate as it scales the edge's.
 *
 * <p>Every problem of every file is reported with its file and line, as {@code sluice check-config}
 * does for Sluice's own config; the checks are theirs (unknown keys, empty domain or key, duplicate
 * domain or descriptor, a unit with {@code unlimited}, a bad unit, empty or self {@code replaces}).
 */
public final class EnvoyConfigReader {

  static final List<String> ROOT_KEYS = List.of("domain", "descriptors");
  static final List<String> DESCRIPTOR_KEYS = List.of("key", "value", "rate_limit", "descriptors", "shadow_mode",
      "quota_mode", "detailed_metric", "value_to_metric", "share_threshold", "metadata");
  static final List<String> RATE_LIMIT_KEYS = List.of("unit", "requests_per_unit", "unlimited", "name", "replaces",
      "burst", "adaptive");

  private EnvoyConfigReader() {}

  /** Reads every {@code .yaml} and {@code .yml} file of {@code dir} (not recursing), in name order. */
  public static EnvoyLimits readDirectory(Path dir) throws ConfigException {
    if (!Files.isDirectory(dir)) {
      throw new ConfigException(List.of(new ConfigProblem(dir.toString(), 1, "", "not a directory")));
    }
    List<Path> files;
    try (Stream<Path> listing = Files.list(dir)) {
      files = listing.filter(p -> {
        String name = p.getFileName().toString();
        return Files.isRegularFile(p) && (name.endsWith(".yaml") || name.endsWith(".yml"));
      }).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException("listing " + dir, e);
    }
    Map<String, String> sources = new LinkedHashMap<>();
    for (Path file : files) {
      try {
        sources.put(file.toString(), Files.readString(file, StandardCharsets.UTF_8));
      } catch (IOException e) {
        throw new UncheckedIOException("reading " + file, e);
      }
    }
    return read(sources);
  }

  /** Reads {@code sources} (file name to YAML text), one domain each. */
  public static EnvoyLimits read(Map<String, String> sources) throws ConfigException {
    Map<String, DescriptorTree> domains = new LinkedHashMap<>();
    List<ConfigProblem> problems = new ArrayList<>();
    for (Map.Entry<String, String> source : sources.entrySet()) {
      Problems fileProblems = new Problems(source.getKey());
      readFile(source.getValue(), domains, fileProblems);
      problems.addAll(fileProblems.sorted());
    }
    if (!problems.isEmpty()) {
      throw new ConfigException(problems);
    }
    return new EnvoyLimits(domains);
  }

  private static void readFile(String yaml, Map<String, DescriptorTree> domains, Problems problems) {
    YamlNode root = YamlReader.read(yaml, problems);
    if (root == null) {
      return;
    }
    if (root.kind() == YamlNode.Kind.NULL) {
      problems.missing(1, "domain", "a non-empty domain; the document is empty");
      return;
    }
    Mapping doc = Mapping.of(root, "", root.line(), problems, ROOT_KEYS);
    if (doc == null) {
      return;
    }
    String domain = text(doc, "domain", true, problems);
    if (domain == null) {
      return;
    }
    if (domains.containsKey(domain)) {
      problems.add(doc.line("domain"), "domain", "duplicate domain '" + domain + "' (expected: one file per domain)");
      return;
    }
    DescriptorTree tree = new DescriptorTree();
    descriptors(doc, domain, tree, problems);
    domains.put(domain, tree);
  }

  private static void descriptors(Mapping parent, String parentKey, DescriptorTree tree, Problems problems) {
    List<YamlNode> items = parent.list("descriptors", "a list of descriptors");
    if (items == null) {
      return;
    }
    for (int i = 0; i < items.size(); i++) {
      String path = parent.path("descriptors") + "[" + i + "]";
      Mapping d = Mapping.of(items.get(i), path, items.get(i).line(), problems, DESCRIPTOR_KEYS);
      if (d == null) {
        continue;
      }
      String key = text(d, "key", true, problems);
      if (key == null) {
        continue;
      }
      String value = text(d, "value", false, problems);
      String childKey = value == null || value.isEmpty() ? key : key + "_" + value;
      String fullKey = parentKey + "." + childKey;
      if (tree.child(childKey) != null) {
        problems.add(d.line("key"), d.path("key"), "duplicate descriptor composite key '" + fullKey + "'");
        continue;
      }
      EnvoyRule rule = d.has("rate_limit") ? rule(d, fullKey, problems) : null;
      DescriptorTree child = tree.add(childKey, rule);
      descriptors(d, fullKey, child, problems);
    }
  }

  private static EnvoyRule rule(Mapping d, String fullKey, Problems problems) {
    Mapping r = d.mapping("rate_limit", RATE_LIMIT_KEYS);
    if (r == null) {
      return null;
    }
    int before = problems.count();
    boolean unlimited = Boolean.TRUE.equals(r.bool("unlimited"));
    String unitText = text(r, "unit", false, problems);
    Unit unit = Unit.UNKNOWN;
    if (unitText != null) {
      try {
        unit = Unit.valueOf(unitText.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        unit = Unit.UNRECOGNIZED;
      }
      if (unit == Unit.UNKNOWN || unit == Unit.UNRECOGNIZED) {
        problems.invalid(r.node("unit"), r.path("unit"), "second, minute, hour, day, week, month or year");
      } else if (unlimited) {
        problems.add(r.line("unit"), r.path("unit"), "should not specify rate limit unit when unlimited");
      }
    } else if (!unlimited) {
      r.missing("unit", "second, minute, hour, day, week, month or year");
    }
    Long perUnit = r.integer("requests_per_unit", 0, 0xFFFF_FFFFL, false);
    Long burst = r.integer("burst", 1, Long.MAX_VALUE, false);
    boolean adaptive = Boolean.TRUE.equals(r.bool("adaptive"));
    if (adaptive && unlimited) {
      problems.add(r.line("adaptive"), r.path("adaptive"), "should not set adaptive when unlimited");
    }
    String name = text(r, "name", false, problems);
    List<String> replaces = new ArrayList<>();
    List<YamlNode> items = r.list("replaces", "a list of {name: ...}");
    for (int i = 0; items != null && i < items.size(); i++) {
      Mapping m = Mapping.of(items.get(i), r.path("replaces") + "[" + i + "]", items.get(i).line(), problems,
          List.of("name"));
      String replaced = m == null ? null : text(m, "name", false, problems);
      if (m != null && (replaced == null || replaced.isEmpty())) {
        problems.add(items.get(i).line(), m.path("name"), "should not have an empty replaces entry");
      } else if (replaced != null && replaced.equals(name)) {
        problems.add(items.get(i).line(), m.path("name"), "replaces should not contain name of same descriptor");
      } else if (replaced != null) {
        replaces.add(replaced);
      }
    }
    if (problems.count() > before) {
      return null;
    }
    long rpu = perUnit == null ? 0 : perUnit;
    long size = burst != null ? burst : rpu;
    Unit finalUnit = unit;
    return problems.build(r.line(), r.path(), () -> new EnvoyRule(fullKey, rpu, finalUnit, size, name, unlimited,
        Boolean.TRUE.equals(d.bool("shadow_mode")), Boolean.TRUE.equals(d.bool("quota_mode")), replaces,
        Boolean.TRUE.equals(d.bool("detailed_metric")), adaptive));
  }

  /**
   * Returns the scalar {@code key} as text: their Go reader takes {@code value: 123} as the string
   * {@code "123"}, so numbers and booleans read as their source text. Blank reads as absent.
   */
  private static String text(Mapping m, String key, boolean required, Problems problems) {
    YamlNode node = m.node(key);
    if (node == null || node.kind() == YamlNode.Kind.NULL) {
      if (required) {
        m.missing(key, "a non-empty string");
      }
      return null;
    }
    switch (node.kind()) {
      case STRING, INTEGER, DECIMAL, BOOLEAN -> {
        if (node.text().isBlank()) {
          if (required) {
            problems.invalid(node, m.path(key), "a non-empty string");
          }
          return null;
        }
        return node.text();
      }
      case INVALID -> {
        return null;
      }
      default -> {
        problems.invalid(node, m.path(key), "a string");
        return null;
      }
    }
  }
}
