package dev.infergate.modelserver.http;

import static dev.infergate.modelserver.testsupport.RunningServer.json;
import static dev.infergate.modelserver.testsupport.RunningServer.v2Body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.modelserver.testsupport.LogCapture;
import dev.infergate.modelserver.testsupport.RawHttp;
import dev.infergate.modelserver.testsupport.RunningServer;
import dev.infergate.modelserver.testsupport.TestModels;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The control API (repository load/unload/index) and /metrics live on the admin listener only: the
 * inference port answers them, and every path trick that normalises to them, with a JSON 404.
 */
class AdminListenerTest {
  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
    "POST, /v2/repository/index",
    "POST, /v2/repository/models/iris/unload",
    "POST, /v2/repository/models/iris/load",
    "GET, /metrics",
    "POST, /v2/models/iris/../../../v2/repository/models/iris/unload",
    "POST, /v2/models/iris/%2e%2e/%2e%2e/%2E%2E/v2/repository/models/iris/unload",
    "POST, /v2/models/iris/..%2f..%2f..%2fv2/repository/models/iris/unload",
    "GET, /v2/models/iris/../../../metrics",
  })
  void theInferencePortAnswersControlPathsWithJson404(String method, String path) throws Exception {
    try (RunningServer server = RunningServer.start(TestModels.bundled());
        RawHttp connection = new RawHttp(server.server().port(), Duration.ofSeconds(5))) {
      RawHttp.Response response = connection.exchange(method, path, null);
      assertTrue(
          response.status() == 404 || response.status() == 400, response.head() + response.body());
      assertTrue(new JsonObject(response.body()).containsKey("error"), response.body());
      assertEquals(
          200,
          server.post("/v2/models/iris/infer", v2Body(TestModels.SETOSA)).statusCode(),
          "the model is still loaded");
    }
  }

  @Test
  void servesTheRepositoryApiAndMetricsOnTheAdminPort() {
    try (RunningServer server = RunningServer.start(TestModels.bundled())) {
      assertNotEquals(server.server().port(), server.server().adminPort());
      JsonArray index = new JsonArray(server.adminPost("/v2/repository/index").body());
      assertEquals("READY", index.getJsonObject(0).getString("state"));
      assertEquals(200, server.adminPost("/v2/repository/models/iris/unload").statusCode());
      assertEquals(
          404, server.post("/v2/models/iris/infer", v2Body(TestModels.SETOSA)).statusCode());
      HttpResponse<String> load = server.adminPost("/v2/repository/models/iris/load");
      assertEquals(200, load.statusCode(), load.body());
      assertFalse(json(load).containsKey("dropped"), load.body());
      assertEquals(
          200, server.post("/v2/models/iris/infer", v2Body(TestModels.SETOSA)).statusCode());
      HttpResponse<String> metrics = server.adminGet("/metrics");
      assertEquals(200, metrics.statusCode());
      assertTrue(metrics.body().contains("infergate_model_requests_total"));
      HttpResponse<String> inference =
          server.send(
              java.net.http.HttpRequest.newBuilder(server.adminUri("/v2/models/iris/infer"))
                  .POST(
                      java.net.http.HttpRequest.BodyPublishers.ofString(v2Body(TestModels.SETOSA)))
                  .build());
      assertEquals(404, inference.statusCode(), "no inference on the admin port");
      assertTrue(json(inference).containsKey("error"));
    }
  }

  @Test
  void theAdminPortAnswersMalformedEscapesWith400AndUnknownPathsWithJson404() throws Exception {
    try (RunningServer server = RunningServer.start(TestModels.bundled());
        LogCapture logs = LogCapture.start();
        RawHttp connection = new RawHttp(server.server().adminPort(), Duration.ofSeconds(5))) {
      RawHttp.Response bad = connection.exchange("POST", "/v2/repository/models/%zz/load", null);
      assertEquals(400, bad.status(), bad.head() + bad.body());
      assertTrue(new JsonObject(bad.body()).containsKey("error"), bad.body());
      RawHttp.Response unknown =
          connection.exchange("POST", "/v2/repository/models/nope/unload", null);
      assertEquals(404, unknown.status(), unknown.body());
      RawHttp.Response nowhere = connection.exchange("GET", "/nothing", null);
      assertEquals(404, nowhere.status());
      assertTrue(new JsonObject(nowhere.body()).containsKey("error"), nowhere.body());
      assertEquals(java.util.List.of(), logs.atLeast(Level.WARNING));
    }
  }

  @Test
  void reloadSaysWhichVersionsItDroppedAndWhy(@TempDir Path dir) throws Exception {
    Path models = TestModels.copyWithConfig(dir, "");
    try (RunningServer server = RunningServer.start(models);
        LogCapture logs = LogCapture.start()) {
      Files.delete(models.resolve("iris/1/model.onnx"));
      HttpResponse<String> load = server.adminPost("/v2/repository/models/iris/load");
      assertEquals(200, load.statusCode(), load.body());
      assertEquals(new JsonArray().add("2"), json(load).getJsonArray("versions"));
      JsonArray dropped = json(load).getJsonArray("dropped");
      assertEquals(1, dropped.size(), load.body());
      assertEquals("1", dropped.getJsonObject(0).getString("version"));
      assertTrue(
          dropped.getJsonObject(0).getString("reason").contains("model.onnx is missing"),
          load.body());
      assertTrue(
          logs.atLeast(Level.WARNING).stream().anyMatch(line -> line.contains("dropped version 1")),
          logs.atLeast(Level.WARNING).toString());
      assertEquals(
          404,
          server.post("/v2/models/iris/versions/1/infer", v2Body(TestModels.SETOSA)).statusCode());
    }
  }

  @Test
  void loadFailuresTellTheClientTheReasonWithoutFilePaths(@TempDir Path dir) throws Exception {
    Path models = TestModels.copyWithConfig(dir, "");
    try (RunningServer server = RunningServer.start(models);
        LogCapture logs = LogCapture.start()) {
      Files.writeString(models.resolve("iris/2/model.onnx"), "not an onnx model");
      HttpResponse<String> load = server.adminPost("/v2/repository/models/iris/load");
      assertEquals(400, load.statusCode(), load.body());
      String error = json(load).getString("error");
      assertTrue(
          error.contains("model 'iris' failed to load: version 2: model.onnx is not an ONNX model"),
          "says which model, version and why: " + error);
      assertTrue(error.contains("previous versions keep serving"), error);
      assertFalse(error.contains(dir.toAbsolutePath().toString()), "exposes a path: " + error);
      assertFalse(error.contains(dir.getFileName().toString()), "exposes a path: " + error);
      assertTrue(
          logs.atLeast(Level.WARNING).stream()
              .anyMatch(line -> line.contains(dir.getFileName().toString())),
          "the log has the detail: " + logs.atLeast(Level.WARNING));
      assertEquals(
          200,
          server.post("/v2/models/iris/versions/2/infer", v2Body(TestModels.SETOSA)).statusCode());
    }
  }

  @Test
  void clientMessagesKeepNoFilePathsOrAddresses() {
    assertEquals(
        "Load model from model.onnx failed:Protobuf parsing failed.",
        Errors.forClient(
            "Load model from /srv/models/iris/2/model.onnx failed:Protobuf parsing failed."));
    assertEquals(
        "connect to <address> refused", Errors.forClient("connect to 10.1.2.3:9000 refused"));
    assertEquals(
        "model 'iris' has no version '3'", Errors.forClient("model 'iris' has no version '3'"));
  }
}
