package dev.infergate.modelserver.http;

import static dev.infergate.modelserver.testsupport.RunningServer.json;
import static dev.infergate.modelserver.testsupport.RunningServer.v2Body;
import static dev.infergate.modelserver.testsupport.TestModels.SETOSA;
import static dev.infergate.modelserver.testsupport.TestModels.VERSICOLOR;
import static dev.infergate.modelserver.testsupport.TestModels.VIRGINICA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.modelserver.config.BatchPolicy;
import dev.infergate.modelserver.testsupport.RunningServer;
import dev.infergate.modelserver.testsupport.TestModels;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Bodies of InferenceHandler.WORKER_PARSE_BYTES and more are parsed on a worker, not the event
 * loop; requests of more than maxBatchSize rows are split into batches and joined back, up to
 * maxRequestRows.
 */
class LargeRequestTest {
  private static RunningServer server;

  @BeforeAll
  static void start() {
    server = RunningServer.start(TestModels.bundled(), 8 * 1024 * 1024);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void aLargeRequestIsParsedOnAWorkerAndAnswered() {
    // Two rows and a large "parameters" object (the V2 request's free-form extension field).
    String rows = v2Body(SETOSA, VIRGINICA);
    String body =
        rows.substring(0, rows.length() - 1)
            + ",\"parameters\":{\"note\":\""
            + "x".repeat(InferenceHandler.WORKER_PARSE_BYTES)
            + "\"}}";
    HttpResponse<String> response = server.post("/v2/models/iris/versions/1/infer", body);
    assertEquals(200, response.statusCode(), response.body());
    JsonObject label =
        json(response).getJsonArray("outputs").stream()
            .map(JsonObject.class::cast)
            .filter(o -> o.getString("name").equals("label"))
            .findFirst()
            .orElseThrow();
    assertEquals(new JsonArray().add("setosa").add("virginica"), label.getJsonArray("data"));
  }

  @Test
  void aRequestOfManyBatchesIsSplitAndJoinedBackInRowOrder() {
    float[][] rows = new float[20_000][];
    float[][] classes = {SETOSA, VERSICOLOR, VIRGINICA};
    for (int i = 0; i < rows.length; i++) {
      rows[i] = classes[i % 3];
    }
    String body = v2Body(rows);
    assertTrue(
        body.length() >= InferenceHandler.WORKER_PARSE_BYTES,
        "body of " + body.length() + " bytes");
    HttpResponse<String> response = server.post("/v2/models/iris/infer", body);
    assertEquals(200, response.statusCode(), response.body());
    JsonObject label =
        json(response).getJsonArray("outputs").stream()
            .map(JsonObject.class::cast)
            .filter(o -> o.getString("name").equals("label"))
            .findFirst()
            .orElseThrow();
    JsonArray labels = label.getJsonArray("data");
    assertEquals(rows.length, labels.size());
    String[] names = {"setosa", "versicolor", "virginica"};
    for (int i = 0; i < rows.length; i++) {
      assertEquals(names[i % 3], labels.getString(i), "row " + i);
    }
  }

  @Test
  void aRequestAboveMaxRequestRowsGets400NamingTheLimit() {
    float[][] rows = new float[BatchPolicy.DEFAULT_MAX_REQUEST_ROWS + 1][];
    Arrays.fill(rows, SETOSA);
    HttpResponse<String> response = server.post("/v2/models/iris/infer", v2Body(rows));
    assertEquals(400, response.statusCode(), response.body());
    assertTrue(
        json(response)
            .getString("error")
            .contains("65537 rows exceed this model's maxRequestRows of 65536"),
        response.body());
    assertEquals(
        200, server.post("/v2/models/iris/infer", v2Body(SETOSA)).statusCode(), "still serving");
  }
}
