package dev.sluice.config;

import static dev.sluice.config.Configs.problems;
import static dev.sluice.config.Configs.withTier;
import static org.assertj.core.api.Assertions.assertThat;

import dev.sluice.core.Rate;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Rates, durations and CIDR blocks as written in a config file, valid and not. */
class ValueFormatsTest {

  private static SluiceConfig parse(String yaml) throws ConfigException {
    return ConfigLoader.parse(yaml, "test.yaml");
  }

  @ParameterizedTest(name = "rate: {0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "100/s       | 100 | SECONDS",
      "'6000/min'  | 6000 | MINUTES",
      "1/h         | 1   | HOURS",
      "2/d         | 2   | DAYS",
      "250         | 250 | SECONDS",
      "'250'       | 250 | SECONDS",
      "1_000       | 1000 | SECONDS",
      "10 / S      | 10  | SECONDS"})
  void ratesAreNumbersPerSecondOrCountsPerUnit(String yaml, long tokens, TimeUnit unit) throws Exception {
    SluiceConfig config = parse("tiers: {t: {per-client: {burst: 10, rate: " + yaml + "}}}");
    assertThat(config.tiers().get("t").perClient().rate()).isEqualByComparingTo(Rate.of(tokens, unit));
  }

  @ParameterizedTest(name = "rate: {0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {"0.5 | 1 | 2000000000", "2.5/ms | 1 | 400000"})
  void fractionalRatesAreExact(String yaml, long tokens, long periodNanos) throws Exception {
    SluiceConfig config = parse("tiers: {t: {per-client: {burst: 10, rate: " + yaml + "}}}");
    assertThat(config.tiers().get("t").perClient().rate()).isEqualTo(new Rate(tokens, periodNanos));
  }

  @ParameterizedTest(name = "rate: {0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "0             | 0 (expected: > 0)",
      "-3            | -3 (expected: > 0)",
      "'-1/s'        | -1/s (expected: > 0)",
      "fast          | 'fast' (expected: a number, optionally /s, /min, /h, /d or /ms)",
      "100/fortnight | '100/fortnight' has unknown unit 'fortnight' (expected: s, min, h, d or ms)",
      "2000000000    | 2000000000 (expected: <= 1000000000/s)",
      "3e8           | 300000000/s would be enforced as one token per 4 ns, 16.67 % slower (expected: at"
          + " most 1000000/s, or a rate within 0.1 % of a whole number of nanoseconds per token, such as"
          + " 250000000/s (4 ns) or 333333334/s (3 ns))",
      "true          | true (expected: a rate such as 100/s, 6000/min, 1/h or 250)",
      "{n: 1}        | a mapping (expected: a rate such as 100/s, 6000/min, 1/h or 250)"})
  void badRatesSayWhatWasExpected(String yaml, String message) {
    assertThat(problems("tiers:\n  t:\n    per-client:\n      burst: 10\n      rate: " + yaml + "\n"))
        .containsExactly("test.yaml:5: tiers.t.per-client.rate: " + message);
  }

  @ParameterizedTest(name = "idle-expiry: {0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "250ms  | PT0.25S",
      "10s    | PT10S",
      "1.5s   | PT1.5S",
      "2m     | PT2M",
      "2min   | PT2M",
      "1h     | PT1H",
      "1d     | PT24H",
      "500us  | PT0.0005S",
      "PT10S  | PT10S",
      "pt1m30s | PT1M30S",
      "P1D    | PT24H"})
  void durationsHaveAUnitOrAreIso8601(String yaml, String expected) throws Exception {
    SluiceConfig config = parse(withTier("global: {idle-expiry: " + yaml + "}\n"));
    assertThat(config.global().idleExpiry()).isEqualTo(Duration.parse(expected));
  }

  @ParameterizedTest(name = "timeout: {0}")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "10      | 10 (expected: a duration with a unit, such as 250ms, 10s, 2m, 1h or PT10S)",
      "10x     | 10x (expected: a duration such as 250ms, 10s, 2m, 1h or PT10S)",
      "ten s   | ten s (expected: a duration such as 250ms, 10s, 2m, 1h or PT10S)",
      "0s      | 0s (expected: > 0)",
      "-PT1S   | -PT1S (expected: > 0)",
      "PT      | PT (expected: an ISO-8601 duration such as PT10S or P1D)",
      "0.5ns   | 0.5ns (expected: a whole number of nanoseconds)",
      "[10s]   | a list (expected: a duration such as 250ms, 10s, 2m, 1h or PT10S)"})
  void badDurationsSayWhatWasExpected(String yaml, String message) {
    assertThat(problems(withTier("upstream:\n  timeout: " + yaml + "\n")))
        .containsExactly("test.yaml:5: upstream.timeout: " + message);
  }

  @ParameterizedTest(name = "trusted-proxies: [{0}]")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "10.0.0.0/8         | 10.0.0.0/8",
      "192.168.1.7        | 192.168.1.7/32",
      "0.0.0.0/0          | 0.0.0.0/0",
      "\"::1/128\"          | ::1/128",
      "\"::1\"              | ::1/128",
      "\"::/0\"             | ::/0",
      "\"FD00::/8\"         | fd00::/8",
      "\"2001:db8::1:2/64\" | 2001:db8::1:2/64",
      "\"1:2:3:4:5:6:7:8\"  | 1:2:3:4:5:6:7:8/128",
      "\"::ffff:10.0.0.1/128\" | ::ffff:10.0.0.1/128"})
  void trustedProxiesAreIpv4OrIpv6Blocks(String yaml, String expected) throws Exception {
    SluiceConfig config = parse(withTier("identity: {trusted-proxies: [" + yaml + "]}\n"));
    assertThat(config.identity().trustedProxies()).containsExactly(expected);
  }

  @ParameterizedTest(name = "trusted-proxies: [{0}]")
  @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
      "10.0.0/8          | 10.0.0/8 (expected: an IPv4 or IPv6 address or CIDR block such as 10.0.0.0/8 or ::1/128)",
      "10.0.0.256/8      | 10.0.0.256/8 (expected: an IPv4 or IPv6 address or CIDR block such as 10.0.0.0/8 or ::1/128)",
      "010.0.0.1         | 010.0.0.1 (expected: an IPv4 or IPv6 address or CIDR block such as 10.0.0.0/8 or ::1/128)",
      "10.0.0.0/33       | 10.0.0.0/33 (expected: a prefix length 0..32)",
      "10.0.0.0/         | 10.0.0.0/ (expected: a prefix length 0..32)",
      "\"::1/129\"         | ::1/129 (expected: a prefix length 0..128)",
      "\"1::2::3\"         | 1::2::3 (expected: an IPv4 or IPv6 address or CIDR block such as 10.0.0.0/8 or ::1/128)",
      "\"1:2:3:4:5:6:7:8:9\" | 1:2:3:4:5:6:7:8:9 (expected: an IPv4 or IPv6 address or CIDR block such as 10.0.0.0/8 or ::1/128)",
      "\"12345::\"         | 12345:: (expected: an IPv4 or IPv6 address or CIDR block such as 10.0.0.0/8 or ::1/128)",
      "localhost         | localhost (expected: an IPv4 or IPv6 address or CIDR block such as 10.0.0.0/8 or ::1/128)",
      "8                 | 8 (expected: an IPv4 or IPv6 address or CIDR block such as 10.0.0.0/8 or ::1/128)"})
  void badTrustedProxiesSayWhatWasExpected(String yaml, String message) {
    assertThat(problems(withTier("identity:\n  trusted-proxies:\n    - " + yaml + "\n")))
        .containsExactly("test.yaml:6: identity.trusted-proxies[0]: " + message);
  }
}
