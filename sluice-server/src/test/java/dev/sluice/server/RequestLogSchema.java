package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Checks one request-log line against schema version 1 as documented in docs/request-log.md. */
public final class RequestLogSchema {

  static final List<String> FIELDS = List.of("v", "ts", "source", "client", "tier", "method", "route",
      "requestBytes", "responseBytes", "upstreamMs", "status", "decision", "level", "cost", "remaining",
      "refillRate");

  private RequestLogSchema() {}

  public static void check(JsonNode line) {
    List<String> names = new ArrayList<>();
    line.fieldNames().forEachRemaining(names::add);
    assertThat(names).as("fields, in order").containsExactlyElementsOf(FIELDS);
    assertThat(line.get("v").asInt()).isEqualTo(1);
    assertThat(line.get("ts").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z");
    String source = line.get("source").asText();
    assertThat(source).isIn("proxy", "decision", "feedback");
    assertThat(line.get("client").isTextual()).isTrue();
    assertThat(line.get("tier").isTextual()).isTrue();
    nullOr(line, "method", JsonNode::isTextual);
    nullOr(line, "route", n -> n.isTextual() && n.asText().startsWith("/"));
    assertThat(line.get("requestBytes").canConvertToLong() && line.get("requestBytes").asLong() >= 0).isTrue();
    assertThat(line.get("responseBytes").canConvertToLong() && line.get("responseBytes").asLong() >= 0).isTrue();
    nullOr(line, "upstreamMs", n -> n.isNumber() && n.asDouble() >= 0);
    nullOr(line, "status", n -> n.isInt() && n.asInt() >= 100 && n.asInt() <= 599);
    if (source.equals("feedback")) {
      for (String f : List.of("decision", "level", "cost", "remaining", "refillRate")) {
        assertThat(line.get(f).isNull()).as(f).isTrue();
      }
      assertThat(line.get("upstreamMs").isNumber()).isTrue();
    } else {
      assertThat(line.get("decision").asText()).isIn("allowed", "denied");
      assertThat(line.get("level").asText()).isIn(Set.of("client", "tier", "global"));
      assertThat(line.get("cost").isInt() && line.get("cost").asInt() >= 1).isTrue();
      assertThat(line.get("remaining").canConvertToLong() && line.get("remaining").asLong() >= 0).isTrue();
      assertThat(line.get("refillRate").isNumber() && line.get("refillRate").asDouble() > 0).isTrue();
    }
  }

  private static void nullOr(JsonNode line, String field, java.util.function.Predicate<JsonNode> ok) {
    JsonNode n = line.get(field);
    assertThat(n.isNull() || ok.test(n)).as(field + " = " + n).isTrue();
  }
}
