package dev.sluice.envoy;

import static org.assertj.core.api.Assertions.assertThat;

import com.linecorp.armeria.client.grpc.GrpcClients;
import dev.sluice.core.BucketStore;
import dev.sluice.core.LimiterSpec;
import dev.sluice.redis.FailureMode;
import dev.sluice.redis.RedisBucketStore;
import dev.sluice.testkit.RedisExtension;
import dev.sluice.testkit.RedisProcess;
import io.envoyproxy.envoy.extensions.common.ratelimit.v3.RateLimitDescriptor;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.Code;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitServiceGrpc;
import io.envoyproxy.envoy.type.v3.RateLimitUnit;
import io.grpc.StatusRuntimeException;
import io.lettuce.core.RedisURI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two Envoy rate-limit services (two Sluice nodes) whose buckets are on one real redis-server:
 * each sees the other's hits, for the config's rules and for descriptor-level limit overrides.
 */
@Timeout(60)
class SharedRedisLimitTest {

  @RegisterExtension
  static final RedisExtension redis = new RedisExtension();

  @TempDir
  Path dir;

  EnvoyRateLimitServer nodeA;
  EnvoyRateLimitServer nodeB;

  @BeforeEach
  void start() throws Exception {
    Files.writeString(dir.resolve("api.yaml"), """
        domain: api
        descriptors:
          - key: user
            rate_limit: {unit: hour, requests_per_unit: 3, name: per-user}
        """);
    nodeA = EnvoyRateLimitServer.start(dir, "127.0.0.1", 0, Duration.ofMinutes(1),
        redisStores("envoy-shared"));
    nodeB = EnvoyRateLimitServer.start(dir, "127.0.0.1", 0, Duration.ofMinutes(1),
        redisStores("envoy-shared"));
  }

  @AfterEach
  void stop() {
    nodeA.close();
    nodeB.close();
  }

  static Function<LimiterSpec, BucketStore> redisStores(String namespace) {
    // A timeout far above the 20 ms default: on a loaded machine a slow call must stay a Redis
    // decision, not fall back to the local share (which would answer from its own buckets).
    return spec -> RedisBucketStore.builder(spec).standalone(RedisURI.create(redis.uri())).namespace(namespace)
        .timeout(Duration.ofSeconds(5)).build();
  }

  static RateLimitServiceGrpc.RateLimitServiceBlockingStub client(EnvoyRateLimitServer server) {
    return GrpcClients.newClient("http://127.0.0.1:" + server.port(),
        RateLimitServiceGrpc.RateLimitServiceBlockingStub.class);
  }

  static RateLimitRequest user(String id) {
    return RateLimitRequest.newBuilder().setDomain("api").addDescriptors(RateLimitDescriptor.newBuilder()
        .addEntries(RateLimitDescriptor.Entry.newBuilder().setKey("user").setValue(id))).build();
  }

  static List<Object> codeAndRemaining(RateLimitResponse r) {
    return List.of(r.getOverallCode(), r.getStatuses(0).getCode(), r.getStatuses(0).getLimitRemaining());
  }

  @Test
  void theSecondNodeSeesTheFirstNodesHits() {
    var a = client(nodeA);
    var b = client(nodeB);
    assertThat(codeAndRemaining(a.shouldRateLimit(user("u1")))).containsExactly(Code.OK, Code.OK, 2);
    assertThat(codeAndRemaining(a.shouldRateLimit(user("u1")))).containsExactly(Code.OK, Code.OK, 1);
    assertThat(codeAndRemaining(b.shouldRateLimit(user("u1")))).containsExactly(Code.OK, Code.OK, 0);
    RateLimitResponse over = b.shouldRateLimit(user("u1"));
    assertThat(codeAndRemaining(over)).containsExactly(Code.OVER_LIMIT, Code.OVER_LIMIT, 0);
    assertThat(over.getStatuses(0).getCurrentLimit().getName()).isEqualTo("per-user");
    assertThat(codeAndRemaining(a.shouldRateLimit(user("u1")))).as("over for the first node too")
        .containsExactly(Code.OVER_LIMIT, Code.OVER_LIMIT, 0);
    assertThat(codeAndRemaining(b.shouldRateLimit(user("u2")))).as("another user: its own bucket")
        .containsExactly(Code.OK, Code.OK, 2);
  }

  @Test
  void limitOverridesAreSharedToo() {
    RateLimitRequest req = RateLimitRequest.newBuilder().setDomain("api").addDescriptors(RateLimitDescriptor
        .newBuilder().addEntries(RateLimitDescriptor.Entry.newBuilder().setKey("user").setValue("o1"))
        .setLimit(RateLimitDescriptor.RateLimitOverride.newBuilder().setRequestsPerUnit(2)
            .setUnit(RateLimitUnit.HOUR))).build();
    assertThat(codeAndRemaining(client(nodeA).shouldRateLimit(req))).containsExactly(Code.OK, Code.OK, 1);
    assertThat(codeAndRemaining(client(nodeB).shouldRateLimit(req))).containsExactly(Code.OK, Code.OK, 0);
    assertThat(codeAndRemaining(client(nodeA).shouldRateLimit(req)))
        .containsExactly(Code.OVER_LIMIT, Code.OVER_LIMIT, 0);
    // Another shape: a tier added to the same store (no new connection), shared as well.
    RateLimitRequest wider = req.toBuilder().setDescriptors(0, req.getDescriptors(0).toBuilder()
        .setLimit(RateLimitDescriptor.RateLimitOverride.newBuilder().setRequestsPerUnit(3)
            .setUnit(RateLimitUnit.HOUR))).build();
    assertThat(codeAndRemaining(client(nodeB).shouldRateLimit(wider))).containsExactly(Code.OK, Code.OK, 2);
    assertThat(codeAndRemaining(client(nodeA).shouldRateLimit(wider))).containsExactly(Code.OK, Code.OK, 1);
    assertThat(nodeA.service().overrideShapes()).isEqualTo(2);
  }

  @Test
  void aRedisThatIsGoneIsNeverAnOkWhenTheStoreFailsClosed() throws Exception {
    try (RedisProcess own = RedisProcess.start();
        EnvoyRateLimitServer node = EnvoyRateLimitServer.start(dir, "127.0.0.1", 0,
            Duration.ofMinutes(1), spec -> RedisBucketStore.builder(spec).standalone(RedisURI.create(own.uri()))
                .namespace("envoy-down").timeout(Duration.ofMillis(200)).failureMode(FailureMode.FAIL_CLOSED)
                .build())) {
      var client = client(node);
      assertThat(client.shouldRateLimit(user("d1")).getOverallCode()).isEqualTo(Code.OK);
      own.kill();
      List<String> answers = new java.util.ArrayList<>();
      for (int i = 0; i < 5; i++) {
        try {
          answers.add(client.shouldRateLimit(user("d1")).getOverallCode().name());
        } catch (StatusRuntimeException e) {
          answers.add(e.getStatus().getCode().name());
        }
      }
      // fail-closed answers over; a store call that fails outright reaches Envoy as UNAVAILABLE.
      assertThat(answers).allMatch(a -> a.equals("OVER_LIMIT") || a.equals("UNAVAILABLE"), "over or unavailable");
    }
  }

  @Test
  void anotherNamespaceIsAnotherLimit() throws Exception {
    try (EnvoyRateLimitServer apart = EnvoyRateLimitServer.start(dir, "127.0.0.1", 0,
        Duration.ofMinutes(1), redisStores("envoy-apart"))) {
      client(nodeA).shouldRateLimit(user("u3"));
      client(nodeA).shouldRateLimit(user("u3"));
      assertThat(codeAndRemaining(client(apart).shouldRateLimit(user("u3"))))
          .containsExactly(Code.OK, Code.OK, 2);
    }
  }
}
