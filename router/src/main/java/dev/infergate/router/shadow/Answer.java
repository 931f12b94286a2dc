package dev.infergate.router.shadow;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.InflaterInputStream;

/**
 * One answer of a shadowed pair as the router kept it: its body (at most {@link #MAX_BYTES}),
 * whether it was longer, its content coding and whether it uses the binary tensor data extension.
 * Immutable.
 *
 * @param body the first bytes of the body, at most {@link #MAX_BYTES}
 * @param overCap the body was longer than {@link #MAX_BYTES} (then it is not compared)
 * @param contentEncoding the answer's {@code Content-Encoding}, or null
 * @param binary the answer carries {@code Inference-Header-Content-Length} (binary tensor data)
 */
public record Answer(Buffer body, boolean overCap, String contentEncoding, boolean binary) {
  /**
   * Bodies kept per answer, and the most a compressed body may inflate to: enough for thousands of
   * rows of scores, small enough that {@code maxQueued} copies cannot take the heap.
   */
  public static final int MAX_BYTES = 1024 * 1024;

  /**
   * Compares a live answer with the shadow's (both 2xx) by {@link Agreement}'s rules. Not
   * comparable: either side in binary tensor data (its tensors are not in the JSON), over {@link
   * #MAX_BYTES}, or in a content coding other than gzip or deflate; a live answer that is not a
   * JSON prediction. A shadow answer that is not JSON while the live one is disagrees. Pure CPU
   * work (JSON parsing, inflating): bounded by {@link #MAX_BYTES} per side.
   *
   * @param v1 KServe V1 ({@code predictions}) rather than V2 ({@code outputs})
   */
  public static Agreement.Result compare(Answer live, Answer shadow, boolean v1, double tolerance) {
    String liveProblem = live.unreadable();
    if (liveProblem != null) {
      return Agreement.Result.notComparable("live answer: " + liveProblem);
    }
    String shadowProblem = shadow.unreadable();
    if (shadowProblem != null) {
      return Agreement.Result.notComparable("shadow answer: " + shadowProblem);
    }
    Buffer livePlain;
    try {
      livePlain = live.plain();
    } catch (IOException e) {
      return Agreement.Result.notComparable(
          "live answer: cannot be decoded (" + live.coding() + ")");
    }
    if (livePlain == null) {
      return Agreement.Result.notComparable(
          "live answer: inflates to over " + MAX_BYTES + " bytes");
    }
    Buffer shadowPlain;
    try {
      shadowPlain = shadow.plain();
    } catch (IOException e) {
      return Agreement.Result.disagreed(
          "the shadow answer cannot be decoded (" + shadow.coding() + ")");
    }
    if (shadowPlain == null) {
      return Agreement.Result.notComparable(
          "shadow answer: inflates to over " + MAX_BYTES + " bytes");
    }
    JsonObject liveJson = json(livePlain);
    if (liveJson == null) {
      return Agreement.Result.notComparable("live answer: not a JSON object");
    }
    JsonObject shadowJson = json(shadowPlain);
    if (shadowJson == null) {
      return Agreement.Result.disagreed("the shadow answer is not a JSON object");
    }
    return v1
        ? Agreement.v1(liveJson, shadowJson, tolerance)
        : Agreement.v2(liveJson, shadowJson, tolerance);
  }

  /** Why this answer cannot be read as JSON at all, or null when it can be tried. */
  private String unreadable() {
    if (binary) {
      return "binary tensor data";
    }
    if (overCap) {
      return "over " + MAX_BYTES + " bytes";
    }
    String coding = coding();
    if (coding != null && !coding.equals("gzip") && !coding.equals("deflate")) {
      return "content-encoding " + coding;
    }
    return null;
  }

  private String coding() {
    if (contentEncoding == null) {
      return null;
    }
    String c = contentEncoding.trim().toLowerCase(Locale.ROOT);
    return c.isEmpty() || c.equals("identity") ? null : c.equals("x-gzip") ? "gzip" : c;
  }

  private static JsonObject json(Buffer plain) {
    try {
      return plain.length() == 0 ? null : new JsonObject(plain);
    } catch (DecodeException | ClassCastException e) {
      return null;
    }
  }

  /** The body without its content coding; null when it would inflate to over {@link #MAX_BYTES}. */
  private Buffer plain() throws IOException {
    String coding = coding();
    return coding == null ? body : inflate(coding);
  }

  /**
   * Inflates at most {@link #MAX_BYTES}; null for a body that would inflate to more (a bomb, or
   * just big).
   */
  private Buffer inflate(String coding) throws IOException {
    InputStream raw = new java.io.ByteArrayInputStream(body.getBytes());
    try (InputStream in =
        coding.equals("gzip") ? new GZIPInputStream(raw) : new InflaterInputStream(raw)) {
      ByteArrayOutputStream out =
          new ByteArrayOutputStream(Math.min(MAX_BYTES, body.length() * 4 + 64));
      byte[] chunk = new byte[8192];
      int n;
      while ((n = in.read(chunk)) > 0) {
        if (out.size() + n > MAX_BYTES) {
          return null;
        }
        out.write(chunk, 0, n);
      }
      return Buffer.buffer(out.toByteArray());
    }
  }
}
