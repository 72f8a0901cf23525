package dev.sluice.server.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The bytes {@link JsonBodies} writes: the escaping and number formatting Sluice's bodies have always had. */
class JsonBodiesTest {

  private static String string(String value) {
    return new String(JsonBodies.write(g -> JsonBodies.string(g, value)), StandardCharsets.UTF_8);
  }

  @Test
  void escapesQuotesBackslashesAndControlCharactersInLowerCaseHex() {
    assertThat(string("a\"b\\c\nd\re\tf")).isEqualTo("\"a\\\"b\\\\c\\nd\\re\\tf\"");
    assertThat(string("\b\f\u0001\u001f")).isEqualTo("\"\\u0008\\u000c\\u0001\\u001f\"");
    assertThat(string("x\u2028y\u2029z")).isEqualTo("\"x\\u2028y\\u2029z\"");
  }

  @Test
  void writesSlashesAndOtherTextAsItIs() {
    assertThat(string("</script> é € \u007f")).isEqualTo("\"</script> é € \u007f\"");
    assertThat(JsonBodies.write(g -> JsonBodies.string(g, "😀")))
        .isEqualTo("\"😀\"".getBytes(StandardCharsets.UTF_8)); // one 4-byte character, not two escapes
  }

  @Test
  void writesAnUnpairedSurrogateAsAQuestionMark() {
    assertThat(string("a\ud800b\udc00")).isEqualTo("\"a?b?\"");
    assertThat(string(null)).isEqualTo("null");
  }

  @Test
  void writesDoublesAsJavaDoes() {
    for (double d : new double[] {100.0, 0.5, 1_000_000.0, 1.0 / 3, 1e-7, 1e21}) {
      assertThat(new String(JsonBodies.write(g -> g.writeNumber(d)), StandardCharsets.UTF_8))
          .isEqualTo(Double.toString(d));
    }
  }

  @Test
  void writesAProblemWithErrorsAndExtraMembers() {
    Problem p = new Problem(429, "urn:sluice:problem:x", "Too Many Requests", "d",
        java.util.List.of(new Problem.FieldError("/0/cost", 0, "bad"), new Problem.FieldError("a.b", 3, "worse")));
    assertThat(new String(p.json(g -> g.writeNumberField("cost", 2)), StandardCharsets.UTF_8)).isEqualTo(
        "{\"type\":\"urn:sluice:problem:x\",\"title\":\"Too Many Requests\",\"status\":429,\"detail\":\"d\","
            + "\"errors\":[{\"pointer\":\"/0/cost\",\"detail\":\"bad\"},{\"pointer\":\"a.b\",\"line\":3,\"detail\":\"worse\"}],"
            + "\"cost\":2}");
    assertThat(Problem.of(414, "uri-too-long", "d").title()).isEqualTo("Request-URI Too Long");
  }
}
