package dev.infergate.modelserver.http;

import static dev.infergate.modelserver.testsupport.TestModels.SETOSA;
import static dev.infergate.modelserver.testsupport.TestModels.VIRGINICA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.modelserver.testsupport.RawHttp;
import dev.infergate.modelserver.testsupport.RunningServer;
import dev.infergate.modelserver.testsupport.TestModels;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The binary tensor data extension byte for byte, as an unmodified tritonclient sends it ({@code
 * InferInput.set_data_from_numpy}, {@code binary_data=True} outputs): a JSON header of {@code
 * Inference-Header-Content-Length} bytes, then little-endian float32 data; and every way the sizes
 * can lie answered with a 400 JSON error on a connection that stays usable.
 */
class BinaryTensorDataTest {
  private static RunningServer server;

  @BeforeAll
  static void start() {
    server = RunningServer.start(TestModels.bundled());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static byte[] floats(float[]... rows) {
    ByteBuffer bytes = ByteBuffer.allocate(rows.length * 16).order(ByteOrder.LITTLE_ENDIAN);
    for (float[] row : rows) {
      for (float value : row) {
        bytes.putFloat(value);
      }
    }
    return bytes.array();
  }

  /** The request tritonclient writes: head, JSON header, then the raw tensor bytes. */
  private static byte[] request(String json, byte[] tail, String headerLength) {
    byte[] header = json.getBytes(StandardCharsets.UTF_8);
    String head =
        "POST /v2/models/iris/infer HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Encoding: gzip, deflate\r\n"
            + "Content-Type: application/octet-stream\r\n"
            + (headerLength == null
                ? ""
                : "Inference-Header-Content-Length: " + headerLength + "\r\n")
            + "Content-Length: "
            + (header.length + tail.length)
            + "\r\n\r\n";
    ByteBuffer all = ByteBuffer.allocate(head.length() + header.length + tail.length);
    all.put(head.getBytes(StandardCharsets.ISO_8859_1)).put(header).put(tail);
    return all.array();
  }

  private static String tritonJson(int rows, int binarySize) {
    return "{\"inputs\":[{\"name\":\"input\",\"shape\":["
        + rows
        + ",4],\"datatype\":\"FP32\","
        + "\"parameters\":{\"binary_data_size\":"
        + binarySize
        + "}}],"
        + "\"outputs\":[{\"name\":\"probabilities\",\"parameters\":{\"binary_data\":true}},"
        + "{\"name\":\"label\",\"parameters\":{\"binary_data\":true}}]}";
  }

  @Test
  void answersAHandBuiltTritonclientBinaryRequestWithBinaryOutputs() throws IOException {
    String probabilitiesName =
        RunningServer.json(server.get("/v2/models/iris"))
            .getJsonArray("outputs")
            .getJsonObject(0)
            .getString("name");
    String json = tritonJson(2, 32).replace("\"probabilities\"", "\"" + probabilitiesName + "\"");
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    try (RawHttp http = new RawHttp(server.server().port(), Duration.ofSeconds(10))) {
      RawHttp.RawResponse response =
          http.exchangeBytes(request(json, floats(SETOSA, VIRGINICA), "" + body.length));
      assertEquals(200, response.status(), new String(response.body(), StandardCharsets.UTF_8));
      assertEquals("application/octet-stream", response.header("content-type"));
      String length = response.header("Inference-Header-Content-Length");
      assertNotNull(length, response.head());
      int jsonLength = Integer.parseInt(length);
      JsonObject header =
          new JsonObject(new String(response.body(), 0, jsonLength, StandardCharsets.UTF_8));
      JsonArray outputs = header.getJsonArray("outputs");
      JsonObject probabilities = outputs.getJsonObject(0);
      assertEquals(new JsonArray().add(2).add(3), probabilities.getJsonArray("shape"));
      assertEquals(24, probabilities.getJsonObject("parameters").getInteger("binary_data_size"));
      JsonObject label = outputs.getJsonObject(1);
      assertEquals("BYTES", label.getString("datatype"));
      int labelSize = label.getJsonObject("parameters").getInteger("binary_data_size");
      assertEquals(
          response.body().length,
          jsonLength + 24 + labelSize,
          "the body is the header and the two outputs");
      ByteBuffer data =
          ByteBuffer.wrap(response.body(), jsonLength, 24 + labelSize)
              .slice()
              .order(ByteOrder.LITTLE_ENDIAN);
      for (int row = 0; row < 2; row++) {
        float sum = 0;
        for (int column = 0; column < 3; column++) {
          sum += data.getFloat();
        }
        assertEquals(1.0, sum, 1e-4);
      }
      String[] labels = new String[2];
      for (int row = 0; row < 2; row++) {
        byte[] utf8 = new byte[data.getInt()];
        data.get(utf8);
        labels[row] = new String(utf8, StandardCharsets.UTF_8);
      }
      assertEquals("setosa", labels[0]);
      assertEquals("virginica", labels[1]);
      assertTrue(!data.hasRemaining());

      // binary input, JSON answer (no binary_data asked): plain application/json, no header length.
      String plain =
          "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\","
              + "\"parameters\":{\"binary_data_size\":16}}]}";
      RawHttp.RawResponse jsonAnswer =
          http.exchangeBytes(
              request(plain, floats(SETOSA), "" + plain.getBytes(StandardCharsets.UTF_8).length));
      assertEquals(200, jsonAnswer.status());
      assertTrue(jsonAnswer.header("content-type").startsWith("application/json"));
      assertEquals(null, jsonAnswer.header("Inference-Header-Content-Length"));
      JsonObject answer = new JsonObject(new String(jsonAnswer.body(), StandardCharsets.UTF_8));
      assertEquals(
          "setosa",
          answer.getJsonArray("outputs").getJsonObject(1).getJsonArray("data").getString(0));
    }
  }

  /**
   * A body that arrives in several chunks is gathered whole, whatever its framing: the server hands
   * a one-chunk body on as is and gathers several into one buffer (BoundedBody), so both must
   * answer alike. Chunked transfer coding makes the pieces arrive as separate chunks for certain.
   */
  @Test
  void answersTheSameBinaryRequestSentInChunkedPieces() throws IOException {
    String json =
        "{\"inputs\":[{\"name\":\"input\",\"shape\":[2,4],\"datatype\":\"FP32\","
            + "\"parameters\":{\"binary_data_size\":32}}]}";
    byte[] header = json.getBytes(StandardCharsets.UTF_8);
    byte[] tail = floats(SETOSA, VIRGINICA);
    byte[] body = ByteBuffer.allocate(header.length + tail.length).put(header).put(tail).array();
    // Cut inside the JSON header, at its end, and inside the first float.
    int[] cuts = {0, 17, header.length, header.length + 2, body.length};
    ByteArrayOutputStream chunked = new ByteArrayOutputStream();
    chunked.writeBytes(
        ("POST /v2/models/iris/infer HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                + "Content-Type: application/octet-stream\r\nInference-Header-Content-Length: "
                + header.length
                + "\r\nTransfer-Encoding: chunked\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1));
    for (int i = 0; i + 1 < cuts.length; i++) {
      chunked.writeBytes(
          (Integer.toHexString(cuts[i + 1] - cuts[i]) + "\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
      chunked.write(body, cuts[i], cuts[i + 1] - cuts[i]);
      chunked.writeBytes("\r\n".getBytes(StandardCharsets.ISO_8859_1));
    }
    chunked.writeBytes("0\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
    try (RawHttp http = new RawHttp(server.server().port(), Duration.ofSeconds(10))) {
      RawHttp.RawResponse whole = http.exchangeBytes(request(json, tail, "" + header.length));
      RawHttp.RawResponse pieces = http.exchangeBytes(chunked.toByteArray());
      assertEquals(200, whole.status(), new String(whole.body(), StandardCharsets.UTF_8));
      assertEquals(200, pieces.status(), new String(pieces.body(), StandardCharsets.UTF_8));
      JsonObject answer = new JsonObject(new String(pieces.body(), StandardCharsets.UTF_8));
      assertEquals(
          new JsonArray().add("setosa").add("virginica"),
          answer.getJsonArray("outputs").getJsonObject(1).getJsonArray("data"));
      assertEquals(new JsonObject(new String(whole.body(), StandardCharsets.UTF_8)), answer);
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "header length past the body | 32 | 100000 | past",
        "negative header length | 32 | -1 | Inference-Header-Content-Length",
        "header length not a number | 32 | abc | Inference-Header-Content-Length",
        "binary size past the body | 48 | HEADER | runs past",
        "binary size short of the body | 16 | HEADER | add up",
        "negative binary size | -4 | HEADER | binary_data_size",
        "binary size not the shape's | 28 | HEADER | binary_data_size",
        "binary size without the header | 32 | NONE | Inference-Header-Content-Length",
        "header length inside the JSON | 32 | 10 | malformed JSON"
      })
  void refusesBinarySizesThatDoNotAddUp(
      String caseName, int binarySize, String headerLength, String message) throws IOException {
    String json = tritonJson(2, binarySize);
    byte[] tail = floats(SETOSA, VIRGINICA);
    if (binarySize == 28) {
      tail = java.util.Arrays.copyOf(tail, 28);
    }
    String length =
        switch (headerLength) {
          case "HEADER" -> "" + json.getBytes(StandardCharsets.UTF_8).length;
          case "NONE" -> null;
          default -> headerLength;
        };
    try (RawHttp http = new RawHttp(server.server().port(), Duration.ofSeconds(10))) {
      RawHttp.RawResponse response = http.exchangeBytes(request(json, tail, length));
      String body = new String(response.body(), StandardCharsets.UTF_8);
      assertEquals(400, response.status(), body);
      String error = new JsonObject(body).getString("error");
      assertTrue(error.contains(message), error + " should say " + message);
      // the connection stays usable
      assertEquals(200, http.exchange("GET", "/v2/health/ready", null).status());
    }
  }
}
