package dev.infergate.modelserver.http;

import static dev.infergate.modelserver.testsupport.RunningServer.json;
import static dev.infergate.modelserver.testsupport.RunningServer.v2Body;
import static dev.infergate.modelserver.testsupport.TestModels.SETOSA;
import static dev.infergate.modelserver.testsupport.TestModels.VERSICOLOR;
import static dev.infergate.modelserver.testsupport.TestModels.VIRGINICA;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.modelserver.testsupport.RunningServer;
import dev.infergate.modelserver.testsupport.TestModels;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Triton's model configuration and statistics extensions, and KServe V1's model list and status, on
 * the real server (iris with its own batching settings, so the config shows them).
 */
class ModelConfigAndStatsTest {
  @TempDir static Path dir;
  private static RunningServer server;

  @BeforeAll
  static void start() {
    server =
        RunningServer.start(
            TestModels.copyWithConfig(
                dir,
                "maxBatchSize: 16\nmaxQueueDelayMicros: 250\ninstanceCount: 2\nmaxQueueSize: 100"));
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @ParameterizedTest
  @ValueSource(strings = {"/v2/models/iris/config", "/v2/models/iris/versions/1/config"})
  void servesTheModelConfigurationInTritonsShape(String path) {
    HttpResponse<String> response = server.get(path);
    assertEquals(200, response.statusCode(), response.body());
    JsonObject config = json(response);
    assertEquals("iris", config.getString("name"));
    assertEquals("onnxruntime_onnx", config.getString("platform"));
    assertEquals(16, config.getInteger("max_batch_size"));
    JsonObject input = config.getJsonArray("input").getJsonObject(0);
    assertEquals("input", input.getString("name"));
    assertEquals("TYPE_FP32", input.getString("data_type"));
    assertEquals(
        new JsonArray().add(4), input.getJsonArray("dims"), "the batch dimension is left out");
    JsonArray outputs = config.getJsonArray("output");
    assertEquals("TYPE_FP32", outputs.getJsonObject(0).getString("data_type"));
    assertEquals(new JsonArray().add(3), outputs.getJsonObject(0).getJsonArray("dims"));
    JsonObject label = outputs.getJsonObject(1);
    assertEquals("label", label.getString("name"));
    assertEquals("TYPE_STRING", label.getString("data_type"));
    assertEquals(new JsonArray().add(1), label.getJsonArray("dims"));
    JsonObject batching = config.getJsonObject("dynamic_batching");
    assertEquals(250, batching.getInteger("max_queue_delay_microseconds"));
    assertEquals(100, batching.getJsonObject("default_queue_policy").getInteger("max_queue_size"));
    JsonObject instances = config.getJsonArray("instance_group").getJsonObject(0);
    assertEquals(2, instances.getInteger("count"));
    assertEquals("KIND_CPU", instances.getString("kind"));
  }

  @Test
  void theUnversionedConfigIsTheHighestVersions() {
    assertEquals(
        json(server.get("/v2/models/iris/versions/2/config")),
        json(server.get("/v2/models/iris/config")));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/v2/models/nope/config",
        "/v2/models/iris/versions/9/config",
        "/v2/models/nope/stats",
        "/v2/models/iris/versions/9/stats",
        "/v1/models/nope",
        "/v1/models/iris/versions/9"
      })
  void unknownModelsAndVersionsGet404Json(String path) {
    HttpResponse<String> response = server.get(path);
    assertEquals(404, response.statusCode());
    assertTrue(
        json(response).getString("error").contains("nope")
            || json(response).getString("error").contains("'9'"),
        response.body());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "/v2/models/ir%zzis/config",
        "/v2/models/iris/versions/%/stats",
        "/v2/models/%C3/stats"
      })
  void malformedEscapesInTheNewPathsGet400Json(String path) throws Exception {
    try (dev.infergate.modelserver.testsupport.RawHttp raw =
        new dev.infergate.modelserver.testsupport.RawHttp(
            server.server().port(), java.time.Duration.ofSeconds(10))) {
      var response = raw.exchange("GET", path, null);
      assertEquals(400, response.status(), response.head());
      assertTrue(
          new JsonObject(response.body()).getString("error").contains("percent-escape"),
          response.body());
    }
  }

  @Test
  void countsSuccessesFailuresRowsAndBatchesInTritonsStatisticsShape() {
    JsonObject before = versionStats("/v2/models/iris/versions/1/stats");
    assertEquals(
        200,
        server
            .post("/v2/models/iris/versions/1/infer", v2Body(SETOSA, VERSICOLOR, VIRGINICA))
            .statusCode());
    assertEquals(200, server.post("/v2/models/iris/versions/1/infer", v2Body(SETOSA)).statusCode());
    assertEquals(
        400,
        server
            .post(
                "/v2/models/iris/versions/1/infer",
                "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[1,2,3]}]}")
            .statusCode());
    JsonObject after = versionStats("/v2/models/iris/versions/1/stats");
    assertEquals("iris", after.getString("name"));
    assertEquals("1", after.getString("version"));
    assertEquals(4, after.getLong("inference_count") - before.getLong("inference_count"));
    long executions = after.getLong("execution_count") - before.getLong("execution_count");
    assertTrue(executions >= 1 && executions <= 2, "" + executions);
    JsonObject stats = after.getJsonObject("inference_stats");
    JsonObject was = before.getJsonObject("inference_stats");
    assertEquals(2, count(stats, "success") - count(was, "success"));
    assertEquals(1, count(stats, "fail") - count(was, "fail"));
    assertEquals(2, count(stats, "queue") - count(was, "queue"));
    assertEquals(2, count(stats, "compute_infer") - count(was, "compute_infer"));
    assertTrue(ns(stats, "success") > ns(was, "success"));
    assertTrue(ns(stats, "compute_infer") > ns(was, "compute_infer"));
    for (String field :
        new String[] {"compute_input", "compute_output", "cache_hit", "cache_miss"}) {
      assertTrue(
          stats.getJsonObject(field).containsKey("count")
              && stats.getJsonObject(field).containsKey("ns"),
          field);
    }
    assertTrue(after.getLong("last_inference") >= System.currentTimeMillis() - 60_000);
    JsonArray batches = after.getJsonArray("batch_stats");
    assertTrue(
        batches.stream()
            .map(JsonObject.class::cast)
            .anyMatch(
                b ->
                    b.getInteger("batch_size") == 3
                        && b.getJsonObject("compute_infer").getLong("count") >= 1),
        batches.encode());
    long batchExecutions =
        batches.stream()
            .map(JsonObject.class::cast)
            .mapToLong(b -> b.getJsonObject("compute_infer").getLong("count"))
            .sum();
    assertEquals(after.getLong("execution_count"), batchExecutions);
  }

  @Test
  void listsStatisticsOfEveryVersionOfOneModelOrOfAll() {
    JsonArray model = json(server.get("/v2/models/iris/stats")).getJsonArray("model_stats");
    assertEquals(2, model.size());
    assertEquals("1", model.getJsonObject(0).getString("version"));
    assertEquals("2", model.getJsonObject(1).getString("version"));
    JsonArray all = json(server.get("/v2/models/stats")).getJsonArray("model_stats");
    assertEquals(2, all.size());
  }

  @Test
  void serverMetadataNamesTheNewExtensions() {
    JsonArray extensions = json(server.get("/v2")).getJsonArray("extensions");
    assertTrue(
        extensions.contains("model_configuration")
            && extensions.contains("statistics")
            && extensions.contains("binary_tensor_data"),
        extensions.encode());
  }

  @Test
  void kserveV1ListsModelsAndAnswersEachModelsAndVersionsReadiness() {
    assertEquals(
        new JsonObject().put("models", new JsonArray().add("iris")),
        json(server.get("/v1/models")));
    JsonObject model = json(server.get("/v1/models/iris"));
    assertEquals("iris", model.getString("name"));
    assertEquals(true, model.getBoolean("ready"));
    JsonObject version = json(server.get("/v1/models/iris/versions/1"));
    assertEquals(true, version.getBoolean("ready"));
    assertEquals("1", version.getString("version"));
  }

  private static JsonObject versionStats(String path) {
    HttpResponse<String> response = server.get(path);
    assertEquals(200, response.statusCode(), response.body());
    JsonArray all = json(response).getJsonArray("model_stats");
    assertEquals(1, all.size());
    return all.getJsonObject(0);
  }

  private static long count(JsonObject stats, String field) {
    return stats.getJsonObject(field).getLong("count");
  }

  private static long ns(JsonObject stats, String field) {
    return stats.getJsonObject(field).getLong("ns");
  }
}
