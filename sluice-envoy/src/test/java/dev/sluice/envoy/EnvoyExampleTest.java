package dev.sluice.envoy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.envoyproxy.envoy.extensions.common.ratelimit.v3.RateLimitDescriptor;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * {@code examples/envoy}: the Envoy config points its rate-limit filter at Sluice's gRPC port over
 * HTTP/2 with the V3 API, and every descriptor its actions build selects a limit in the
 * envoyproxy/ratelimit files next to it (and every top-level key there is built by some action).
 */
class EnvoyExampleTest {

  static final Path EXAMPLE = Path.of("../examples/envoy");

  @Test
  void envoyConfigAndSluiceLimitsAgree() throws Exception {
    JsonNode envoy = new ObjectMapper(new YAMLFactory()).readTree(EXAMPLE.resolve("envoy.yaml").toFile());
    EnvoyLimits limits = EnvoyConfigReader.readDirectory(EXAMPLE.resolve("ratelimit"));

    JsonNode manager = envoy.at("/static_resources/listeners/0/filter_chains/0/filters/0/typed_config");
    JsonNode filter = null;
    for (JsonNode f : manager.get("http_filters")) {
      if (f.get("name").asText().equals("envoy.filters.http.ratelimit")) {
        filter = f.get("typed_config");
      }
    }
    assertThat(filter).as("the ratelimit http filter").isNotNull();
    String domain = filter.get("domain").asText();
    assertThat(limits.domains()).contains(domain);
    JsonNode service = filter.get("rate_limit_service");
    assertThat(service.get("transport_api_version").asText()).isEqualTo("V3");
    String clusterName = service.at("/grpc_service/envoy_grpc/cluster_name").asText();

    JsonNode cluster = null;
    for (JsonNode c : envoy.at("/static_resources/clusters")) {
      if (c.get("name").asText().equals(clusterName)) {
        cluster = c;
      }
    }
    assertThat(cluster).as("cluster " + clusterName).isNotNull();
    assertThat(cluster.at("/typed_extension_protocol_options/envoy.extensions.upstreams.http.v3.HttpProtocolOptions"
        + "/explicit_http_config").has("http2_protocol_options")).as("gRPC needs HTTP/2").isTrue();
    assertThat(cluster.at("/load_assignment/endpoints/0/lb_endpoints/0/endpoint/address/socket_address/port_value")
        .asInt()).as("sluice serve --grpc-port default").isEqualTo(8081);

    List<JsonNode> rateLimits = new ArrayList<>();
    JsonNode host = manager.at("/route_config/virtual_hosts/0");
    host.get("rate_limits").forEach(rateLimits::add);
    for (JsonNode route : host.get("routes")) {
      JsonNode own = route.at("/route/rate_limits");
      own.forEach(rateLimits::add);
    }
    assertThat(rateLimits).hasSize(4);
    Set<String> builtKeys = new TreeSet<>();
    for (JsonNode rl : rateLimits) {
      List<RateLimitDescriptor.Entry> entries = new ArrayList<>();
      for (JsonNode action : rl.get("actions")) {
        RateLimitDescriptor.Entry e = entryOf(action);
        entries.add(e);
        if (entries.size() == 1) {
          builtKeys.add(e.getKey());
        }
      }
      assertThat(limits.match(domain, entries)).as("a limit for " + entries).isNotNull();
    }
    // Both ways: every top-level config entry (key, or key_value) is built by some action, and
    // every action's first key has a top-level entry.
    Set<String> firstSegments = new TreeSet<>();
    for (EnvoyRule rule : limits.rules()) {
      firstSegments.add(rule.fullKey().substring(domain.length() + 1).split("\\.")[0]);
    }
    for (String segment : firstSegments) {
      assertThat(builtKeys).as("an action building " + segment)
          .anyMatch(k -> segment.equals(k) || segment.startsWith(k + "_"));
    }
    for (String key : builtKeys) {
      assertThat(firstSegments).as("a config entry for " + key)
          .anyMatch(segment -> segment.equals(key) || segment.startsWith(key + "_"));
    }
  }

  @Test
  void exampleLimitsBehaveAsCommented() throws Exception {
    EnvoyLimits limits = EnvoyConfigReader.readDirectory(EXAMPLE.resolve("ratelimit"));
    assertThat(limits.match("storefront", EnvoyConfigReaderTest.entries("api_key", "k1")).requestsPerUnit())
        .isEqualTo(600);
    assertThat(limits.match("storefront", EnvoyConfigReaderTest.entries("api_key", "partner-acme")).requestsPerUnit())
        .isEqualTo(6000);
    assertThat(limits.match("storefront", EnvoyConfigReaderTest.entries("api_key", "internal-health")).unlimited())
        .isTrue();
    EnvoyRule checkout = limits.match("storefront",
        EnvoyConfigReaderTest.entries("generic_key", "checkout", "api_key", "k1"));
    assertThat(checkout.replaces()).containsExactly("per-key");
    assertThat(limits.match("storefront", EnvoyConfigReaderTest.entries("header_match", "search")).shadowMode())
        .isTrue();
  }

  /** The entry Envoy builds for one action, with a sample request's value where it reads the request. */
  private static RateLimitDescriptor.Entry entryOf(JsonNode action) {
    RateLimitDescriptor.Entry.Builder e = RateLimitDescriptor.Entry.newBuilder();
    if (action.has("remote_address")) {
      return e.setKey("remote_address").setValue("203.0.113.7").build();
    }
    if (action.has("request_headers")) {
      return e.setKey(action.at("/request_headers/descriptor_key").asText()).setValue("key-from-header").build();
    }
    if (action.has("generic_key")) {
      JsonNode g = action.get("generic_key");
      return e.setKey(g.has("descriptor_key") ? g.get("descriptor_key").asText() : "generic_key")
          .setValue(g.get("descriptor_value").asText()).build();
    }
    if (action.has("header_value_match")) {
      JsonNode h = action.get("header_value_match");
      return e.setKey(h.has("descriptor_key") ? h.get("descriptor_key").asText() : "header_match")
          .setValue(h.get("descriptor_value").asText()).build();
    }
    throw new AssertionError("an action this test does not know: " + action);
  }
}
