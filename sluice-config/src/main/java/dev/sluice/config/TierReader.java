package dev.sluice.config;

import dev.sluice.config.yaml.Mapping;
import dev.sluice.config.yaml.Problems;
import dev.sluice.core.Limit;
import dev.sluice.core.Rate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/** Reads the {@code tiers} section: a non-empty map from tier name to tier, in file order. */
final class TierReader {

  static final List<String> TIER_KEYS = List.of("per-client", "share", "aggregate", "concurrency");
  static final List<String> LIMIT_KEYS = List.of("burst", "rate");

  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_-]*");

  /**
   * What the section yielded.
   *
   * @param tiers every tier, or {@code null} if any tier had a problem
   * @param names every tier name written, valid or not (for cross-references)
   * @param largestBurst the largest per-client burst, or 0 unless every tier's per-client limit
   *     was read (other fields of a tier may still have problems)
   */
  record Tiers(Map<String, TierConfig> tiers, List<String> names, long largestBurst) {}

  /** One tier as read: its config if it had no problem, and its per-client limit if that was valid. */
  private record Tier(TierConfig config, Limit perClient) {}

  private TierReader() {}

  /**
   * Reads {@code tiers} from the document; {@code globalLimit} says whether the document sets a
   * global limit, which a tier's {@code share} needs.
   */
  static Tiers read(Mapping doc, boolean globalLimit, Problems problems) {
    if (!doc.has("tiers")) {
      doc.missing("tiers", "at least one tier, e.g. tiers: {default: {per-client: {burst: 100, rate: 50/s}}}");
      return new Tiers(null, List.of(), 0);
    }
    Mapping section = doc.mapping("tiers", null);
    if (section == null) {
      return new Tiers(null, List.of(), 0);
    }
    if (section.fields().isEmpty()) {
      problems.add(section.line(), "tiers", "empty (expected: at least one tier)");
      return new Tiers(null, List.of(), 0);
    }
    Map<String, TierConfig> tiers = new LinkedHashMap<>();
    long largestBurst = 0;
    boolean allTiers = true;
    boolean allBursts = true;
    for (String name : section.fields().keySet()) {
      Tier tier = tier(section, name, globalLimit, problems);
      allTiers &= tier.config() != null;
      allBursts &= tier.perClient() != null;
      if (tier.config() != null) {
        tiers.put(name, tier.config());
      }
      if (tier.perClient() != null) {
        largestBurst = Math.max(largestBurst, tier.perClient().burst());
      }
    }
    List<String> names = Collections.unmodifiableList(new ArrayList<>(section.fields().keySet()));
    return new Tiers(allTiers ? tiers : null, names, allBursts ? largestBurst : 0);
  }

  private static Tier tier(Mapping section, String name, boolean globalLimit, Problems problems) {
    String path = section.path(name);
    int before = problems.count();
    if (!NAME.matcher(name).matches()) {
      problems.add(section.keyLine(name), path, "invalid tier name (expected: lower-case letters,"
          + " digits, '_' and '-', starting with a letter or digit)");
    }
    Mapping tier = Mapping.of(section.fields().get(name), path, section.keyLine(name), problems, TIER_KEYS);
    if (tier == null) {
      return new Tier(null, null);
    }
    Limit perClient = null;
    if (tier.has("per-client")) {
      perClient = limit(tier.mapping("per-client", LIMIT_KEYS), problems);
    } else {
      tier.missing("per-client", "a mapping with burst and rate, e.g. {burst: 100, rate: 50/s}");
    }
    Double share = tier.fraction("share");
    Limit aggregate = tier.has("aggregate") ? limit(tier.mapping("aggregate", LIMIT_KEYS), problems) : null;
    Long concurrency = tier.integer("concurrency", 1, Long.MAX_VALUE, false);
    if (tier.has("share") && tier.has("aggregate")) {
      problems.add(tier.line("aggregate"), tier.path("aggregate"),
          "set together with share (expected: either share or aggregate, not both)");
    }
    if (share != null && !globalLimit) {
      problems.add(tier.line("share"), tier.path("share"), tier.node("share").display() + " (expected: a"
          + " global limit to take a share of; set global.burst and global.rate, or give the tier an aggregate)");
    }
    if (problems.count() != before || perClient == null) {
      return new Tier(null, perClient); // reported here, or an alias the YAML pass reported
    }
    Limit client = perClient;
    long inFlight = concurrency == null ? 0 : concurrency;
    return new Tier(problems.build(tier.line(), path,
        () -> new TierConfig(name, client, share, aggregate, inFlight)), client);
  }

  /** Reads a {@code {burst, rate}} mapping; both are required. */
  static Limit limit(Mapping m, Problems problems) {
    if (m == null) {
      return null;
    }
    Long burst = m.integer("burst", 1, Long.MAX_VALUE, true);
    Rate rate = m.rate("rate", true);
    return burst == null || rate == null ? null : problems.build(m.line(), m.path(), () -> Limit.of(burst, rate));
  }
}
