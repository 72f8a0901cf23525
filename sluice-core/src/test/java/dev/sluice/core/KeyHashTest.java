package dev.sluice.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The client key hash: every character counts, the seed counts, and bits spread. */
class KeyHashTest {

  private final KeyHash hash = new KeyHash(42);

  @Test
  void aMillionNumberedKeysHaveDistinctHashes() {
    Set<Long> seen = new HashSet<>();
    for (int i = 0; i < 1_000_000; i++) {
      assertThat(seen.add(hash.applyAsLong("client-" + i))).as("client-%d", i).isTrue();
    }
  }

  @Test
  void changingAnyOneCharacterOfAnyLengthChangesTheHash() {
    SplittableRandom random = new SplittableRandom(3);
    for (int n = 1; n <= 70; n++) {
      char[] chars = new char[n];
      for (int i = 0; i < n; i++) {
        chars[i] = (char) ('a' + random.nextInt(26));
      }
      String key = new String(chars);
      long h = hash.applyAsLong(key);
      for (int i = 0; i < n; i++) {
        for (char c : new char[] {(char) (chars[i] ^ 1), (char) (chars[i] ^ 0x100), '\uffff', '\0'}) {
          if (c == chars[i]) {
            continue;
          }
          char[] other = chars.clone();
          other[i] = c;
          assertThat(hash.applyAsLong(new String(other))).as("length %d, position %d", n, i).isNotEqualTo(h);
        }
      }
    }
  }

  @Test
  void keysThatDifferOnlyInLengthOrInTheHighByteOfACharacterDiffer() {
    Set<Long> seen = new HashSet<>();
    StringBuilder zeros = new StringBuilder();
    for (int n = 0; n <= 40; n++) {
      assertThat(seen.add(hash.applyAsLong(zeros.toString()))).as("%d NUL characters", n).isTrue();
      zeros.append('\0');
    }
    // "Ł" (U+0141) and "A" (U+0041) share their low byte
    assertThat(hash.applyAsLong("client-\u0141")).isNotEqualTo(hash.applyAsLong("client-A"));
    assertThat(hash.applyAsLong("\u0141")).isNotEqualTo(hash.applyAsLong("A"));
  }

  @Test
  void theSeedChangesEveryHashAndEqualSeedsAgree() {
    KeyHash other = new KeyHash(43);
    for (String key : new String[] {"", "a", "abc", "client-hot", "0123456789abcdefXYZ"}) {
      assertThat(other.applyAsLong(key)).as(key).isNotEqualTo(hash.applyAsLong(key));
      assertThat(new KeyHash(42).applyAsLong(key)).as(key).isEqualTo(hash.applyAsLong(key));
    }
  }

  @Test
  void flippingOneInputBitFlipsAboutHalfTheOutputBits() {
    SplittableRandom random = new SplittableRandom(11);
    for (int n : new int[] {1, 3, 4, 7, 8, 9, 12, 16, 17, 24, 33}) {
      long flipped = 0;
      long trials = 0;
      for (int k = 0; k < 200; k++) {
        char[] chars = new char[n];
        for (int i = 0; i < n; i++) {
          chars[i] = (char) (' ' + random.nextInt(95));
        }
        long h = hash.applyAsLong(new String(chars));
        int i = random.nextInt(n);
        chars[i] ^= (char) (1 << random.nextInt(16));
        flipped += Long.bitCount(h ^ hash.applyAsLong(new String(chars)));
        trials++;
      }
      double mean = (double) flipped / trials;
      assertThat(mean).as("length %d", n).isBetween(28.0, 36.0);
    }
  }
}
