package dev.infergate.router.shadow;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.infergate.router.shadow.Agreement.Verdict;
import io.vertx.core.buffer.Buffer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;

/**
 * What can be compared at all: codings, binary tensor data, the size cap, bodies that are not JSON.
 */
class AnswerTest {
  private static final String LABEL =
      "{\"outputs\":[{\"name\":\"label\",\"datatype\":\"BYTES\",\"shape\":[1],"
          + "\"data\":[\"setosa\"]}]}";

  private static Answer plain(String body) {
    return new Answer(Buffer.buffer(body), false, null, false);
  }

  private static Verdict compare(Answer live, Answer shadow) {
    return Answer.compare(live, shadow, false, 0.001).verdict();
  }

  @Test
  void gzipAnswersAreInflatedAndCompared() throws IOException {
    Answer gzipped = new Answer(Buffer.buffer(gzip(LABEL.getBytes())), false, "gzip", false);
    assertEquals(Verdict.AGREED, compare(gzipped, plain(LABEL)));
    assertEquals(Verdict.DISAGREED, compare(gzipped, plain(LABEL.replace("setosa", "virginica"))));
  }

  @Test
  void binaryTensorDataIsNotComparable() {
    Answer binary = new Answer(Buffer.buffer(LABEL), false, null, true);
    Agreement.Result r = Answer.compare(binary, plain(LABEL), false, 0.001);
    assertEquals(Verdict.NOT_COMPARABLE, r.verdict());
    assertEquals("live answer: binary tensor data", r.reason());
    assertEquals(Verdict.NOT_COMPARABLE, compare(plain(LABEL), binary));
  }

  @Test
  void anAnswerOverTheCapIsNotComparable() {
    assertEquals(
        Verdict.NOT_COMPARABLE,
        compare(new Answer(Buffer.buffer(), true, null, false), plain(LABEL)));
    assertEquals(
        Verdict.NOT_COMPARABLE,
        compare(plain(LABEL), new Answer(Buffer.buffer(), true, null, false)));
  }

  @Test
  void aGzipBombIsNotInflatedPastTheCap() throws IOException {
    byte[] zeros = new byte[Answer.MAX_BYTES + 1];
    Answer bomb = new Answer(Buffer.buffer(gzip(zeros)), false, "gzip", false);
    Agreement.Result r = Answer.compare(plain(LABEL), bomb, false, 0.001);
    assertEquals(Verdict.NOT_COMPARABLE, r.verdict());
    assertEquals("shadow answer: inflates to over " + Answer.MAX_BYTES + " bytes", r.reason());
  }

  @Test
  void anUnknownContentCodingIsNotComparable() {
    assertEquals(
        Verdict.NOT_COMPARABLE,
        compare(new Answer(Buffer.buffer("x"), false, "br", false), plain(LABEL)));
  }

  @Test
  void aShadowAnswerThatIsNotJsonDisagreesButALiveOneIsNotComparable() {
    assertEquals(Verdict.DISAGREED, compare(plain(LABEL), plain("<html>oops</html>")));
    assertEquals(
        Verdict.DISAGREED,
        compare(plain(LABEL), new Answer(Buffer.buffer("not gzip"), false, "gzip", false)));
    assertEquals(Verdict.NOT_COMPARABLE, compare(plain("[1,2]"), plain(LABEL)));
  }

  private static byte[] gzip(byte[] data) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(bytes)) {
      out.write(data);
    }
    return bytes.toByteArray();
  }
}
