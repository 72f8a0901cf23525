package dev.sluice.ml.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The readers on hand-made files: what they accept, what they count as bad, never failing on a line. */
class ReadersTest {

  @TempDir
  Path dir;

  static final String V1 = "{\"v\":1,\"ts\":\"2026-11-18T11:06:40.123Z\",\"source\":\"proxy\",\"client\":\"acme\","
      + "\"tier\":\"premium\",\"method\":\"POST\",\"route\":\"/r\",\"requestBytes\":512,\"responseBytes\":87,"
      + "\"upstreamMs\":12.346,\"status\":200,\"decision\":\"allowed\",\"level\":\"client\",\"cost\":3,"
      + "\"remaining\":7996,\"refillRate\":4000.0}";
  static final String V1_DENIED = "{\"v\":1,\"ts\":\"2026-11-18T11:06:40.456Z\",\"source\":\"proxy\","
      + "\"client\":\"203.0.113.9\",\"tier\":\"sandbox\",\"method\":\"GET\",\"route\":\"/r\",\"requestBytes\":0,"
      + "\"responseBytes\":310,\"upstreamMs\":null,\"status\":429,\"decision\":\"denied\",\"level\":\"tier\","
      + "\"cost\":1,\"remaining\":0,\"refillRate\":4000.0}";
  static final String V2 = "{\"v\":2,\"ts\":\"2026-11-18T11:06:41.000Z\",\"source\":\"decision\","
      + "\"decisionId\":\"d-17\",\"client\":\"acme\",\"tier\":\"premium\",\"method\":null,\"route\":null,"
      + "\"requestBytes\":0,\"responseBytes\":0,\"upstreamMs\":null,\"status\":200,\"decision\":\"allowed\","
      + "\"level\":\"client\",\"cost\":2,\"remaining\":50,\"refillRate\":10.0,\"burst\":100,\"policy\":\"default\","
      + "\"modelVersion\":\"m-3\",\"shadow\":{\"rate\":12.5}}";

  @Test
  void requestLogAcceptsVersionOneAndNewerVersionsWhoseKnownFieldsParse() throws IOException {
    Path log = write("requests.jsonl", V1, V1_DENIED, V2,
        "{\"v\":1,\"ts\":\"2026-11-18T11:06:4",              // a partial line (crash mid-write)
        "{\"ts\":\"2026-11-18T11:06:40.123Z\",\"client\":\"a\",\"tier\":\"t\"}", // no version
        "{\"v\":3,\"ts\":\"yesterday\",\"client\":\"a\",\"tier\":\"t\"}",         // known field unreadable
        "{\"v\":1,\"ts\":\"2026-11-18T11:06:40.123Z\",\"client\":\"a\",\"tier\":\"t\",\"status\":\"ok\"}",
        "",
        "[1,2]");

    Read<List<RequestEvent>> read = RequestLogReader.read(log);

    assertThat(read.report().lines()).isEqualTo(9);
    assertThat(read.report().accepted()).isEqualTo(3);
    assertThat(read.report().bad()).isEqualTo(6);
    assertThat(read.report().newerVersion()).isEqualTo(1);
    assertThat(read.report().examples()).hasSize(ReadReport.MAX_EXAMPLES);
    assertThat(read.report().examples().getFirst()).startsWith("line 4: not JSON (partial line?)");
    assertThat(read.report().examples().get(1)).startsWith("line 5: v: null (expected: a schema version >= 1)");
    assertThat(read.report().examples().get(3)).startsWith("line 7: status: \"ok\" (expected: a number or null)");
    RequestEvent first = read.value().getFirst();
    assertThat(first.epochMillis()).isEqualTo(Instant.parse("2026-11-18T11:06:40.123Z").toEpochMilli());
    assertThat(first).extracting(RequestEvent::client, RequestEvent::tier, RequestEvent::status, RequestEvent::bytes,
        RequestEvent::tokens, RequestEvent::denied, RequestEvent::remaining)
        .containsExactly("acme", "premium", 200, 87L, 3.0, false, 7996.0);
    assertThat(first.latencyMs()).isEqualTo(12.346);
    assertThat(first.burst()).isNaN();
    assertThat(read.value().get(1).denied()).isTrue();
    assertThat(read.value().get(1).latencyMs()).isNaN();
    assertThat(read.value().get(2).burst()).as("version 2's burst").isEqualTo(100);
  }

  @Test
  void requestLogReadsTheGoldenVersionOneExampleOfTheServer() throws IOException {
    Path golden = Path.of("../sluice-server/src/test/resources/request-log/v1.jsonl");

    Read<List<RequestEvent>> read = RequestLogReader.read(golden);

    assertThat(read.report().bad()).isZero();
    assertThat(read.value()).hasSize(4);
    assertThat(read.value().get(3).decided()).as("feedback carries no decision").isFalse();
  }

  @Test
  void requestLogReadsTheGoldenVersionTwoExampleOfTheServer() throws IOException {
    Path golden = Path.of("../sluice-server/src/test/resources/request-log/v2.jsonl");

    Read<List<RequestEvent>> read = RequestLogReader.read(golden);

    assertThat(read.report().bad()).isZero();
    assertThat(read.value()).hasSize(4);
    assertThat(read.value().get(0).burst()).as("version 2's burst").isEqualTo(8000);
    assertThat(read.value().get(1).denied()).isTrue();
    assertThat(read.value().get(3).decided()).as("feedback carries no decision").isFalse();
  }

  @Test
  void accessLogReadsCombinedAndCommonFormatAndCountsTheRest() throws IOException {
    Path log = write("access.log",
        "83.149.9.216 - - [17/May/2015:10:05:03 +0000] \"GET /a.png HTTP/1.1\" 200 203023 \"http://x/\" \"Mozilla\"",
        "199.72.81.55 - - [01/Jul/1995:00:00:01 -0400] \"GET /history/apollo/ HTTP/1.0\" 200 6245",
        "unicomp6.unicomp.net - - [01/Jul/1995:00:00:06 -0400] \"GET /shuttle/countdown/ HTTP/1.0\" 304 -",
        "garbage line",
        "1.2.3.4 - - [31/Foo/2015:10:05:03 +0000] \"GET / HTTP/1.1\" 200 1");

    Read<List<RequestEvent>> read = AccessLogReader.read(log);

    assertThat(read.report().accepted()).isEqualTo(3);
    assertThat(read.report().bad()).isEqualTo(2);
    assertThat(read.value().get(1).epochMillis()).isEqualTo(Instant.parse("1995-07-01T04:00:01Z").toEpochMilli());
    assertThat(read.value().get(2)).extracting(RequestEvent::client, RequestEvent::status, RequestEvent::bytes)
        .containsExactly("unicomp6.unicomp.net", 304, 0L);
    assertThat(read.report().examples()).containsExactly("line 4: not an access log line: garbage line",
        "line 5: bad time 31/Foo/2015:10:05:03 +0000: 1.2.3.4 - - [31/Foo/2015:10:05:03 +0000] \"GET / HTTP/1.1\" 200 1");
  }

  @Test
  void azureTraceSumsContextAndGeneratedTokens() throws IOException {
    Path trace = write("AzureLLMInferenceTrace_code.csv", AzureTraceReader.HEADER,
        "2023-11-16 18:17:03.9799600,4808,10", "2023-11-16 18:17:04.0319600,3180,8", "2023-11-16 18:17:05,1,x",
        "2023-11-16 18:17:05.5,7");

    Read<List<RequestEvent>> read = AzureTraceReader.read(trace);

    assertThat(read.value()).extracting(RequestEvent::tokens).containsExactly(4818.0, 3188.0);
    assertThat(read.value().getFirst().epochMillis()).isEqualTo(Instant.parse("2023-11-16T18:17:03.979Z").toEpochMilli());
    assertThat(read.value().getFirst().tier()).isEqualTo("code");
    assertThat(read.report().bad()).isEqualTo(2);
    Series tokens = Windows.tokens(read.value(), 10, "tokens");
    assertThat(tokens.values()).containsExactly(8006.0);
    assertThat(tokens.startEpochSecond()).isEqualTo(Instant.parse("2023-11-16T18:17:00Z").getEpochSecond());
  }

  @Test
  void seriesCsvFindsTheStepAndFillsAGapWithThePreviousValue() throws IOException {
    Path csv = write("s.csv", "timestamp,value", "2014-02-14 14:30:00,1.5", "2014-02-14 14:35:00,2",
        "2014-02-14 14:45:00,4", "not,a point", "2014-02-14 14:50:00,5");

    Read<Series> read = SeriesCsvReader.read(csv);

    assertThat(read.value().stepSeconds()).isEqualTo(300);
    assertThat(read.value().values()).containsExactly(1.5, 2, 2, 4, 5);
    assertThat(read.value().instant(0)).isEqualTo(Instant.parse("2014-02-14T14:30:00Z"));
    assertThat(read.report().bad()).isEqualTo(1);
    assertThat(read.value().name()).isEqualTo("s");
  }

  @Test
  void countsAreReadGzippedAndABadLineStaysAZeroSecond() throws IOException {
    Path file = dir.resolve("nasa-http-1995-07.counts.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file))) {
      out.write("1\n0\n3\nx\n2\n4\n".getBytes(StandardCharsets.UTF_8));
    }

    Read<Series> read = SeriesInputs.read(file, 2, null, SeriesInputs.Measure.REQUESTS);

    assertThat(read.value().values()).as("pairs of seconds; the last odd one dropped").containsExactly(1.0, 3.0, 6.0);
    assertThat(read.value().startEpochSecond()).isEqualTo(CountsReader.NASA_JULY_1995_START.getEpochSecond());
    assertThat(read.report().bad()).isEqualTo(1);
  }

  @Test
  void logsAreCountedPerWindowFromTheFirstRequestsWindow() throws IOException {
    Path log = write("access.log",
        "a - - [17/May/2015:10:05:03 +0000] \"GET / HTTP/1.1\" 200 1",
        "b - - [17/May/2015:10:05:59 +0000] \"GET / HTTP/1.1\" 200 1",
        "a - - [17/May/2015:10:07:00 +0000] \"GET / HTTP/1.1\" 200 1",
        "a - - [17/May/2015:10:09:10 +0000] \"GET / HTTP/1.1\" 200 1");

    Series s = SeriesInputs.read(log, 60, null, SeriesInputs.Measure.REQUESTS).value();

    assertThat(s.values()).containsExactly(2.0, 0.0, 1.0, 0.0, 1.0);
    assertThat(s.instant(0)).isEqualTo(Instant.parse("2015-05-17T10:05:00Z"));
  }

  @Test
  void anUnrecognisedFormatIsAClearError() throws IOException {
    Path file = write("x.txt", "hello world");

    assertThatThrownBy(() -> SeriesInputs.read(file, 0, null, SeriesInputs.Measure.REQUESTS))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("x.txt: unrecognised format");
  }

  private Path write(String name, String... lines) throws IOException {
    return Files.write(dir.resolve(name), List.of(lines), StandardCharsets.UTF_8);
  }
}
