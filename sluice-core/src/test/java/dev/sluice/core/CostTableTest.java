package dev.sluice.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class CostTableTest {

  private final CostTable table = CostTable.of(List.of(
      CostRule.of("POST", "/rate/llm/**", 3),
      CostRule.of("*", "/rate/*/bulk", 5),
      CostRule.of("get", "/v1/items/*.json", 2),
      CostRule.of("*", "/rate/**", 4)));

  @Test
  void firstMatchingRuleWins() {
    assertThat(table.costOf("POST", "/rate/llm/score")).isEqualTo(3);
    assertThat(table.costOf("POST", "/rate/llm/a/b/c")).isEqualTo(3);
    assertThat(table.costOf("POST", "/rate/llm")).isEqualTo(3);
    assertThat(table.costOf("GET", "/rate/llm/score")).isEqualTo(4);
    assertThat(table.costOf("PUT", "/rate/x/bulk")).isEqualTo(5);
    assertThat(table.costOf("GET", "/v1/items/42.json")).isEqualTo(2);
    assertThat(table.costOf("get", "/v1/items/42.json")).isEqualTo(2);
  }

  @Test
  void unmatchedRequestsCostOne() {
    assertThat(table.costOf("GET", "/v1/items/42.xml")).isEqualTo(1);
    assertThat(table.costOf("GET", "/v1/items/a/42.json")).isEqualTo(1);
    assertThat(table.costOf("GET", "/health")).isEqualTo(1);
    assertThat(table.costOf("POST", "/ratex/llm")).isEqualTo(1);
    assertThat(CostTable.of(List.of()).costOf("GET", "/")).isEqualTo(CostTable.DEFAULT_COST);
  }

  @Test
  void doubleStarInTheMiddleMatchesAnyNumberOfSegments() {
    CostRule rule = CostRule.of("*", "/a/**/z", 7);
    assertThat(rule.matches("GET", "/a/z")).isTrue();
    assertThat(rule.matches("GET", "/a/b/z")).isTrue();
    assertThat(rule.matches("GET", "/a/b/c/z")).isTrue();
    assertThat(rule.matches("GET", "/a/b/c/y")).isFalse();
    assertThat(CostRule.of("*", "/**", 1).matches("GET", "/")).isTrue();
  }

  @Test
  void rejectsBadRules() {
    assertThatThrownBy(() -> CostRule.of("POST", "rate/**", 3)).hasMessageContaining("path: rate/**");
    assertThatThrownBy(() -> CostRule.of("POST", "/x", 0)).hasMessage("cost: 0 (expected: >= 1)");
    assertThatThrownBy(() -> CostRule.of("PO ST", "/x", 1)).hasMessageContaining("method: PO ST");
  }
}
