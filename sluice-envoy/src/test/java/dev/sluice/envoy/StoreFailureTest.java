package dev.sluice.envoy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.linecorp.armeria.client.grpc.GrpcClients;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.grpc.GrpcService;
import dev.sluice.core.AggregateLevels;
import dev.sluice.core.BucketStore;
import dev.sluice.core.Decision;
import dev.sluice.core.LevelState;
import dev.sluice.core.LimiterSpec;
import dev.sluice.core.ManualClock;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitServiceGrpc;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;

/** A store that cannot answer makes ShouldRateLimit fail with UNAVAILABLE, never a made-up answer. */
class StoreFailureTest {

  /** A store whose server is gone: every call fails, as a Redis store's does when Redis is down. */
  static final class UnreachableStore implements BucketStore {
    private final LimiterSpec spec;

    UnreachableStore(LimiterSpec spec) {
      this.spec = spec;
    }

    @Override
    public CompletionStage<Decision> acquire(String key, String tier, int cost) {
      return CompletableFuture.failedFuture(new IllegalStateException("connection refused"));
    }

    @Override
    public CompletionStage<List<LevelState>> levels(String key, String tier) {
      return CompletableFuture.failedFuture(new IllegalStateException("connection refused"));
    }

    @Override
    public String mode() {
      return "unreachable";
    }

    @Override
    public LimiterSpec spec() {
      return spec;
    }

    @Override
    public void reconfigure(LimiterSpec next) {}

    @Override
    public CompletionStage<AggregateLevels> aggregates() {
      return CompletableFuture.failedFuture(new IllegalStateException("connection refused"));
    }
  }

  @Test
  void storeErrorIsUnavailable() throws Exception {
    EnvoyLimits limits = EnvoyConfigReader.read(Map.of("shop.yaml", EnvoyConfigReaderTest.SHOP));
    BucketStore store = new UnreachableStore(limits.spec());
    RateLimitGrpcService service = new RateLimitGrpcService(() -> limits, store, new ManualClock());
    Server server = Server.builder().http(0).service(GrpcService.builder().addService(service).build()).build();
    server.start().join();
    try {
      var client = GrpcClients.newClient("http://127.0.0.1:" + server.activeLocalPort(),
          RateLimitServiceGrpc.RateLimitServiceBlockingStub.class);
      // Unmatched and unlimited descriptors need no store; the limited one does, so the call fails.
      assertThat(client.shouldRateLimit(RateLimitServiceTest.request(0, RateLimitServiceTest.d("plan", "gold")))
          .getOverallCode()).isEqualTo(io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.Code.OK);
      assertThatThrownBy(() -> client.shouldRateLimit(RateLimitServiceTest.request(0,
          RateLimitServiceTest.d("plan", "gold"), RateLimitServiceTest.d("tenant", "t1"))))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
            assertThat(e.getStatus().getDescription()).contains("connection refused");
          });
    } finally {
      server.stop().join();
    }
  }

  @Test
  void aRuleRemovedByAReloadMidCallIsAnsweredAsUnmatched() throws Exception {
    // The call matched a rule of the old limits; the store already runs the new spec without it.
    EnvoyLimits before = EnvoyConfigReader.read(Map.of("shop.yaml", EnvoyConfigReaderTest.SHOP));
    EnvoyLimits after = EnvoyConfigReader.read(Map.of("shop.yaml", "domain: shop\n"));
    BucketStore store = BucketStore.local(after.spec(), new ManualClock());
    RateLimitGrpcService service = new RateLimitGrpcService(() -> before, store, new ManualClock());
    var out = new io.grpc.stub.StreamObserver<io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse>() {
      io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse response;
      Throwable error;

      @Override
      public void onNext(io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse value) {
        response = value;
      }

      @Override
      public void onError(Throwable t) {
        error = t;
      }

      @Override
      public void onCompleted() {}
    };
    service.shouldRateLimit(RateLimitServiceTest.request(0, RateLimitServiceTest.d("tenant", "t1")), out);
    assertThat(out.error).isNull();
    assertThat(out.response).isEqualTo(RateLimitServiceTest.response(
        io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.Code.OK, RateLimitServiceTest.NO_LIMIT));
  }
}
