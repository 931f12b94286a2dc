package dev.infergate.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** The one error body and its escaper: byte for byte, and read back by a real JSON parser. */
class JsonErrorTest {
  private static String escaped(String s) {
    StringBuilder out = new StringBuilder();
    JsonError.escape(out, s);
    return out.toString();
  }

  @Test
  void writesErrorAndRequestIdWithoutSpaces() {
    assertEquals(
        "{\"error\":\"no route\",\"requestId\":\"abc\"}", JsonError.body("no route", "abc"));
  }

  @Test
  void leavesRequestIdOutWhenThereIsNone() {
    assertEquals("{\"error\":\"unknown model 'x'\"}", JsonError.body("unknown model 'x'", null));
  }

  @Test
  void escapesQuotesAndBackslashes() {
    assertEquals("say \\\"hi\\\" C:\\\\dir", escaped("say \"hi\" C:\\dir"));
  }

  @Test
  void escapesEveryControlCharacter() {
    assertEquals("\\n\\r\\t\\b\\f", escaped("\n\r\t\b\f"));
    assertEquals("\\u0000\\u001f\\u000b\\u001b", escaped("\u0000\u001f\u000b\u001b"));
    for (char c = 0; c < 0x20; c++) {
      String body = JsonError.body("x" + c + "y", null);
      for (int i = 0; i < body.length(); i++) {
        assertEquals(false, body.charAt(i) < 0x20, () -> "raw control char in " + body);
      }
      assertEquals("x" + c + "y", new JsonObject(body).getString("error"));
    }
  }

  @Test
  void escapesTheUnicodeLineSeparators() {
    assertEquals("a\\u2028b\\u2029", escaped("a\u2028b\u2029"));
  }

  @Test
  void keepsNonAsciiAndDelAsTheyAre() {
    assertEquals("modèle 模型 😀 \u007f", escaped("modèle 模型 😀 \u007f"));
  }

  @Test
  void replacesLoneSurrogatesSoTheBodyIsValidUtf8() {
    assertEquals("a\ufffdb\ufffd", escaped("a\ud800b\udc00"));
    assertEquals("\ufffd", escaped("\ud83d"));
    assertEquals("\ud83d\ude00", escaped("\ud83d\ude00"));
  }

  @Test
  void roundTripsThroughAJsonParser() {
    String hostile = "\"}{\"error\":\"injected\\\u0000\u2028é\ud800";
    JsonObject parsed = new JsonObject(JsonError.body(hostile, "id\"1"));
    assertEquals("\"}{\"error\":\"injected\\\u0000\u2028é\ufffd", parsed.getString("error"));
    assertEquals("id\"1", parsed.getString("requestId"));
    assertEquals(2, parsed.size());
  }
}
