package dev.sluice.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.ToLongFunction;
import org.junit.jupiter.api.Test;

/** The memo of recent key hashes: it answers only for equal keys, and only stores sampled ones. */
class HashMemoTest {

  private final AtomicInteger calls = new AtomicInteger();
  private final KeyHash keyHash = new KeyHash(5);
  private final ToLongFunction<String> counting = key -> {
    calls.incrementAndGet();
    return keyHash.applyAsLong(key);
  };
  private final HashMemo.Entry[] entries = HashMemo.create();

  /** A clock reading that makes {@link HashMemo#hash(HashMemo.Entry[], ToLongFunction, String, long)} store {@code key}. */
  private long storing(String key) {
    return keyHash.applyAsLong(key);
  }

  /** A clock reading that does not. */
  private long notStoring(String key) {
    return keyHash.applyAsLong(key) ^ 1;
  }

  @Test
  void aStoredKeyIsNotHashedAgainForItselfOrAnEqualString() {
    String key = "client-hot";
    assertThat(HashMemo.hash(entries, counting, key, storing(key))).isEqualTo(keyHash.applyAsLong(key));
    assertThat(calls).hasValue(1);
    assertThat(HashMemo.hash(entries, counting, key, notStoring(key))).isEqualTo(keyHash.applyAsLong(key));
    assertThat(HashMemo.hash(entries, counting, new String("client-hot"), 0)).isEqualTo(keyHash.applyAsLong(key));
    assertThat(HashMemo.hash(entries, counting, key)).isEqualTo(keyHash.applyAsLong(key));
    assertThat(calls).hasValue(1);
  }

  @Test
  void aKeyMissingFromAnEmptyEntryIsStoredAtOnce() {
    assertThat(HashMemo.hash(entries, counting, "client-first", notStoring("client-first")))
        .isEqualTo(keyHash.applyAsLong("client-first"));
    assertThat(HashMemo.hash(entries, counting, "client-first")).isEqualTo(keyHash.applyAsLong("client-first"));
    assertThat(calls).hasValue(1);
  }

  @Test
  void aKeyNotSampledWhereAnotherIsStoredIsHashedEachTime() {
    // "Aa" and "BB" share String.hashCode, so "BB" meets "Aa"'s entry
    HashMemo.hash(entries, counting, "Aa", storing("Aa"));
    calls.set(0);
    for (int i = 0; i < 3; i++) {
      assertThat(HashMemo.hash(entries, counting, "BB", notStoring("BB"))).isEqualTo(keyHash.applyAsLong("BB"));
    }
    assertThat(HashMemo.hash(entries, counting, "BB")).isEqualTo(keyHash.applyAsLong("BB"));
    assertThat(calls).hasValue(4);
  }

  @Test
  void keysWithOneStringHashCodeGetTheirOwnHashes() {
    // "Aa" and "BB" share String.hashCode, so they share a memo entry's index
    assertThat("Aa".hashCode()).isEqualTo("BB".hashCode());
    HashMemo.hash(entries, counting, "Aa", storing("Aa"));
    assertThat(HashMemo.hash(entries, counting, "BB", notStoring("BB"))).isEqualTo(keyHash.applyAsLong("BB"));
    HashMemo.hash(entries, counting, "BB", storing("BB"));
    assertThat(HashMemo.hash(entries, counting, "Aa", notStoring("Aa"))).isEqualTo(keyHash.applyAsLong("Aa"));
    assertThat(HashMemo.hash(entries, counting, "BB", 0)).isEqualTo(keyHash.applyAsLong("BB"));
    assertThat(keyHash.applyAsLong("Aa")).isNotEqualTo(keyHash.applyAsLong("BB"));
  }

  @Test
  void aboutOneMissInSampleIsStored() {
    int keys = 1 << 20;
    int stored = 0;
    for (int i = 0; i < keys; i++) {
      String key = "client-" + i;
      HashMemo.hash(entries, counting, key, i * 1_000L); // readings of a clock that counts in microseconds
      calls.set(0);
      HashMemo.hash(entries, counting, key);
      stored += calls.get() == 0 ? 1 : 0;
    }
    // each of the 1,024 entries once when empty, then 2^20 / 2^16 = 16 sampled (an entry may also
    // replace an earlier one)
    assertThat(stored).isBetween(HashMemo.SIZE + 4, HashMemo.SIZE + 40);
  }
}
