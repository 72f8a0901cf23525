package dev.sluice.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.sluice.requestlog.DecisionIds;
import dev.sluice.requestlog.RequestLogRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Checks one request-log line against its schema version (1 or 2) as documented in
 * docs/request-log.md. Version 1 lines are no longer written; they stay readable.
 */
public final class RequestLogSchema {

  /** The sixteen fields of version 1, in order; version 2 appends six ({@link RequestLogRecord#FIELDS}). */
  public static final List<String> FIELDS_V1 = List.of("v", "ts", "source", "client", "tier", "method", "route",
      "requestBytes", "responseBytes", "upstreamMs", "status", "decision", "level", "cost", "remaining",
      "refillRate");

  private RequestLogSchema() {}

  public static void check(JsonNode line) {
    List<String> names = new ArrayList<>();
    line.fieldNames().forEachRemaining(names::add);
    int v = line.get("v").asInt();
    assertThat(v).as("v").isIn(1, 2);
    assertThat(names).as("fields, in order").containsExactlyElementsOf(v == 1 ? FIELDS_V1 : RequestLogRecord.FIELDS);
    assertThat(RequestLogRecord.FIELDS.subList(0, FIELDS_V1.size())).isEqualTo(FIELDS_V1);
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
    if (v >= 2) {
      checkV2(line, source);
    }
  }

  private static void checkV2(JsonNode line, String source) {
    if (source.equals("feedback")) {
      assertThat(line.get("burst").isNull()).as("burst").isTrue();
      nullOr(line, "decisionId", n -> n.isTextual() && DecisionIds.isWellFormed(n.asText()));
    } else {
      assertThat(line.get("burst").canConvertToLong() && line.get("burst").asLong() >= 1).as("burst").isTrue();
      assertThat(line.get("decisionId").isTextual() && DecisionIds.isWellFormed(line.get("decisionId").asText()))
          .as("decisionId").isTrue();
    }
    assertThat(line.get("policy").isTextual() && !line.get("policy").asText().isEmpty()).as("policy").isTrue();
    nullOr(line, "modelVersion", JsonNode::isTextual);
    nullOr(line, "shadow", n -> n.isNumber() && n.asDouble() > 0);
    nullOr(line, "anomalyScore", JsonNode::isNumber);
  }

  private static void nullOr(JsonNode line, String field, java.util.function.Predicate<JsonNode> ok) {
    JsonNode n = line.get(field);
    assertThat(n.isNull() || ok.test(n)).as(field + " = " + n).isTrue();
  }
}
