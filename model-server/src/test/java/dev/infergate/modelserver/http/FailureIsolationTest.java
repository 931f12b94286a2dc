package dev.infergate.modelserver.http;

import static dev.infergate.modelserver.testsupport.RunningServer.json;
import static dev.infergate.modelserver.testsupport.RunningServer.v2Body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.modelserver.ModelServerMain;
import dev.infergate.modelserver.testsupport.RunningServer;
import dev.infergate.modelserver.testsupport.TestModels;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One bad model no longer takes the server down: next to a garbage file, an empty file, a model
 * with an IR version or opset too new and a version without model.onnx, iris serves, and each bad
 * model is listed UNAVAILABLE with its reason in the index and its readiness. {@code --strict}
 * keeps the old exit.
 */
class FailureIsolationTest {
  private static final List<String> BROKEN =
      List.of("empty", "future_ir", "future_opset", "garbage", "no_file");

  @TempDir static Path dir;
  private static Path models;
  private static RunningServer server;

  @BeforeAll
  static void start() {
    models = TestModels.brokenNextToGood(dir.resolve("models"));
    server = RunningServer.start(models);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void theGoodModelServesNextToBrokenOnes() {
    HttpResponse<String> response = server.post("/v2/models/iris/infer", v2Body(TestModels.SETOSA));
    assertEquals(200, response.statusCode(), response.body());
    assertEquals(200, server.get("/v2/models/iris/ready").statusCode());
    assertEquals(
        200, server.get("/v2/health/ready").statusCode(), "the server is ready: a model serves");
  }

  @Test
  void theIndexListsEveryBrokenModelUnavailableWithAReasonAndNoPaths() {
    JsonArray index = new JsonArray(server.adminPost("/v2/repository/index").body());
    Map<String, JsonObject> byName = new HashMap<>();
    index.stream()
        .map(JsonObject.class::cast)
        .forEach(entry -> byName.putIfAbsent(entry.getString("name"), entry));
    assertEquals("READY", byName.get("iris").getString("state"));
    for (String name : BROKEN) {
      JsonObject entry = byName.get(name);
      assertEquals("UNAVAILABLE", entry.getString("state"), entry.encode());
      assertFalse(entry.getString("reason", "").isBlank(), entry.encode());
      assertFalse(
          entry.getString("reason").contains(dir.toString()), "no file paths: " + entry.encode());
    }
    assertTrue(
        byName
            .get("future_ir")
            .getString("reason")
            .contains("IR version " + TestModels.FUTURE_IR_VERSION),
        byName.get("future_ir").encode());
    assertTrue(
        byName.get("garbage").getString("reason").contains("not an ONNX model"),
        byName.get("garbage").encode());
  }

  @Test
  void aBrokenModelIsNotReadyWithItsReasonAndAnUnknownOneIsNotFound() {
    HttpResponse<String> response = server.get("/v2/models/empty/ready");
    assertEquals(503, response.statusCode(), response.body());
    JsonObject body = json(response);
    assertEquals(false, body.getBoolean("ready"));
    assertEquals("UNAVAILABLE", body.getString("state"));
    assertEquals("1", body.getString("version"));
    assertTrue(body.getString("reason").contains("model.onnx is empty"), response.body());
    assertEquals(503, server.get("/v2/models/future_ir/versions/1/ready").statusCode());
    assertEquals(404, server.get("/v2/models/future_ir/versions/7/ready").statusCode());
    HttpResponse<String> noFile = server.get("/v2/models/no_file/versions/1/ready");
    assertEquals(
        503, noFile.statusCode(), "a model-wide reason answers for each version: " + noFile.body());
    assertTrue(json(noFile).getString("reason").startsWith("no versions"), noFile.body());
    assertEquals(404, server.get("/v2/models/nonexistent/ready").statusCode());
    HttpResponse<String> infer = server.post("/v2/models/empty/infer", v2Body(TestModels.SETOSA));
    assertEquals(404, infer.statusCode(), infer.body());
    assertTrue(
        json(infer)
            .getString("error")
            .startsWith("model 'empty' is UNAVAILABLE: version 1: model.onnx is empty"),
        infer.body());
  }

  @Test
  void aFailedLoadThroughTheApiKeepsItsReasonInTheIndex() {
    HttpResponse<String> load = server.adminPost("/v2/repository/models/garbage/load");
    assertEquals(400, load.statusCode(), load.body());
    assertTrue(json(load).getString("error").contains("not an ONNX model"), load.body());
    JsonObject entry =
        new JsonArray(server.adminPost("/v2/repository/index").body())
            .stream()
                .map(JsonObject.class::cast)
                .filter(e -> e.getString("name").equals("garbage"))
                .findFirst()
                .orElseThrow();
    assertEquals("UNAVAILABLE", entry.getString("state"));
    assertTrue(
        entry.getString("reason").contains("not an ONNX model"),
        "not 'unloaded': " + entry.encode());
  }

  @Test
  void strictStartExitsNonZeroNamingTheModel() {
    String[] args = {
      "--strict",
      "--models",
      models.toString(),
      "--port",
      "0",
      "--admin-port",
      "0",
      "--device",
      "cpu"
    };
    ByteArrayOutputStream errors = new ByteArrayOutputStream();
    ModelServerMain.Started started =
        ModelServerMain.start(args, new PrintStream(errors, true, StandardCharsets.UTF_8));
    String printed = errors.toString(StandardCharsets.UTF_8);
    assertEquals(null, started.server(), printed);
    assertEquals(ModelServerMain.EXIT_START, started.exitCode());
    assertTrue(
        printed.startsWith(
            "model-server: cannot start: model 'empty' failed to load: version 1: model.onnx is empty"),
        printed);
  }
}
