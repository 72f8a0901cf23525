package dev.sluice.server.live;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The policy name the request log shows for a controller list. */
class AdaptationPolicyTest {

  @Test
  void theDefaultListIsDefaultAndOthersAreTheirNamesJoined() {
    assertThat(Adaptation.policyName(List.of("capacity"))).isEqualTo("default");
    assertThat(Adaptation.policyName(List.of("latency-aimd", "error-backoff"))).isEqualTo("latency-aimd+error-backoff");
    assertThat(Adaptation.policyName(List.of("capacity", "pi"))).isEqualTo("capacity+pi");
    assertThat(Adaptation.policyName(List.of("static"))).isEqualTo("static");
  }
}
