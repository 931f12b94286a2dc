package dev.infergate.modelserver.http;

import static dev.infergate.modelserver.testsupport.RunningServer.json;
import static dev.infergate.modelserver.testsupport.RunningServer.v2Body;
import static dev.infergate.modelserver.testsupport.TestModels.SETOSA;
import static dev.infergate.modelserver.testsupport.TestModels.VERSICOLOR;
import static dev.infergate.modelserver.testsupport.TestModels.VIRGINICA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.modelserver.testsupport.RunningServer;
import dev.infergate.modelserver.testsupport.TestModels;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.InflaterInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Request and response compression on the real server: gzip and deflate request bodies are decoded
 * before the codec with the body limit on the decoded size (a zip bomb gets 413), broken or unknown
 * codings get a JSON 4xx, and answers above {@link Compression#MIN_COMPRESSED_BYTES} are compressed
 * when the client accepts it.
 */
class CompressionTest {
  private static final int LIMIT = 64 * 1024;
  private static RunningServer server;

  @BeforeAll
  static void start() {
    server = RunningServer.start(TestModels.bundled(), LIMIT);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"gzip", "deflate", "x-gzip", "GZip"})
  void decodesACompressedRequestBodyBeforeTheCodec(String coding) {
    HttpResponse<byte[]> response =
        post(
            "/v2/models/iris/versions/1/infer",
            compress(
                coding, v2Body(SETOSA, VERSICOLOR, VIRGINICA).getBytes(StandardCharsets.UTF_8)),
            coding,
            null);
    assertEquals(200, response.statusCode(), new String(response.body(), StandardCharsets.UTF_8));
    JsonObject answer = new JsonObject(new String(response.body(), StandardCharsets.UTF_8));
    assertEquals(
        "setosa",
        answer.getJsonArray("outputs").getJsonObject(1).getJsonArray("data").getString(0));
  }

  @Test
  void decodesRawDeflateThatSomeClientsSendAsDeflate() {
    byte[] body = v2Body(SETOSA).getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    try (DeflaterOutputStream out =
        new DeflaterOutputStream(raw, new Deflater(Deflater.DEFAULT_COMPRESSION, true))) {
      out.write(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    assertEquals(
        200, post("/v2/models/iris/infer", raw.toByteArray(), "deflate", null).statusCode());
  }

  @Test
  void decodesACompressedV1PredictBody() {
    byte[] body = "{\"instances\": [[5.1, 3.5, 1.4, 0.2]]}".getBytes(StandardCharsets.UTF_8);
    HttpResponse<byte[]> response =
        post("/v1/models/iris:predict", compress("gzip", body), "gzip", null);
    assertEquals(200, response.statusCode());
    assertTrue(new String(response.body(), StandardCharsets.UTF_8).contains("setosa"));
  }

  @Test
  void aZipBombGets413AsSoonAsItsDecodedSizePassesTheLimit() {
    // 50 MiB of zeros in 50 gzip members of ~1 KiB each: under the limit as sent, 800x it decoded.
    byte[] member = compress("gzip", new byte[1 << 20]);
    byte[] bomb = repeat(member, 50);
    assertTrue(bomb.length < LIMIT, "the bomb must pass the limit on the wire: " + bomb.length);
    HttpResponse<byte[]> response = post("/v2/models/iris/infer", bomb, "gzip", null);
    assertEquals(413, response.statusCode());
    assertTrue(json(response).getString("error").contains("decoded"), json(response).encode());
    // the connection is still usable, and the server is still healthy
    assertEquals(
        200,
        post("/v2/models/iris/infer", compress("gzip", v2Body(SETOSA).getBytes()), "gzip", null)
            .statusCode());
  }

  @Test
  void inflatingStopsAtTheLimitWithoutDecodingTheWholeBomb() {
    byte[] member = compress("gzip", new byte[1 << 20]);
    byte[] bomb = repeat(member, 1024); // 1 GiB decoded
    try (Compression.Inflating inflating =
        new Compression.Inflating(Compression.Coding.GZIP, bomb, LIMIT)) {
      dev.infergate.modelserver.protocol.ProtocolException refused =
          org.junit.jupiter.api.Assertions.assertThrows(
              dev.infergate.modelserver.protocol.ProtocolException.class,
              () -> inflating.inflate(Long.MAX_VALUE));
      assertEquals(413, refused.status());
      assertTrue(
          inflating.inflatedBytes() <= LIMIT + Compression.READ_CHUNK_BYTES,
          "" + inflating.inflatedBytes());
    }
  }

  @Test
  void aBodyThatDecodesPastWhatTheLoopInflatesIsFinishedOnAWorkerAndAnswered() {
    try (RunningServer large = RunningServer.start(TestModels.bundled(), 1 << 20)) {
      // valid JSON that decodes to ~5x what the event loop may inflate: the rest is inflated on a
      // worker
      String body =
          v2Body(SETOSA)
              .replace(
                  "{\"inputs\"",
                  "{" + " ".repeat(5 * Compression.LOOP_INFLATE_BYTES) + "\"inputs\"");
      byte[] compressed = compress("gzip", body.getBytes());
      try (Compression.Inflating loopPart =
          new Compression.Inflating(Compression.Coding.GZIP, compressed, 1 << 20)) {
        assertFalse(
            loopPart.inflate(Compression.LOOP_INFLATE_BYTES),
            "the loop's share does not finish this body");
        assertTrue(
            loopPart.inflatedBytes()
                <= Compression.LOOP_INFLATE_BYTES + Compression.READ_CHUNK_BYTES);
      }
      HttpResponse<byte[]> response =
          post(large, "/v2/models/iris/infer", compressed, "gzip", null);
      assertEquals(200, response.statusCode(), new String(response.body(), StandardCharsets.UTF_8));
      assertTrue(new String(response.body(), StandardCharsets.UTF_8).contains("setosa"));
      // and a bomb whose decoded size passes the limit only there gets its 413 from the worker
      HttpResponse<byte[]> bomb =
          post(
              large,
              "/v2/models/iris/infer",
              repeat(compress("gzip", new byte[1 << 20]), 8),
              "gzip",
              null);
      assertEquals(413, bomb.statusCode());
      assertTrue(json(bomb).getString("error").contains("decoded"), json(bomb).encode());
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"gzip", "deflate"})
  void aBodyThatIsNotValidInItsCodingGets400Json(String coding) {
    HttpResponse<byte[]> response =
        post("/v2/models/iris/infer", v2Body(SETOSA).getBytes(), coding, null);
    assertEquals(400, response.statusCode());
    assertTrue(
        json(response).getString("error").contains("not valid " + coding), json(response).encode());
  }

  @Test
  void aTruncatedGzipBodyGets400Json() {
    byte[] whole = compress("gzip", v2Body(SETOSA).getBytes());
    HttpResponse<byte[]> response =
        post("/v2/models/iris/infer", Arrays.copyOf(whole, whole.length - 12), "gzip", null);
    assertEquals(400, response.statusCode());
    assertTrue(
        json(response).getString("error").contains("not valid gzip"), json(response).encode());
  }

  @ParameterizedTest
  @ValueSource(strings = {"br", "compress", "zstd", "gzip, gzip", "gzip, br"})
  void anUnknownOrStackedContentEncodingGets415Json(String coding) {
    HttpResponse<byte[]> response =
        post("/v2/models/iris/infer", v2Body(SETOSA).getBytes(), coding, null);
    assertEquals(415, response.statusCode());
    assertTrue(
        json(response).getString("error").contains("Content-Encoding"), json(response).encode());
  }

  @Test
  void identityContentEncodingIsAPlainBody() {
    assertEquals(
        200,
        post("/v2/models/iris/infer", v2Body(SETOSA).getBytes(), "identity", null).statusCode());
  }

  @ParameterizedTest
  @ValueSource(strings = {"gzip", "deflate", "br;q=1, gzip;q=0.5", "*", "deflate, gzip"})
  void compressesLargeAnswersForClientsThatAcceptIt(String accept) {
    HttpResponse<byte[]> response = post("/v2/models/iris/infer", manyRows(40), null, accept);
    assertEquals(200, response.statusCode());
    String coding = response.headers().firstValue("content-encoding").orElse("identity");
    assertTrue(coding.equals("gzip") || coding.equals("deflate"), coding);
    assertEquals(accept.equals("deflate") ? "deflate" : "gzip", coding);
    assertEquals("Accept-Encoding", response.headers().firstValue("vary").orElse(""));
    JsonObject answer =
        new JsonObject(new String(decompress(coding, response.body()), StandardCharsets.UTF_8));
    assertEquals(40, answer.getJsonArray("outputs").getJsonObject(1).getJsonArray("data").size());
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "identity", "gzip;q=0", "br", "*;q=0"})
  void answersPlainWhenTheClientDoesNotAcceptGzipOrDeflate(String accept) {
    HttpResponse<byte[]> response =
        post("/v2/models/iris/infer", manyRows(40), null, accept.isEmpty() ? null : accept);
    assertEquals(200, response.statusCode());
    assertTrue(response.headers().firstValue("content-encoding").isEmpty());
    assertEquals("Accept-Encoding", response.headers().firstValue("vary").orElse(""));
    assertEquals(
        40, json(response).getJsonArray("outputs").getJsonObject(1).getJsonArray("data").size());
  }

  @Test
  void smallAnswersStayPlainEvenWhenGzipIsAccepted() {
    HttpResponse<byte[]> response =
        post("/v2/models/iris/infer", v2Body(SETOSA).getBytes(), null, "gzip");
    assertEquals(200, response.statusCode());
    assertTrue(response.body().length < Compression.MIN_COMPRESSED_BYTES);
    assertTrue(response.headers().firstValue("content-encoding").isEmpty());
    assertEquals("Accept-Encoding", response.headers().firstValue("vary").orElse(""));
  }

  private static byte[] manyRows(int n) {
    float[][] rows = new float[n][];
    Arrays.fill(rows, VERSICOLOR);
    return v2Body(rows).getBytes(StandardCharsets.UTF_8);
  }

  private static HttpResponse<byte[]> post(
      String path, byte[] body, String contentEncoding, String acceptEncoding) {
    return post(server, path, body, contentEncoding, acceptEncoding);
  }

  private static HttpResponse<byte[]> post(
      RunningServer target,
      String path,
      byte[] body,
      String contentEncoding,
      String acceptEncoding) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(target.uri(path))
            .timeout(Duration.ofSeconds(20))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentEncoding != null) {
      request.header("content-encoding", contentEncoding);
    }
    if (acceptEncoding != null) {
      request.header("accept-encoding", acceptEncoding);
    }
    try {
      return java.net.http.HttpClient.newBuilder()
          .version(java.net.http.HttpClient.Version.HTTP_1_1)
          .build()
          .send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  private static JsonObject json(HttpResponse<byte[]> response) {
    return new JsonObject(new String(response.body(), StandardCharsets.UTF_8));
  }

  static byte[] compress(String coding, byte[] data) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (var out =
        coding.toLowerCase().contains("gzip")
            ? new GZIPOutputStream(bytes)
            : new DeflaterOutputStream(bytes)) {
      out.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  static byte[] decompress(String coding, byte[] data) {
    try (InputStream in =
        coding.equals("gzip")
            ? new GZIPInputStream(new ByteArrayInputStream(data))
            : new InflaterInputStream(new ByteArrayInputStream(data))) {
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] repeat(byte[] part, int times) {
    byte[] all = new byte[part.length * times];
    for (int i = 0; i < times; i++) {
      System.arraycopy(part, 0, all, i * part.length, part.length);
    }
    return all;
  }
}
