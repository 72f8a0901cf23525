package dev.sluice.config;

import dev.sluice.config.yaml.Mapping;
import dev.sluice.config.yaml.Problems;
import dev.sluice.config.yaml.YamlNode;
import dev.sluice.config.yaml.YamlNode.Kind;
import dev.sluice.core.Cidr;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads the {@code identity} section: header names, trusted proxies, fixed client tiers and the
 * default tier, checking that every tier named exists.
 */
final class IdentityReader {

  static final List<String> KEYS = List.of(
      "client-header", "api-key-header", "tier-header", "trusted-proxies", "clients", "default-tier");

  /** An RFC 9110 token, the syntax of a header field name. */
  private static final Pattern HEADER = Pattern.compile("[!#$%&'*+.^_`|~0-9A-Za-z-]+");

  private IdentityReader() {}

  /** Reads {@code identity}; {@code tiers} gives the names a tier reference may use. */
  static IdentityConfig read(Mapping doc, TierReader.Tiers tiers, Problems problems) {
    Mapping m = doc.mapping("identity", KEYS);
    if (m == null) {
      return null;
    }
    int before = problems.count();
    IdentityConfig defaults = IdentityConfig.defaults("default");
    String clientHeader = header(m, "client-header", defaults.clientHeader(), problems);
    String apiKeyHeader = header(m, "api-key-header", defaults.apiKeyHeader(), problems);
    String tierHeader = header(m, "tier-header", defaults.tierHeader(), problems);
    List<String> proxies = trustedProxies(m, problems);
    Map<String, String> clients = clients(m, tiers.names(), problems);
    String defaultTier = m.string("default-tier", false);
    if (defaultTier != null) {
      checkTier(m.node("default-tier"), m.path("default-tier"), tiers.names(), problems);
    } else if (m.node("default-tier") == null && !tiers.names().isEmpty()) {
      defaultTier = tiers.names().getFirst();
    }
    if (problems.count() != before || defaultTier == null) {
      return null;
    }
    String tier = defaultTier;
    return problems.build(m.line(), m.path(),
        () -> new IdentityConfig(clientHeader, apiKeyHeader, tierHeader, proxies, clients, tier));
  }

  private static String header(Mapping m, String key, String fallback, Problems problems) {
    String name = m.string(key, false);
    if (name == null) {
      return fallback;
    }
    if (!HEADER.matcher(name).matches()) {
      problems.invalid(m.node(key), m.path(key), "an HTTP header name such as X-Client-ID");
    }
    return name;
  }

  private static List<String> trustedProxies(Mapping m, Problems problems) {
    List<YamlNode> items = m.list("trusted-proxies", "a list of CIDR blocks such as [10.0.0.0/8, \"::1/128\"]");
    List<String> cidrs = new ArrayList<>();
    for (int i = 0; items != null && i < items.size(); i++) {
      YamlNode item = items.get(i);
      String path = m.path("trusted-proxies") + "[" + i + "]";
      if (item.kind() == Kind.INVALID) {
        continue;
      }
      if (item.kind() != Kind.STRING) {
        problems.invalid(item, path, Cidr.EXPECTED);
        continue;
      }
      try {
        cidrs.add(Cidr.parse(item.text()).toString());
      } catch (IllegalArgumentException e) {
        problems.invalid(item, path, e);
      }
    }
    return cidrs;
  }

  private static Map<String, String> clients(Mapping m, List<String> tierNames, Problems problems) {
    Mapping clients = m.mapping("clients", null);
    Map<String, String> result = new LinkedHashMap<>();
    if (clients == null) {
      return result;
    }
    for (String client : clients.fields().keySet()) {
      if (client.isBlank()) {
        problems.add(clients.keyLine(client), clients.path(client), "empty client id (expected: a non-empty client id)");
        continue;
      }
      if (!clients.has(client)) {
        problems.add(clients.keyLine(client), clients.path(client), "missing (expected: a tier name)");
        continue;
      }
      String tier = clients.string(client, true);
      if (tier != null && checkTier(clients.node(client), clients.path(client), tierNames, problems)) {
        result.put(client, tier);
      }
    }
    return result;
  }

  /** Returns whether the tier {@code node} names exists; reports it otherwise (unless no tiers were read). */
  private static boolean checkTier(YamlNode node, String path, List<String> tierNames, Problems problems) {
    if (tierNames.isEmpty() || tierNames.contains(node.text())) {
      return true;
    }
    problems.invalid(node, path, "one of " + String.join(", ", tierNames));
    return false;
  }
}
