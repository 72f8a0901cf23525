package dev.sluice.envoy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.linecorp.armeria.client.grpc.GrpcClients;
import com.linecorp.armeria.server.Server;
import com.linecorp.armeria.server.grpc.GrpcService;
import dev.sluice.core.BucketStore;
import dev.sluice.core.LimiterSpec;
import dev.sluice.core.ManualClock;
import io.envoyproxy.envoy.extensions.common.ratelimit.v3.RateLimitDescriptor;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse.Code;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitServiceGrpc;
import io.envoyproxy.envoy.type.v3.RateLimitUnit;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Descriptor-level limit overrides share one store, a tier per distinct shape, up to a bound past
 * which a new shape is refused with RESOURCE_EXHAUSTED; over a real loopback gRPC connection.
 */
class OverrideBoundTest {

  final ManualClock clock = new ManualClock();
  final List<LimiterSpec> opened = new ArrayList<>();
  final List<BucketStore> stores = new ArrayList<>();
  RateLimitGrpcService service;
  Server server;
  RateLimitServiceGrpc.RateLimitServiceBlockingStub client;

  @BeforeEach
  void start() throws Exception {
    EnvoyLimits limits = EnvoyConfigReader.read(Map.of("shop.yaml", EnvoyConfigReaderTest.SHOP));
    Function<LimiterSpec, BucketStore> opener = spec -> {
      opened.add(spec);
      BucketStore s = BucketStore.local(spec, clock);
      stores.add(s);
      return s;
    };
    BucketStore main = BucketStore.local(limits.spec(), clock);
    service = new RateLimitGrpcService(() -> limits, main, opener, 3);
    server = Server.builder().http(0).service(GrpcService.builder().addService(service).build()).build();
    server.start().join();
    client = GrpcClients.newClient("http://127.0.0.1:" + server.activeLocalPort(),
        RateLimitServiceGrpc.RateLimitServiceBlockingStub.class);
  }

  @AfterEach
  void stop() {
    server.stop().join();
    service.close();
  }

  static RateLimitDescriptor override(String user, int perUnit, RateLimitUnit unit) {
    return RateLimitServiceTest.d("user", user).toBuilder().setLimit(RateLimitDescriptor.RateLimitOverride
        .newBuilder().setRequestsPerUnit(perUnit).setUnit(unit)).build();
  }

  static List<Object> codeAndRemaining(RateLimitResponse r) {
    List<Object> out = new ArrayList<>(List.of(r.getOverallCode()));
    r.getStatusesList().forEach(s -> out.addAll(List.of(s.getCode(), s.getLimitRemaining())));
    return out;
  }

  @Test
  void shapesShareOneStoreUpToTheBound() {
    // Three shapes, the first twice in one call (one bucket per descriptor, as for rules).
    assertThat(codeAndRemaining(client.shouldRateLimit(RateLimitServiceTest.request(0,
        override("a", 2, RateLimitUnit.MINUTE), override("a", 2, RateLimitUnit.MINUTE),
        override("a", 5, RateLimitUnit.MINUTE), override("b", 5, RateLimitUnit.HOUR)))))
        .containsExactly(Code.OK, Code.OK, 1, Code.OK, 0, Code.OK, 4, Code.OK, 4);
    assertThat(opened).as("one store for every override").hasSize(1);
    assertThat(stores.get(0).spec().tiers().keySet()).containsExactly(OverrideStore.NO_SHAPE,
        "override:2/MINUTE", "override:5/MINUTE", "override:5/HOUR");
    assertThat(service.overrideShapes()).isEqualTo(3);

    // A fourth shape is past the bound: refused, nothing charged, counted.
    assertThatThrownBy(() -> client.shouldRateLimit(RateLimitServiceTest.request(0,
        override("a", 2, RateLimitUnit.MINUTE), override("c", 7, RateLimitUnit.SECOND))))
        .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
          assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
          assertThat(e.getStatus().getDescription()).startsWith("descriptors[1].limit: ")
              .contains("more than 3 distinct").contains("7/SECOND");
        });
    assertThat(service.overrideRefusals()).isEqualTo(1);
    assertThat(service.overrideShapes()).isEqualTo(3);

    // The known shapes keep their buckets: a's 2/min is empty (the refused call charged nothing).
    assertThat(codeAndRemaining(client.shouldRateLimit(RateLimitServiceTest.request(0,
        override("a", 2, RateLimitUnit.MINUTE), override("b", 5, RateLimitUnit.HOUR)))))
        .containsExactly(Code.OVER_LIMIT, Code.OVER_LIMIT, 0, Code.OK, 3);
    assertThat(opened).hasSize(1);
  }

  @Test
  void theBoundIsValidated() throws Exception {
    EnvoyLimits limits = EnvoyConfigReader.read(Map.of("x.yaml", "domain: x\n"));
    assertThatThrownBy(() -> new RateLimitGrpcService(() -> limits, BucketStore.local(limits.spec(), clock),
        spec -> BucketStore.local(spec, clock), 0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("max override shapes: 0 (expected: >= 1)");
  }
}
