package dev.sluice.envoy;

import io.envoyproxy.envoy.extensions.common.ratelimit.v3.RateLimitDescriptor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One level of a domain's descriptor tree, immutable once built. Children are keyed as
 * envoyproxy/ratelimit keys them: {@code key_value}, or {@code key} alone for a default. Values with
 * {@code *} are wildcards (anywhere in the value, each {@code *} matching any run of characters).
 *
 * <p>A request descriptor is walked entry by entry: an exact {@code key_value} child wins, then the
 * first wildcard child in file order that matches, then the {@code key} default. The rule applies
 * only if the walk reaches the descriptor's last entry on a node with a {@code rate_limit}; a
 * request deeper or shallower than the config gets no limit.
 */
final class DescriptorTree {

  private final Map<String, DescriptorTree> children = new LinkedHashMap<>();
  private final List<String> wildcards = new ArrayList<>();
  private EnvoyRule rule;

  /** Returns the child at {@code childKey}, or {@code null} after none was added there. */
  DescriptorTree child(String childKey) {
    return children.get(childKey);
  }

  /** Adds a child at {@code childKey}; the caller has checked it is new. */
  DescriptorTree add(String childKey, EnvoyRule childRule) {
    DescriptorTree child = new DescriptorTree();
    child.rule = childRule;
    children.put(childKey, child);
    if (childKey.indexOf('*') >= 0) {
      wildcards.add(childKey);
    }
    return child;
  }

  /** Returns every rule in this tree, depth first in file order. */
  void collect(List<EnvoyRule> into) {
    if (rule != null) {
      into.add(rule);
    }
    for (DescriptorTree child : children.values()) {
      child.collect(into);
    }
  }

  /** Returns the rule {@code entries} select below this root, or {@code null}. */
  EnvoyRule match(List<RateLimitDescriptor.Entry> entries) {
    DescriptorTree at = this;
    for (int i = 0; i < entries.size(); i++) {
      RateLimitDescriptor.Entry entry = entries.get(i);
      String exact = entry.getKey() + "_" + entry.getValue();
      DescriptorTree next = at.children.get(exact);
      if (next == null) {
        for (String pattern : at.wildcards) {
          if (wildcardMatches(pattern, exact)) {
            next = at.children.get(pattern);
            break;
          }
        }
      }
      if (next == null) {
        next = at.children.get(entry.getKey());
      }
      if (next == null) {
        return null;
      }
      if (i == entries.size() - 1) {
        return next.rule;
      }
      at = next;
    }
    return null;
  }

  /** Returns whether {@code value} matches {@code pattern}, whose {@code *} match any run of characters. */
  static boolean wildcardMatches(String pattern, String value) {
    String[] parts = pattern.split("\\*", -1);
    if (!value.startsWith(parts[0])) {
      return false;
    }
    int from = parts[0].length();
    int end = value.length() - parts[parts.length - 1].length();
    if (end < from || !value.endsWith(parts[parts.length - 1])) {
      return false;
    }
    for (int i = 1; i < parts.length - 1; i++) {
      int at = value.indexOf(parts[i], from);
      if (at < 0 || at + parts[i].length() > end) {
        return false;
      }
      from = at + parts[i].length();
    }
    return true;
  }
}
