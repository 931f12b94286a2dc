package dev.infergate.modelserver.http;

import static dev.infergate.modelserver.testsupport.RunningServer.json;
import static dev.infergate.modelserver.testsupport.RunningServer.v2Body;
import static dev.infergate.modelserver.testsupport.TestModels.SETOSA;
import static dev.infergate.modelserver.testsupport.TestModels.VERSICOLOR;
import static dev.infergate.modelserver.testsupport.TestModels.VIRGINICA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.modelserver.testsupport.RunningServer;
import dev.infergate.modelserver.testsupport.TestModels;
import dev.infergate.testsupport.RawSockets;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The real server on the real bundled models: protocol, predictions, health, errors, metrics. */
class ModelServerApiTest {
  private static RunningServer server;

  @BeforeAll
  static void start() {
    server = RunningServer.start(TestModels.bundled());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void servesServerMetadataAndHealth() {
    assertEquals("infergate-model-server", json(server.get("/v2")).getString("name"));
    assertEquals(200, server.get("/v2/health/live").statusCode());
    assertEquals(200, server.get("/v2/health/ready").statusCode());
  }

  @Test
  void servesModelMetadataWithBatchDimensionAndLabelOutput() {
    JsonObject meta = json(server.get("/v2/models/iris"));
    assertEquals("iris", meta.getString("name"));
    assertEquals(new JsonArray().add("1").add("2"), meta.getJsonArray("versions"));
    JsonObject input = meta.getJsonArray("inputs").getJsonObject(0);
    assertEquals("FP32", input.getString("datatype"));
    assertEquals(new JsonArray().add(-1).add(4), input.getJsonArray("shape"));
    JsonArray outputs = meta.getJsonArray("outputs");
    assertEquals(new JsonArray().add(-1).add(3), outputs.getJsonObject(0).getJsonArray("shape"));
    assertEquals("label", outputs.getJsonObject(1).getString("name"));
    assertEquals("BYTES", outputs.getJsonObject(1).getString("datatype"));
    assertEquals(200, server.get("/v2/models/iris/versions/1").statusCode());
    assertEquals(200, server.get("/v2/models/iris/ready").statusCode());
    assertEquals(200, server.get("/v2/models/iris/versions/2/ready").statusCode());
    assertEquals(404, server.get("/v2/models/iris/versions/7/ready").statusCode());
  }

  @ParameterizedTest
  @ValueSource(strings = {"1", "2"})
  void predictsEachIrisClassOnEveryVersion(String version) {
    JsonObject response =
        json(
            server.post(
                "/v2/models/iris/versions/" + version + "/infer",
                v2Body(SETOSA, VERSICOLOR, VIRGINICA)));
    assertEquals(version, response.getString("model_version"));
    assertEquals("iris", response.getString("model_name"));
    JsonArray outputs = response.getJsonArray("outputs");
    JsonObject probabilities = outputs.getJsonObject(0);
    assertEquals(new JsonArray().add(3).add(3), probabilities.getJsonArray("shape"));
    JsonArray data = probabilities.getJsonArray("data");
    for (int row = 0; row < 3; row++) {
      double sum = 0;
      for (int column = 0; column < 3; column++) {
        sum += data.getDouble(row * 3 + column);
      }
      assertEquals(1.0, sum, 1e-4, "probabilities of row " + row + " sum to 1");
    }
    assertEquals(
        new JsonArray().add("setosa").add("versicolor").add("virginica"),
        outputs.getJsonObject(1).getJsonArray("data"));
  }

  @Test
  void echoesIdHonoursOutputSelectionAndConvertsIntegerInput() {
    String body =
        "{\"id\":\"req-7\",\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"INT64\","
            + "\"data\":[[5,3,1,0]]}],\"outputs\":[{\"name\":\"label\"}]}";
    JsonObject response = json(server.post("/v2/models/iris/infer", body));
    assertEquals("req-7", response.getString("id"));
    JsonArray outputs = response.getJsonArray("outputs");
    assertEquals(1, outputs.size(), "only the requested output");
    assertEquals("label", outputs.getJsonObject(0).getString("name"));
    assertEquals("setosa", outputs.getJsonObject(0).getJsonArray("data").getString(0));
  }

  @Test
  void acceptsFp64AndNestedData() {
    String body =
        "{\"inputs\":[{\"name\":\"input\",\"shape\":[2,4],\"datatype\":\"FP64\","
            + "\"data\":[[6.3,3.3,6.0,2.5],[5.1,3.5,1.4,0.2]]}]}";
    JsonArray labels =
        json(server.post("/v2/models/iris/versions/1/infer", body))
            .getJsonArray("outputs")
            .getJsonObject(1)
            .getJsonArray("data");
    assertEquals(new JsonArray().add("virginica").add("setosa"), labels);
  }

  @Test
  void speaksKServeV1WithArrayAndNamedInstances() {
    String body =
        "{\"instances\":[[5.1,3.5,1.4,0.2],{\"sepal_length\":6.3,\"sepal_width\":3.3,"
            + "\"petal_length\":6.0,\"petal_width\":2.5}]}";
    JsonArray predictions =
        json(server.post("/v1/models/iris:predict", body)).getJsonArray("predictions");
    assertEquals("setosa", predictions.getJsonObject(0).getString("label"));
    assertEquals("virginica", predictions.getJsonObject(1).getString("label"));
    JsonObject probabilities = predictions.getJsonObject(1).getJsonObject("probabilities");
    assertEquals(
        List.of("virginica", "setosa", "versicolor").stream().sorted().toList(),
        probabilities.fieldNames().stream().sorted().toList());
    assertEquals(
        200,
        server
            .post("/v1/models/iris/versions/1:predict", "{\"instances\":[[6.4,3.2,4.5,1.5]]}")
            .statusCode());
    JsonObject status = json(server.get("/v1/models/iris"));
    assertTrue(status.getBoolean("ready"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "malformed JSON | {\"inputs\": [ | 400 | malformed JSON",
        "not an object | [1,2,3] | 400 | must be a JSON object",
        "empty inputs | {\"inputs\":[]} | 400 | inputs must be a non-empty array",
        "no inputs | {\"id\":\"x\"} | 400 | inputs must be a non-empty array",
        "wrong input name | {\"inputs\":[{\"name\":\"x\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]} | 400 | unknown input 'x'",
        "data count mismatch | {\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3]}]} | 400 | needs 4 values, data has 3",
        "wrong shape | {\"inputs\":[{\"name\":\"input\",\"shape\":[1,5],\"datatype\":\"FP32\",\"data\":[1,2,3,4,5]}]} | 400 | does not fit",
        "wrong rank | {\"inputs\":[{\"name\":\"input\",\"shape\":[4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]} | 400 | dimensions",
        "wrong datatype | {\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"BYTES\",\"data\":[\"a\",\"b\",\"c\",\"d\"]}]} | 400 | datatype 'BYTES' is not accepted",
        "non-numeric data | {\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,\"two\",3,4]}]} | 400 | must hold only numbers",
        "fraction in INT32 | {\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"INT32\",\"data\":[1,2.5,3,4]}]} | 400 | datatype INT32 but data holds 2.5",
        "missing shape | {\"inputs\":[{\"name\":\"input\",\"datatype\":\"FP32\",\"data\":[1,2,3,4]}]} | 400 | shape is required",
        "zero rows | {\"inputs\":[{\"name\":\"input\",\"shape\":[0,4],\"datatype\":\"FP32\",\"data\":[]}]} | 400 | at least one row",
        "unknown output | {\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}],\"outputs\":[{\"name\":\"nope\"}]} | 400 | unknown output 'nope'",
        "too many rows | {\"inputs\":[{\"name\":\"input\",\"shape\":[65,4],\"datatype\":\"FP32\",\"data\":[[0]]}]} | 400 | needs 260 values",
        "FP32 overflow | {\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1e39,1,1,1]}]} | 400 | input 'input': 1.0E39 is not a finite FP32 value",
        "FP64 overflow | {\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP64\",\"data\":[1,1e400,1,1]}]} | 400 | input 'input': Infinity is not a finite FP32 value",
        "INT64 overflow | {\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"INT64\",\"data\":[1,1,-1e400,1]}]} | 400 | input 'input': -Infinity is not a finite FP32 value",
        "literal NaN | {\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[NaN,1,1,1]}]} | 400 | malformed JSON",
        "literal Infinity | {\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[Infinity,1,1,1]}]} | 400 | malformed JSON",
      })
  void refusesBadV2InputWithAClearJsonError(
      String caseName, String body, int status, String message) {
    HttpResponse<String> response = server.post("/v2/models/iris/infer", body);
    assertEquals(status, response.statusCode(), response.body());
    assertTrue(
        response.headers().firstValue("content-type").orElse("").startsWith("application/json"));
    String error = json(response).getString("error");
    assertNotNull(error);
    assertTrue(error.contains(message), "error '" + error + "' should say '" + message + "'");
  }

  @Test
  void splitsARequestOfMoreRowsThanTheMaxBatchSizeAndJoinsItBackInOrder() {
    float[][] rows = new float[65][];
    java.util.Arrays.fill(rows, SETOSA);
    rows[64] = VIRGINICA;
    HttpResponse<String> response = server.post("/v2/models/iris/infer", v2Body(rows));
    assertEquals(200, response.statusCode(), response.body());
    JsonArray labels =
        json(response).getJsonArray("outputs").stream()
            .map(JsonObject.class::cast)
            .filter(o -> o.getString("name").equals("label"))
            .findFirst()
            .orElseThrow()
            .getJsonArray("data");
    assertEquals(65, labels.size());
    assertEquals("setosa", labels.getString(63));
    assertEquals(
        "virginica", labels.getString(64), "the 65th row, in the second batch, comes back last");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/v2/models/unknown/infer",
        "/v2/models/iris/versions/9/infer",
        "/v1/models/unknown:predict"
      })
  void answersUnknownModelsAndVersionsWith404(String path) {
    HttpResponse<String> response = server.post(path, v2Body(SETOSA));
    assertEquals(404, response.statusCode());
    assertNotNull(json(response).getString("error"));
  }

  @Test
  void refusesBodiesOverTheLimitWith413() {
    String huge =
        "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}],"
            + "\"pad\":\""
            + "x".repeat(70 * 1024)
            + "\"}";
    HttpResponse<String> response = server.post("/v2/models/iris/infer", huge);
    assertEquals(413, response.statusCode());
    assertTrue(json(response).getString("error").contains("limit"));
    assertEquals(
        200, server.post("/v2/models/iris/infer", v2Body(SETOSA)).statusCode(), "still serving");
  }

  @Test
  void refusesChunkedBodiesThatGrowPastTheLimitWith413() {
    byte[] big =
        ("{\"inputs\":[{\"name\":\"input\",\"shape\":[1,4],\"datatype\":\"FP32\",\"data\":[1,2,3,4]}],"
                + "\"pad\":\""
                + "x".repeat(200 * 1024)
                + "\"}")
            .getBytes(StandardCharsets.UTF_8);
    HttpRequest chunked =
        HttpRequest.newBuilder(server.uri("/v2/models/iris/infer"))
            .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big)))
            .build();
    HttpResponse<String> response = server.send(chunked);
    assertEquals(413, response.statusCode(), response.body());
    assertTrue(json(response).getString("error").contains("limit"));
    assertEquals(
        200, server.post("/v2/models/iris/infer", v2Body(SETOSA)).statusCode(), "still serving");
  }

  /**
   * One 413 behaviour in both servers (http-common LingeringClose): the answer says Connection:
   * close, what the client still sends is dropped, then the connection closes, rather than being
   * drained for as long as the client sends. The router's public listener and admin API behave the
   * same.
   */
  @Test
  void aBodyOverTheLimitGets413ThenTheConnectionCloses() throws Exception {
    try (Socket socket = RawSockets.connect(server.uri("/").getPort(), 10_000)) {
      RawSockets.send(
          socket,
          "POST /v2/models/iris/infer HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
              + "content-length: 10000000\r\n\r\n"
              + "x".repeat(1000));
      String answer = RawSockets.readResponse(socket);
      assertTrue(answer.startsWith("HTTP/1.1 413"), answer);
      assertTrue(answer.toLowerCase(java.util.Locale.ROOT).contains("connection: close"), answer);
      RawSockets.send(
          socket, "x".repeat(1000)); // more of the refused body: read and dropped, not parsed
      assertEquals("", RawSockets.readToEnd(socket), "closed after the answer, nothing else sent");
    }
  }

  @Test
  void aChunkedBodyThatGrowsPastTheLimitGets413ThenTheConnectionCloses() throws Exception {
    try (Socket socket = RawSockets.connect(server.uri("/").getPort(), 10_000)) {
      String chunk = "x".repeat(40 * 1024);
      RawSockets.send(
          socket,
          "POST /v2/models/iris/infer HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
              + "transfer-encoding: chunked\r\n\r\n"
              + Integer.toHexString(chunk.length())
              + "\r\n"
              + chunk
              + "\r\n"
              + Integer.toHexString(chunk.length())
              + "\r\n"
              + chunk
              + "\r\n");
      String answer = RawSockets.readResponse(socket);
      assertTrue(answer.startsWith("HTTP/1.1 413"), answer);
      assertTrue(answer.toLowerCase(java.util.Locale.ROOT).contains("connection: close"), answer);
      assertEquals("", RawSockets.readToEnd(socket), "closed after the answer");
    }
  }

  @Test
  void expectContinueGetsA100BeforeTheBodyIsSent() throws Exception {
    String body = v2Body(SETOSA);
    try (Socket socket = new Socket(server.uri("/").getHost(), server.uri("/").getPort())) {
      socket.setSoTimeout(10_000);
      socket
          .getOutputStream()
          .write(
              ("POST /v2/models/iris/infer HTTP/1.1\r\nhost: x\r\nexpect: 100-continue\r\n"
                      + "content-type: application/json\r\ncontent-length: "
                      + body.length()
                      + "\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      assertEquals("HTTP/1.1 100 Continue", in.readLine(), "the 100 comes before the body is sent");
      assertEquals("", in.readLine());
      socket.getOutputStream().write(body.getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      assertEquals("HTTP/1.1 200 OK", in.readLine());
    }
  }

  @Test
  void expectContinueOverTheLimitGets413AndTheConnectionClosed() throws Exception {
    // The client waits for a 100 that will not come and may never send the body: close after the
    // 413.
    try (Socket socket = new Socket(server.uri("/").getHost(), server.uri("/").getPort())) {
      socket.setSoTimeout(10_000);
      socket
          .getOutputStream()
          .write(
              ("POST /v2/models/iris/infer HTTP/1.1\r\nhost: x\r\nexpect: 100-continue\r\n"
                      + "content-length: 10000000\r\n\r\n")
                  .getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
      assertTrue(answer.startsWith("HTTP/1.1 413"), answer);
      assertTrue(answer.contains("limit"), answer);
    }
    assertEquals(0, awaitInFlight(0));
  }

  @Test
  void otherMethodsOnAnInferencePathGet405() {
    HttpResponse<String> response = server.get("/v2/models/iris/infer");
    assertEquals(405, response.statusCode());
    assertEquals("POST", response.headers().firstValue("allow").orElse(null));
    assertTrue(json(response).getString("error").contains("GET is not allowed"), response.body());
  }

  @Test
  void percentEncodedModelNamesAreRefusedAsAtTheRouter() {
    // Decoding them here and not at the router would let the two read one path two ways
    // (KServePath).
    HttpResponse<String> response =
        server.post("/v2/models/ir%69s/versions/%31/infer", v2Body(SETOSA));
    assertEquals(400, response.statusCode(), response.body());
    assertTrue(json(response).getString("error").contains("percent-escape"), response.body());
  }

  @Test
  void everyRequestLeavesTheInFlightCountWhateverItsEnd() throws Exception {
    // The count is what a graceful shutdown waits for: a request must leave it when answered,
    // refused,
    // or abandoned by its client half-way through the body.
    server.post("/v2/models/iris/infer", v2Body(SETOSA));
    server.post("/v2/models/iris/infer", "{\"inputs\": 1}");
    server.post("/v2/models/unknown/infer", v2Body(SETOSA));
    server.get("/v2/health/ready");
    try (Socket socket = new Socket(server.uri("/").getHost(), server.uri("/").getPort())) {
      socket
          .getOutputStream()
          .write(
              ("POST /v2/models/iris/infer HTTP/1.1\r\nhost: x\r\ncontent-length: 1000\r\n\r\n{\"inp")
                  .getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      assertEquals(1, awaitInFlight(1), "the half-sent request is in flight");
    }
    assertEquals(0, awaitInFlight(0), "a request never left the in-flight count");
  }

  /**
   * Polls the in-flight count until it is {@code expected} or 10 s have passed; returns the last
   * value.
   */
  private static long awaitInFlight(long expected) {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    long inFlight;
    while ((inFlight = server.server().lifecycle().inFlight()) != expected
        && System.nanoTime() < deadline) {
      LockSupport.parkNanos(Duration.ofMillis(2).toNanos());
    }
    return inFlight;
  }

  @Test
  void refusesNonFiniteV1InputNamingTheInput() {
    for (String body :
        List.of(
            "{\"instances\":[[1e39,3.5,1.4,0.2]]}",
            "{\"instances\":[{\"sepal_length\":5.1,\"sepal_width\":-1e39,\"petal_length\":1.4,\"petal_width\":0.2}]}")) {
      HttpResponse<String> response = server.post("/v1/models/iris:predict", body);
      assertEquals(400, response.statusCode(), response.body());
      assertTrue(json(response).getString("error").contains("input 'input'"), response.body());
      assertTrue(
          json(response).getString("error").contains("not a finite FP32 value"), response.body());
    }
  }

  @Test
  void refusesBadV1Input() {
    assertEquals(
        400, server.post("/v1/models/iris:predict", "{\"instances\":[[1,2,3]]}").statusCode());
    assertEquals(400, server.post("/v1/models/iris:predict", "{\"instances\":[]}").statusCode());
    assertEquals(
        400,
        server
            .post("/v1/models/iris:predict", "{\"instances\":[{\"sepal_length\":1}]}")
            .statusCode());
    assertEquals(
        400,
        server.post("/v1/models/iris:predict", "{\"instances\":[[1,2,\"x\",4]]}").statusCode());
    assertEquals(400, server.post("/v1/models/iris:predict", "{\"instances\":").statusCode());
  }

  @Test
  void answersUnknownRoutesWithJson404() {
    HttpResponse<String> response = server.get("/v2/nothing/here");
    assertEquals(404, response.statusCode());
    assertNotNull(json(response).getString("error"));
  }

  @Test
  void exposesPrometheusMetricsWithQueueComputeAndBatchSize() {
    server.post("/v2/models/iris/versions/1/infer", v2Body(SETOSA));
    server.post("/v2/models/iris/versions/1/infer", "{\"inputs\":[]}");
    HttpResponse<String> metrics = server.adminGet("/metrics");
    assertEquals(200, metrics.statusCode());
    assertTrue(metrics.headers().firstValue("content-type").orElse("").startsWith("text/plain"));
    String text = metrics.body();
    assertTrue(
        text.contains(
            "infergate_model_requests_total{model=\"iris\",outcome=\"success\",version=\"1\"}"),
        text);
    assertTrue(
        text.contains(
            "infergate_model_requests_total{model=\"iris\",outcome=\"bad_request\",version=\"1\"}"));
    assertTrue(text.contains("infergate_model_queue_seconds_bucket{model=\"iris\",version=\"1\""));
    assertTrue(
        text.contains("infergate_model_compute_seconds_bucket{model=\"iris\",version=\"1\""));
    assertTrue(text.contains("infergate_model_batch_size_bucket{model=\"iris\",version=\"1\""));
    assertTrue(text.contains("jvm_memory_used_bytes"), "JVM metrics");
    assertTrue(text.contains("vertx_http_server_requests_total"), "Vert.x metrics");
  }

  @Test
  void readinessGoesFalseWhileDrainingButLivenessStays() {
    try (RunningServer other = RunningServer.start(TestModels.bundled())) {
      other.server().lifecycle().startDraining();
      assertEquals(503, other.get("/v2/health/ready").statusCode());
      assertFalse(json(other.get("/v2/health/ready")).getBoolean("ready"));
      assertEquals(200, other.get("/v2/health/live").statusCode());
      assertEquals(
          200,
          other.post("/v2/models/iris/infer", v2Body(SETOSA)).statusCode(),
          "still serves while draining");
    }
  }
}
