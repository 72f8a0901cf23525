package dev.sluice.adaptive.flood;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SeenClientsTest {

  @Test
  void aKeySeenAgainKeepsItsFirstSecond() {
    SeenClients seen = new SeenClients(1024, 60);
    long fp = SeenClients.fingerprint("alice");
    assertThat(seen.touch(fp, 5)).isEqualTo(SeenClients.NEW);
    assertThat(seen.touch(fp, 30)).isEqualTo(5);
    assertThat(seen.established(5, 65, Integer.MAX_VALUE)).isFalse();
    assertThat(seen.established(5, 66, Integer.MAX_VALUE)).isTrue();
    assertThat(seen.established(5, 200, 64)).as("frozen at a flood's start").isFalse();
    assertThat(seen.established(SeenClients.NEW, 200, Integer.MAX_VALUE)).isFalse();
  }

  @Test
  void memoryIsFixedAndEstablishedClientsSurviveAMillionNewKeys() {
    SeenClients seen = new SeenClients(1 << 16, 60);
    long before = seen.bytes();
    int established = 20_000;
    for (int i = 0; i < established; i++) {
      seen.touch(SeenClients.fingerprint("client-" + i), 0);
    }
    // a flood of 10^6 distinct keys, the established clients still active among it
    for (int i = 0; i < 1_000_000; i++) {
      int now = 120 + i / 10_000;
      seen.touch(SeenClients.fingerprint("flood-" + i), now);
      if (i % 50 == 0) {
        seen.touch(SeenClients.fingerprint("client-" + (i / 50) % established), now);
      }
    }
    assertThat(seen.bytes()).isEqualTo(before).isEqualTo(16L * (1 << 16));
    assertThat(seen.size()).isLessThanOrEqualTo(seen.slots());
    int kept = 0;
    for (int i = 0; i < established; i++) {
      int first = seen.touch(SeenClients.fingerprint("client-" + i), 300);
      if (seen.established(first, 300, Integer.MAX_VALUE)) {
        kept++;
      }
    }
    assertThat(kept).as("established clients kept among 10^6 new keys").isGreaterThanOrEqualTo(established * 99 / 100);
  }

  @Test
  void fingerprintsDifferForNearbyKeys() {
    assertThat(SeenClients.fingerprint("a-1")).isNotEqualTo(SeenClients.fingerprint("a-2"));
    assertThat(SeenClients.fingerprint("")).isNotZero();
  }
}
