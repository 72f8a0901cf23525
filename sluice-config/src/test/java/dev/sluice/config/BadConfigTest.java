package dev.sluice.config;

import static dev.sluice.config.Configs.badFile;
import static dev.sluice.config.Configs.problems;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Invalid configs: every problem is reported, each with the line of the offending value (or of the
 * enclosing mapping for a missing field) and its dotted path. The files are under {@code bad/}.
 */
class BadConfigTest {

  @Test
  void severalBadFieldsGiveSeveralProblemsEachOnItsOwnLine() {
    assertThat(badFile("several.yaml")).containsExactly(
        "several.yaml:3: server.port: 70000 (expected: an integer 0..65535)",
        "several.yaml:5: upstream.url: ftp://example.com (expected: an absolute http:// or https:// URL)",
        "several.yaml:6: upstream.timeout: 10x (expected: a duration such as 250ms, 10s, 2m, 1h or PT10S)",
        "several.yaml:8: identity.trusted-proxies[0]: 10.0.0.0/33 (expected: a prefix length 0..32)",
        "several.yaml:8: identity.trusted-proxies[2]: 300.1.2.3 (expected: an IPv4 or IPv6 address or CIDR"
            + " block such as 10.0.0.0/8 or ::1/128)",
        "several.yaml:9: identity.default-tier: gold (expected: one of premium, sandbox)",
        "several.yaml:13: tiers.premium.per-client.burst: 0 (expected: an integer >= 1)",
        "several.yaml:14: tiers.premium.per-client.rate: -3 (expected: > 0)",
        "several.yaml:15: tiers.premium.share: 1.5 (expected: a number > 0 and <= 1)",
        "several.yaml:17: tiers.sandbox.per-client.burst: missing (expected: an integer >= 1)",
        "several.yaml:18: tiers.sandbox.per-client.burts: unknown field (expected: one of burst, rate)",
        "several.yaml:24: costs[0].method: P0ST (expected: an HTTP method such as POST, or *)",
        "several.yaml:26: adaptive.interval: 0s (expected: > 0)");
  }

  @Test
  void unknownFieldsAreErrorsAtEveryLevel() {
    assertThat(badFile("unknown-fields.yaml")).containsExactly(
        "unknown-fields.yaml:2: servre: unknown field"
            + " (expected: one of server, upstream, identity, tiers, global, costs, adaptive, store, observability)",
        "unknown-fields.yaml:9: tiers.premium.per-client.refill: unknown field (expected: one of burst, rate)",
        "unknown-fields.yaml:10: tiers.premium.shares: unknown field"
            + " (expected: one of per-client, share, aggregate, concurrency)",
        "unknown-fields.yaml:13: adaptive.gain: unknown field (expected: one of enabled, shadow, interval, controllers,"
            + " latency-aimd, error-backoff, gradient, pi, static, capacity, predictive, limits, burst, min-burst, anomaly)");
  }

  @Test
  void wrongTypesAreErrors() {
    assertThat(badFile("types.yaml")).containsExactly(
        "types.yaml:3: server.port: \"8080\" (expected: an integer 0..65535)",
        "types.yaml:4: server.admin-token: 12345 (expected: a string; quote it)",
        "types.yaml:6: identity.trusted-proxies: 10.0.0.0/8"
            + " (expected: a list of CIDR blocks such as [10.0.0.0/8, \"::1/128\"])",
        "types.yaml:7: identity.clients: a list (expected: a mapping)",
        "types.yaml:11: tiers.premium.per-client.burst: lots (expected: an integer >= 1)",
        "types.yaml:12: tiers.premium.per-client.rate: a list (expected: a rate such as 100/s, 6000/min, 1/h or 250)",
        "types.yaml:13: tiers.premium.share: \"0.6\" (expected: a number > 0 and <= 1)",
        "types.yaml:15: global.burst: 1.5 (expected: an integer >= 1)",
        "types.yaml:17: costs: a mapping"
            + " (expected: a list of cost rules such as {method: POST, path: /api/**, cost: 3})",
        "types.yaml:20: adaptive.enabled: \"true\" (expected: true or false)",
        "types.yaml:21: adaptive.interval: 5 (expected: a duration with a unit, such as 250ms, 10s, 2m, 1h or PT10S)");
  }

  @Test
  void missingRequiredFieldsAreReportedOnTheEnclosingMapping() {
    assertThat(badFile("missing.yaml")).containsExactly(
        "missing.yaml:3: tiers.premium.per-client: missing"
            + " (expected: a mapping with burst and rate, e.g. {burst: 100, rate: 50/s})",
        "missing.yaml:6: tiers.sandbox.per-client.rate: missing"
            + " (expected: a rate such as 100/s, 6000/min, 1/h or 250)",
        "missing.yaml:8: global.rate: missing (expected: burst and rate together, or neither for no global limit)",
        "missing.yaml:11: costs[0].path: missing (expected: a path pattern starting with /, such as /api/**)");
  }

  @Test
  void aShareNeedsAGlobalLimit() {
    String expected = " (expected: a global limit to take a share of;"
        + " set global.burst and global.rate, or give the tier an aggregate)";
    assertThat(badFile("share-without-global.yaml")).containsExactly(
        "share-without-global.yaml:5: tiers.premium.share: 0.6" + expected,
        "share-without-global.yaml:8: tiers.sandbox.share: 0.4" + expected);
  }

  @Test
  void namesAndReferencesBetweenSectionsAreChecked() {
    assertThat(badFile("references.yaml")).containsExactly(
        "references.yaml:3: identity.client-header: X Client (expected: an HTTP header name such as X-Client-ID)",
        "references.yaml:6: identity.clients.bob: gold (expected: one of Premium, premium)",
        "references.yaml:7: identity.default-tier: bronze (expected: one of Premium, premium)",
        "references.yaml:9: tiers.Premium: invalid tier name"
            + " (expected: lower-case letters, digits, '_' and '-', starting with a letter or digit)",
        "references.yaml:14: tiers.premium.aggregate: set together with share"
            + " (expected: either share or aggregate, not both)",
        "references.yaml:17: costs[0].cost: 150"
            + " (expected: <= 100, the largest per-client burst; a higher cost is never admitted)",
        "references.yaml:18: costs[1].cost: 5000"
            + " (expected: <= 100, the largest per-client burst; a higher cost is never admitted)");
  }

  @Test
  void aYamlSyntaxErrorGivesTheLineTheParserReports() {
    assertThat(badFile("syntax.yaml")).containsExactly(
        "syntax.yaml:4: invalid YAML: expected <block end>, but found '<block mapping start>'"
            + " (while parsing a block mapping started on line 2)");
  }

  @Test
  void moreSyntaxErrors() {
    assertThat(problems("a: 1\n b: 2\n")).containsExactly("test.yaml:2: invalid YAML: mapping values are not allowed here");
    assertThat(problems("tiers:\n\tfree: 1\n")).singleElement().asString()
        .startsWith("test.yaml:2: invalid YAML: found character '\\t(TAB)' that cannot start any token");
    assertThat(problems("tiers: \"unterminated\nglobal: {}\n")).containsExactly(
        "test.yaml:3: invalid YAML: found unexpected end of stream (while scanning a quoted scalar started on line 1)");
  }

  @Test
  void duplicateKeysAndAliasesAreRejected() {
    assertThat(badFile("yaml-features.yaml")).containsExactly(
        "yaml-features.yaml:2: defaults: unknown field"
            + " (expected: one of server, upstream, identity, tiers, global, costs, adaptive, store, observability)",
        "yaml-features.yaml:5: tiers.premium.per-client: *limit"
            + " (expected: a plain value; YAML anchors and aliases are not supported)",
        "yaml-features.yaml:6: tiers.premium: duplicate key (expected: each key once, first on line 4)");
  }

  @Test
  void theDocumentMustBeOneMappingWithTiers() {
    assertThat(problems("")).containsExactly(
        "test.yaml:1: tiers: missing (expected: at least one tier; the document is empty)");
    assertThat(problems("# nothing but a comment\n")).hasSize(1);
    assertThat(problems("- tiers\n")).containsExactly(
        "test.yaml:1: a list (expected: a mapping with server, upstream, identity, tiers, global, costs, adaptive,"
            + " store, observability)");
    assertThat(problems("global: {}\n")).containsExactly("test.yaml:1: tiers: missing"
        + " (expected: at least one tier, e.g. tiers: {default: {per-client: {burst: 100, rate: 50/s}}})");
    assertThat(problems("tiers: {}\n")).containsExactly("test.yaml:1: tiers: empty (expected: at least one tier)");
    assertThat(problems("tiers: [free]\n")).containsExactly("test.yaml:1: tiers: a list (expected: a mapping)");
    assertThat(problems(Configs.withTier("---\ntiers: {}\n"))).containsExactly(
        "test.yaml:5: a second YAML document (expected: one document per file)");
  }

  @Test
  void aSectionOfTheWrongTypeIsOneProblem() {
    assertThat(problems(Configs.withTier("server: [8080]\nadaptive: true\n"))).containsExactly(
        "test.yaml:4: server: a list (expected: a mapping with bind, port, admin-bind, admin-port, admin-token, grpc-port,"
            + " grpc-tls)",
        "test.yaml:5: adaptive: true (expected: a mapping with enabled, shadow, interval, controllers,"
            + " latency-aimd, error-backoff, gradient, pi, static, capacity, predictive, limits, burst, min-burst, anomaly)");
  }

  @Test
  void aTierIsAMappingWithAPerClientLimit() {
    assertThat(problems("tiers:\n  free:\n  paid: 3\n")).containsExactly(
        "test.yaml:2: tiers.free.per-client: missing"
            + " (expected: a mapping with burst and rate, e.g. {burst: 100, rate: 50/s})",
        "test.yaml:3: tiers.paid: 3 (expected: a mapping with per-client, share, aggregate, concurrency)");
  }

  @Test
  void aCostNoBucketCanHoldIsReportedOnTheRuleLine() {
    String tiers = "tiers:\n  a: {per-client: {burst: 50, rate: 1}}\n  b: {per-client: {burst: 80, rate: 1}}\n";
    assertThat(problems(tiers + "costs:\n  - path: /a\n    cost: 80\n  - path: /b\n    cost: 81\n"))
        .containsExactly("test.yaml:7: costs[1].cost: 81"
            + " (expected: <= 80, the largest per-client burst; a higher cost is never admitted)");
    assertThat(problems(tiers + "global: {burst: 60, rate: 100}\ncosts: [{path: /a, cost: 61}]\n"))
        .containsExactly("test.yaml:5: costs[0].cost: 61"
            + " (expected: <= 60, the global burst; a higher cost is never admitted)");
  }

  @Test
  void costRulesAreValidated() {
    assertThat(problems(Configs.withTier("""
        costs:
          -
          - {path: rate/**, cost: 0}
          - {method: "*", path: /x, cost: 2.5, weight: 1}
          - just-a-string
        """))).containsExactly(
        "test.yaml:5: costs[0]: null (expected: a cost rule such as {method: POST, path: /api/**, cost: 3})",
        "test.yaml:6: costs[1].path: rate/** (expected: a path pattern starting with /, such as /api/**)",
        "test.yaml:6: costs[1].cost: 0 (expected: an integer >= 1)",
        "test.yaml:7: costs[2].weight: unknown field (expected: one of method, path, cost)",
        "test.yaml:7: costs[2].cost: 2.5 (expected: an integer >= 1)",
        "test.yaml:8: costs[3]: just-a-string (expected: a mapping with method, path, cost)");
  }

  @Test
  void serverAndUpstreamFieldsAreValidated() {
    assertThat(problems(Configs.withTier("""
        server: {bind: "", port: -1, admin-port: 9090}
        upstream: {url: "not a url", timeout: -PT1S, idle-timeout: 0s}
        """))).containsExactly(
        "test.yaml:4: server.bind: \"\" (expected: a non-empty string)",
        "test.yaml:4: server.port: -1 (expected: an integer 0..65535)",
        "test.yaml:5: upstream.url: not a url (expected: an absolute http:// or https:// URL)",
        "test.yaml:5: upstream.timeout: -PT1S (expected: > 0)",
        "test.yaml:5: upstream.idle-timeout: 0s (expected: > 0)");
    assertThat(problems(Configs.withTier("server: {port: 9000, admin-port: 9000}\n"))).containsExactly(
        "test.yaml:4: server.admin-port: 9000 (expected: a port other than server.port 9000)");
    assertThat(problems(Configs.withTier("server:\n  port: 9000\n  grpc-port: 70000\n"))).containsExactly(
        "test.yaml:6: server.grpc-port: 70000 (expected: an integer 0..65535)");
    assertThat(problems(Configs.withTier("server:\n  port: 9000\n  grpc-port: 9000\n"))).containsExactly(
        "test.yaml:6: server.grpc-port: 9000 (expected: a port other than server.port 9000"
            + " and server.admin-port 9090)");
    assertThat(problems(Configs.withTier("server: {admin-port: 9191, grpc-port: 9191}\n"))).containsExactly(
        "test.yaml:4: server.grpc-port: 9191 (expected: a port other than server.port 8080"
            + " and server.admin-port 9191)");
  }

  @Test
  void grpcTlsNeedsReadablePemFiles(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path cert = java.nio.file.Files.writeString(dir.resolve("c.pem"),
        "-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----\n");
    java.nio.file.Path key = java.nio.file.Files.writeString(dir.resolve("k.pem"),
        "-----BEGIN PRIVATE KEY-----\nAA==\n-----END PRIVATE KEY-----\n");
    assertThat(problems(Configs.withTier("server:\n  grpc-tls:\n    cert: " + key + "\n    key: " + dir.resolve("no.pem")
        + "\n"))).containsExactly(
        "test.yaml:6: server.grpc-tls.cert: " + key + ": no '-----BEGIN CERTIFICATE-----' line"
            + " (expected: a PEM certificate)",
        "test.yaml:7: server.grpc-tls.key: " + dir.resolve("no.pem")
            + ": cannot read (expected: a readable text file, a PEM private key)");
    assertThat(problems(Configs.withTier("server:\n  grpc-tls: {cert: " + cert + ", kee: x}\n"))).containsExactly(
        "test.yaml:5: server.grpc-tls.kee: unknown field (expected: one of cert, key)",
        "test.yaml:5: server.grpc-tls.key: missing (expected: a string)");
  }

  @Test
  void globalBurstAndRateComeTogether() {
    assertThat(problems(Configs.withTier("global:\n  rate: 100/s\n  max-clients: 0\n"))).containsExactly(
        "test.yaml:4: global.burst: missing (expected: burst and rate together, or neither for no global limit)",
        "test.yaml:6: global.max-clients: 0 (expected: an integer >= 1)");
  }

  @Test
  void identityClientsNeedATier() {
    assertThat(problems(Configs.withTier("identity:\n  clients:\n    alice:\n    bob: 7\n    \"\": t\n")))
        .containsExactly(
            "test.yaml:6: identity.clients.alice: missing (expected: a tier name)",
            "test.yaml:7: identity.clients.bob: 7 (expected: a string; quote it)",
            "test.yaml:8: identity.clients.: empty client id (expected: a non-empty client id)");
  }
}
