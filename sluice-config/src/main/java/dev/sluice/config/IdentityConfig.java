package dev.sluice.config;

import java.util.List;
import java.util.Map;

/**
 * How the edge names the client of a request and picks its tier.
 *
 * @param clientHeader header holding the client id (default {@code X-Client-ID})
 * @param apiKeyHeader header holding an API key, used when the client header is absent
 * @param tierHeader header a trusted caller may use to name the tier, or {@code null} to ignore
 *     tiers sent by clients
 * @param trustedProxies CIDR blocks whose {@code X-Forwarded-For} is believed
 * @param clientTiers fixed client-id to tier assignments
 * @param defaultTier the tier of every client not otherwise assigned
 */
public record IdentityConfig(
    String clientHeader,
    String apiKeyHeader,
    String tierHeader,
    List<String> trustedProxies,
    Map<String, String> clientTiers,
    String defaultTier) {

  /** Validates the header names and copies the collections. */
  public IdentityConfig {
    Checks.notBlank("identity.client-header", clientHeader);
    Checks.notBlank("identity.api-key-header", apiKeyHeader);
    Checks.notBlank("identity.default-tier", defaultTier);
    trustedProxies = List.copyOf(trustedProxies);
    clientTiers = Map.copyOf(clientTiers);
  }

  /** The defaults for a config whose default tier is {@code defaultTier}. */
  public static IdentityConfig defaults(String defaultTier) {
    return new IdentityConfig("X-Client-ID", "X-API-Key", null, List.of(), Map.of(), defaultTier);
  }
}
