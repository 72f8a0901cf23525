package dev.sluice.envoy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.UInt64Value;
import com.linecorp.armeria.client.grpc.GrpcClients;
import dev.sluice.config.ConfigException;
import dev.sluice.core.ManualClock;
import io.envoyproxy.envoy.extensions.common.ratelimit.v3.RateLimitDescriptor;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.Code;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.DescriptorStatus;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.RateLimit.Unit;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitServiceGrpc;
import io.envoyproxy.envoy.type.v3.RateLimitUnit;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ShouldRateLimit over a real loopback gRPC connection (Armeria client from the same generated
 * stubs), on a manual clock: every case checked against the full expected status list.
 */
class RateLimitServiceTest {

  @TempDir
  Path dir;

  ManualClock clock = new ManualClock();
  EnvoyRateLimitServer server;
  RateLimitServiceGrpc.RateLimitServiceBlockingStub client;

  @BeforeEach
  void start() throws Exception {
    Files.writeString(dir.resolve("shop.yaml"), EnvoyConfigReaderTest.SHOP);
    server = EnvoyRateLimitServer.start(dir, 0, clock, Duration.ofMillis(20));
    client = GrpcClients.newClient("http://127.0.0.1:" + server.port(), RateLimitServiceGrpc.RateLimitServiceBlockingStub.class);
  }

  @AfterEach
  void stop() {
    server.close();
  }

  static RateLimitDescriptor d(String... keyThenValue) {
    return RateLimitDescriptor.newBuilder().addAllEntries(EnvoyConfigReaderTest.entries(keyThenValue)).build();
  }

  static RateLimitRequest request(int hitsAddend, RateLimitDescriptor... descriptors) {
    return RateLimitRequest.newBuilder().setDomain("shop").setHitsAddend(hitsAddend)
        .addAllDescriptors(List.of(descriptors)).build();
  }

  static DescriptorStatus limited(Code code, int perUnit, Unit unit, String name, long remaining, Duration reset) {
    return DescriptorStatus.newBuilder().setCode(code)
        .setCurrentLimit(RateLimitResponse.RateLimit.newBuilder().setRequestsPerUnit(perUnit).setUnit(unit).setName(name))
        .setLimitRemaining((int) remaining)
        .setDurationUntilReset(com.google.protobuf.Duration.newBuilder()
            .setSeconds(reset.getSeconds()).setNanos(reset.getNano()))
        .build();
  }

  static final DescriptorStatus NO_LIMIT = DescriptorStatus.newBuilder().setCode(Code.OK).build();

  static RateLimitResponse response(Code overall, DescriptorStatus... statuses) {
    return RateLimitResponse.newBuilder().setOverallCode(overall).addAllStatuses(List.of(statuses)).build();
  }

  @Test
  void nestedDescriptorsDrainTheirOwnBuckets() {
    RateLimitRequest req = request(0, d("tenant", "acme", "route", "checkout"), d("tenant", "acme", "route", "search"));
    // checkout: 2/s, burst 2; search falls to the tenant_acme.route default: 4/s, burst 4.
    assertThat(client.shouldRateLimit(req)).isEqualTo(response(Code.OK,
        limited(Code.OK, 2, Unit.SECOND, "", 1, Duration.ofMillis(500)),
        limited(Code.OK, 4, Unit.SECOND, "", 3, Duration.ofMillis(250))));
    assertThat(client.shouldRateLimit(req)).isEqualTo(response(Code.OK,
        limited(Code.OK, 2, Unit.SECOND, "", 0, Duration.ofSeconds(1)),
        limited(Code.OK, 4, Unit.SECOND, "", 2, Duration.ofMillis(500))));
    // checkout is out: the whole request is over, search still counts (as theirs does).
    assertThat(client.shouldRateLimit(req)).isEqualTo(response(Code.OVER_LIMIT,
        limited(Code.OVER_LIMIT, 2, Unit.SECOND, "", 0, Duration.ofMillis(500)),
        limited(Code.OK, 4, Unit.SECOND, "", 1, Duration.ofMillis(750))));
    clock.advance(Duration.ofMillis(500));
    assertThat(client.shouldRateLimit(request(0, d("tenant", "acme", "route", "checkout")))).isEqualTo(
        response(Code.OK, limited(Code.OK, 2, Unit.SECOND, "", 0, Duration.ofSeconds(1))));
    // Distinct values of a default key get their own buckets.
    assertThat(client.shouldRateLimit(request(0, d("tenant", "t1"), d("tenant", "t2"), d("tenant", "internal"))))
        .isEqualTo(response(Code.OK,
            limited(Code.OK, 60, Unit.MINUTE, "", 59, Duration.ofSeconds(1)),
            limited(Code.OK, 60, Unit.MINUTE, "", 59, Duration.ofSeconds(1)),
            NO_LIMIT));
  }

  @Test
  void wildcardsUnmatchedAndUnlimited() {
    assertThat(client.shouldRateLimit(request(0, d("user", "bot-1"), d("user", "human"), d("plan", "gold"))))
        .isEqualTo(response(Code.OK,
            limited(Code.OK, 7, Unit.HOUR, "", 6, Duration.ofNanos(514_285_714_286L)), // an hour / 7, rounded up
            NO_LIMIT,
            DescriptorStatus.newBuilder().setCode(Code.OK).setLimitRemaining(-1).build()));
    assertThat(client.shouldRateLimit(request(0, d("plan", "gold"))).getStatuses(0).getLimitRemaining())
        .isEqualTo(-1).satisfies(r -> assertThat(Integer.toUnsignedLong(r)).isEqualTo(4_294_967_295L));
  }

  @Test
  void hitsAddendFromRequestAndDescriptor() {
    RateLimitDescriptor own = d("tenant", "acme", "route", "x").toBuilder().setHitsAddend(UInt64Value.of(1)).build();
    // Request-level 3 on the first descriptor, the descriptor's own 1 on the second (a different route).
    assertThat(client.shouldRateLimit(request(3, d("tenant", "acme", "route", "y"), own))).isEqualTo(
        response(Code.OK,
            limited(Code.OK, 4, Unit.SECOND, "", 1, Duration.ofMillis(750)),
            limited(Code.OK, 4, Unit.SECOND, "", 3, Duration.ofMillis(250))));
    // 2 more on y does not fit in 1 token: over, with the wait until 2 would fit.
    assertThat(client.shouldRateLimit(request(2, d("tenant", "acme", "route", "y")))).isEqualTo(
        response(Code.OVER_LIMIT, limited(Code.OVER_LIMIT, 4, Unit.SECOND, "", 1, Duration.ofMillis(250))));
    // More hits than the bucket holds never fit: over, reset is until the bucket is full.
    assertThat(client.shouldRateLimit(request(5, d("tenant", "acme", "route", "z")))).isEqualTo(
        response(Code.OVER_LIMIT, limited(Code.OVER_LIMIT, 4, Unit.SECOND, "", 4, Duration.ZERO)));
    // The largest uint64 (read by Java as -1) is over, not an error.
    RateLimitDescriptor huge = d("tenant", "acme", "route", "z").toBuilder().setHitsAddend(UInt64Value.of(-1)).build();
    assertThat(client.shouldRateLimit(request(0, huge))).isEqualTo(
        response(Code.OVER_LIMIT, limited(Code.OVER_LIMIT, 4, Unit.SECOND, "", 0, Duration.ZERO)));
  }

  @Test
  void quotaModeIsOverOnlyWhenEveryQuotaDescriptorIs() {
    DescriptorStatus ok = limited(Code.OK, 1, Unit.SECOND, "", 0, Duration.ofSeconds(1));
    DescriptorStatus over = limited(Code.OVER_LIMIT, 1, Unit.SECOND, "", 0, Duration.ofSeconds(1));
    assertThat(client.shouldRateLimit(request(0, d("quota", "a")))).isEqualTo(response(Code.OK, ok));
    // a is over, b is not: the request is not over.
    assertThat(client.shouldRateLimit(request(0, d("quota", "a"), d("quota", "b")))).isEqualTo(
        response(Code.OK, over, ok));
    // both over: it is.
    assertThat(client.shouldRateLimit(request(0, d("quota", "a"), d("quota", "b")))).isEqualTo(
        response(Code.OVER_LIMIT, over, over));
  }

  @Test
  void descriptorHitsAddendZeroReadsWithoutCharging() {
    RateLimitDescriptor peek = d("tenant", "acme", "route", "checkout").toBuilder()
        .setHitsAddend(UInt64Value.of(0)).build();
    assertThat(client.shouldRateLimit(request(0, peek))).isEqualTo(
        response(Code.OK, limited(Code.OK, 2, Unit.SECOND, "", 2, Duration.ZERO)));
    assertThat(client.shouldRateLimit(request(0, d("tenant", "acme", "route", "checkout")))).isEqualTo(
        response(Code.OK, limited(Code.OK, 2, Unit.SECOND, "", 1, Duration.ofMillis(500))));
    assertThat(client.shouldRateLimit(request(0, peek))).isEqualTo(
        response(Code.OK, limited(Code.OK, 2, Unit.SECOND, "", 1, Duration.ofMillis(500))));
  }

  @Test
  void shadowModeCountsButAnswersOk() {
    RateLimitRequest req = request(0, d("canary", "c1"));
    assertThat(client.shouldRateLimit(req)).isEqualTo(
        response(Code.OK, limited(Code.OK, 1, Unit.SECOND, "", 0, Duration.ofSeconds(1))));
    assertThat(client.shouldRateLimit(req)).isEqualTo(
        response(Code.OK, limited(Code.OK, 1, Unit.SECOND, "", 0, Duration.ofSeconds(1))));
    assertThat(server.service().shadowOverLimits()).isEqualTo(1);
    assertThat(server.service().overLimits()).isZero();
  }

  @Test
  void everyDescriptorResultReachesTheListenerByDomain() {
    List<String> seen = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
    server.service().onDecision((domain, result) -> seen.add(domain + " " + result.label()));
    // checkout: 2/s; canary: shadow 1/s; plan gold: unlimited; ip 10 replaces ip 11; nothing for x.
    client.shouldRateLimit(request(0, d("tenant", "acme", "route", "checkout"), d("canary", "c1"),
        d("plan", "gold"), d("ip", "10"), d("ip", "11"), d("x", "y")));
    client.shouldRateLimit(request(2, d("tenant", "acme", "route", "checkout"), d("canary", "c1")));
    client.shouldRateLimit(RateLimitRequest.newBuilder().setDomain("elsewhere").addDescriptors(d("a", "b")).build());
    assertThat(seen).containsExactly(
        "shop allowed", "shop allowed", "shop unlimited", "shop allowed", "shop unmatched", "shop unmatched",
        "shop denied", "shop shadow-denied",
        RateLimitGrpcService.UNKNOWN_DOMAIN + " unmatched");
  }

  @Test
  void replacesSwitchesTheNamedLimitOff() {
    // ip_10 (named ip-ten) replaces ip-any: with both matched, only ip-ten is enforced.
    assertThat(client.shouldRateLimit(request(0, d("ip", "10"), d("ip", "11")))).isEqualTo(response(Code.OK,
        limited(Code.OK, 3, Unit.WEEK, "ip-ten", 2, Duration.ofDays(7).dividedBy(3)),
        NO_LIMIT));
    // Alone, ip-any applies: burst 2 (Sluice's own key), 5 per year.
    assertThat(client.shouldRateLimit(request(0, d("ip", "11")))).isEqualTo(response(Code.OK,
        limited(Code.OK, 5, Unit.YEAR, "ip-any", 1, Duration.ofDays(365).dividedBy(5))));
  }

  @Test
  void descriptorLimitOverridesTheConfig() {
    RateLimitDescriptor over = d("nothing", "configured").toBuilder()
        .setLimit(RateLimitDescriptor.RateLimitOverride.newBuilder().setRequestsPerUnit(1).setUnit(RateLimitUnit.MINUTE))
        .build();
    assertThat(client.shouldRateLimit(request(0, over))).isEqualTo(
        response(Code.OK, limited(Code.OK, 1, Unit.MINUTE, "", 0, Duration.ofMinutes(1))));
    assertThat(client.shouldRateLimit(request(0, over))).isEqualTo(
        response(Code.OVER_LIMIT, limited(Code.OVER_LIMIT, 1, Unit.MINUTE, "", 0, Duration.ofMinutes(1))));
  }

  @Test
  void badRequestsAreRefused() {
    assertThatThrownBy(() -> client.shouldRateLimit(RateLimitRequest.newBuilder().setDomain("shop").build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
    assertThatThrownBy(() -> client.shouldRateLimit(request(0, d("a", "b")).toBuilder().setDomain("").build()))
        .isInstanceOfSatisfying(StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getDescription()).contains("domain"));
    RateLimitDescriptor tooFast = d("a", "b").toBuilder().setLimit(RateLimitDescriptor.RateLimitOverride.newBuilder()
        .setRequestsPerUnit(2_000_000_000).setUnit(RateLimitUnit.SECOND)).build();
    assertThatThrownBy(() -> client.shouldRateLimit(request(0, tooFast)))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          assertThat(e.getStatus().getDescription()).startsWith("descriptors[0].limit: requests_per_unit");
        });
  }

  @Test
  void editedFilesAreReloadedAndBadOnesKeepTheRunningLimits() throws Exception {
    assertThat(client.shouldRateLimit(request(0, d("region", "eu")))).isEqualTo(response(Code.OK, NO_LIMIT));
    Files.writeString(dir.resolve("shop.yaml"), """
        domain: shop
        descriptors:
          - key: region
            rate_limit: {unit: second, requests_per_unit: 1}
        """);
    awaitReloads(1);
    assertThat(client.shouldRateLimit(request(0, d("region", "eu")))).isEqualTo(
        response(Code.OK, limited(Code.OK, 1, Unit.SECOND, "", 0, Duration.ofSeconds(1))));
    assertThat(client.shouldRateLimit(request(0, d("tenant", "t1")))).isEqualTo(response(Code.OK, NO_LIMIT));
    // A broken file is not taken: the running limits stay (the region bucket is still drained).
    Files.writeString(dir.resolve("shop.yaml"), "domain: shop\ndescriptors:\n  - key: region\n    rate_limit: {unit: eon}\n");
    Files.writeString(dir.resolve("other.yaml"), "domain: other\ndescriptors:\n  - key: k\n    rate_limit: {unit: second, requests_per_unit: 1}\n");
    awaitPolls(server.polls() + 3);
    assertThat(server.reloads()).isEqualTo(1);
    assertThatThrownBy(server::reload).isInstanceOfSatisfying(ConfigException.class,
        e -> assertThat(e.problems().toString()).contains("shop.yaml:4:").contains("eon"));
    assertThat(server.limits().domains()).containsExactly("shop");
    assertThat(client.shouldRateLimit(request(0, d("region", "eu")))).isEqualTo(
        response(Code.OVER_LIMIT, limited(Code.OVER_LIMIT, 1, Unit.SECOND, "", 0, Duration.ofSeconds(1))));
  }

  private void awaitPolls(long count) throws InterruptedException {
    await(() -> server.polls() >= count, () -> "fewer than " + count + " polls within 10 s");
  }

  private void awaitReloads(long count) throws InterruptedException {
    await(() -> server.reloads() >= count, () -> "no reload within 10 s; reloads: " + server.reloads());
  }

  /** Waits up to 10 s for {@code done}, polling every 10 ms (the reload poller runs on its own thread). */
  private static void await(java.util.function.BooleanSupplier done, java.util.function.Supplier<String> failure) {
    dev.sluice.testkit.Conditions.await(failure, Duration.ofSeconds(10), Duration.ofMillis(10), done);
  }
}
