package dev.sluice.server.admission;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Redis URIs as logs and the admin API show them: where, never who or with which password. */
class StoresTest {

  @Test
  void redactionKeepsSchemeHostPortAndDatabaseOnly() {
    assertThat(Stores.redact("redis://127.0.0.1:6379")).isEqualTo("redis://127.0.0.1:6379");
    assertThat(Stores.redact("redis://cache.internal")).isEqualTo("redis://cache.internal:6379");
    assertThat(Stores.redact("redis://user:s3cret@cache:6380/2?timeout=5s&clientName=x"))
        .isEqualTo("redis://cache:6380/2");
    assertThat(Stores.redact("redis://s3cret@cache:6380")).isEqualTo("redis://cache:6380");
    assertThat(Stores.redact("rediss://:s3cret@[::1]:6390")).isEqualTo("rediss://[::1]:6390");
    assertThat(Stores.redact("redis-sentinel://s3cret@s1:26379,s2:26380/1#primary"))
        .isEqualTo("redis-sentinel://s1:26379,s2:26380/1#primary");
    assertThat(Stores.redact("redis-socket:///run/redis.sock?password=s3cret"))
        .isEqualTo("redis-socket:///run/redis.sock");
    assertThat(Stores.redact("not a uri")).doesNotContain("not a uri");
  }
}
