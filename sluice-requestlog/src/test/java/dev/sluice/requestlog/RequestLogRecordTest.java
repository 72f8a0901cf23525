package dev.sluice.requestlog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The encoder: field order, nulls, escaping (the byte-for-byte golden test is the server's RequestLogWriterTest). */
class RequestLogRecordTest {

  private static RequestLogRecord feedback(String client) {
    return new RequestLogRecord(1_767_225_600_000L, "feedback", client, "free", null, null, 0, 0, 1_500_000, 0,
        null, null, 0, -1, Double.NaN, -1, null, "static", null, Double.NaN, Double.NaN);
  }

  @Test
  void fieldsAreWrittenInOrderWithNullsForWhatDoesNotApply() {
    String json = feedback("c").toJson();
    int at = 0;
    for (String f : RequestLogRecord.FIELDS) {
      int i = json.indexOf("\"" + f + "\":", at);
      assertThat(i).as(f).isGreaterThanOrEqualTo(at);
      at = i;
    }
    assertThat(json).isEqualTo("{\"v\":2,\"ts\":\"2026-01-01T00:00:00.000Z\",\"source\":\"feedback\",\"client\":\"c\","
        + "\"tier\":\"free\",\"method\":null,\"route\":null,\"requestBytes\":0,\"responseBytes\":0,\"upstreamMs\":1.5,"
        + "\"status\":null,\"decision\":null,\"level\":null,\"cost\":null,\"remaining\":null,\"refillRate\":null,"
        + "\"burst\":null,\"decisionId\":null,\"policy\":\"static\",\"modelVersion\":null,\"shadow\":null,"
        + "\"anomalyScore\":null}");
  }

  @Test
  void stringsAreEscapedAsJson() {
    assertThat(feedback("a\"b\\c\n\t\u0001\u001fé/").toJson())
        .contains("\"client\":\"a\\\"b\\\\c\\n\\t\\u0001\\u001Fé/\"");
  }

  @Test
  void anUnknownSourceIsRefused() {
    assertThatThrownBy(() -> new RequestLogRecord(0, "admin", "c", "t", null, null, 0, 0, -1, 0, null, null, 0, -1,
        Double.NaN, -1, null, "static", null, Double.NaN, Double.NaN))
        .hasMessage("source: admin (expected: proxy, decision, feedback or envoy)");
    assertThat(new RequestLogRecord(0, "envoy", "user=u1", "api", null, "per-user", 0, 0, -1, 429, false, "client",
        1, 0, 1.0, 1, "d-1", "static", null, Double.NaN, Double.NaN).toJson())
        .contains("\"source\":\"envoy\",\"client\":\"user=u1\",\"tier\":\"api\",\"method\":null,"
            + "\"route\":\"per-user\"");
  }
}
