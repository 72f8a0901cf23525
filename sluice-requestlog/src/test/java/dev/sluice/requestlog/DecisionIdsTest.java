package dev.sluice.requestlog;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Decision ids: unique per source, well formed, repeatable when seeded. */
class DecisionIdsTest {

  @Test
  void idsOfOneSourceAreUniqueAndWellFormed() {
    DecisionIds ids = DecisionIds.random();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      String id = ids.next();
      assertThat(DecisionIds.isWellFormed(id)).as(id).isTrue();
      assertThat(id).matches("[0-9a-v]{13}-[0-9a-z]+");
      assertThat(seen.add(id)).as(id).isTrue();
    }
  }

  @Test
  void seededSourcesRepeatAndDifferByStream() {
    DecisionIds a = DecisionIds.seeded(7, "default");
    DecisionIds b = DecisionIds.seeded(7, "default");
    DecisionIds other = DecisionIds.seeded(7, "static");
    DecisionIds seed8 = DecisionIds.seeded(8, "default");
    String first = a.next();
    assertThat(b.next()).isEqualTo(first);
    assertThat(other.next()).isNotEqualTo(first);
    assertThat(seed8.next()).isNotEqualTo(first);
    assertThat(a.next()).isEqualTo(b.next()).endsWith("-2");
  }

  @Test
  void wellFormedIsAShortTokenOfSafeCharacters() {
    for (String ok : List.of("a", "2m8k0q5v7c1ds-1f", "node-b:17", "A.b_c", "x".repeat(64))) {
      assertThat(DecisionIds.isWellFormed(ok)).as(ok).isTrue();
    }
    for (String bad : List.of("", "x".repeat(65), "has space", "a\"b", "é", "a/b")) {
      assertThat(DecisionIds.isWellFormed(bad)).as(bad).isFalse();
    }
    assertThat(DecisionIds.isWellFormed(null)).isFalse();
  }
}
