package dev.sluice.envoy;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.UInt64Value;
import io.envoyproxy.envoy.extensions.common.ratelimit.v3.RateLimitDescriptor;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitRequest;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitResponse;
import io.envoyproxy.envoy.service.ratelimit.v3.RateLimitServiceGrpc;
import org.junit.jupiter.api.Test;

/** The vendored protos keep Envoy's wire format: field numbers and the full method name. */
class VendoredProtosTest {

  @Test
  void requestEncodesWithUpstreamFieldNumbers() {
    RateLimitRequest request = RateLimitRequest.newBuilder()
        .setDomain("d")
        .addDescriptors(RateLimitDescriptor.newBuilder()
            .addEntries(RateLimitDescriptor.Entry.newBuilder().setKey("k").setValue("v"))
            .setHitsAddend(UInt64Value.of(5)))
        .setHitsAddend(3)
        .build();
    // domain = 1 (string), descriptors = 2 { entries = 1 { key = 1, value = 2 }, hits_addend = 3 { value = 1 } },
    // hits_addend = 3 (varint), all hand-encoded.
    byte[] expected = {
        0x0a, 1, 'd',
        0x12, 12, 0x0a, 6, 0x0a, 1, 'k', 0x12, 1, 'v', 0x1a, 2, 0x08, 5,
        0x18, 3};
    assertThat(request.toByteArray()).containsExactly(expected);
  }

  @Test
  void responseCodesAndUnitsKeepUpstreamNumbers() {
    assertThat(RateLimitResponse.Code.OVER_LIMIT.getNumber()).isEqualTo(2);
    assertThat(RateLimitResponse.RateLimit.Unit.WEEK.getNumber()).isEqualTo(7);
    assertThat(RateLimitResponse.RateLimit.Unit.YEAR.getNumber()).isEqualTo(6);
    assertThat(RateLimitServiceGrpc.getShouldRateLimitMethod().getFullMethodName())
        .isEqualTo("envoy.service.ratelimit.v3.RateLimitService/ShouldRateLimit");
  }
}
