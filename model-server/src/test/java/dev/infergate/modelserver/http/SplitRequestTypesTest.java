package dev.infergate.modelserver.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.infergate.modelserver.testsupport.RunningServer;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A request of more rows than the model's {@code maxBatchSize} is split across batches and joined
 * back; the joined answer of a user model (ZipMap probabilities with their classes, an INT64 label)
 * is the answer the same model gives when the whole request fits one batch.
 */
class SplitRequestTypesTest {
  @TempDir static Path repository;
  private static RunningServer server;
  private static JsonObject sixteenRows;

  @BeforeAll
  static void start() throws Exception {
    Path byom = Path.of(SplitRequestTypesTest.class.getResource("/byom/rf200_zipmap").toURI());
    for (String name : new String[] {"whole", "split"}) {
      Files.createDirectories(repository.resolve(name).resolve("1"));
      Files.copy(
          byom.resolve("1").resolve("model.onnx"),
          repository.resolve(name).resolve("1").resolve("model.onnx"));
    }
    Files.writeString(repository.resolve("split").resolve("config.yaml"), "maxBatchSize: 3\n");
    JsonObject cases = new JsonObject(Files.readString(byom.resolve("cases.json")));
    for (Object c : cases.getJsonArray("cases")) {
      if (((JsonObject) c).getInteger("rows") == 16) {
        sixteenRows = new JsonObject().put("inputs", ((JsonObject) c).getJsonArray("inputs"));
      }
    }
    server = RunningServer.start(repository, 1024 * 1024);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void aSplitRequestOfAZipMapModelAnswersAsTheWholeOneDoesInV2AndV1() {
    JsonObject whole = answer("/v2/models/whole/infer", sixteenRows.encode());
    JsonObject split = answer("/v2/models/split/infer", sixteenRows.encode());
    assertEquals(
        whole.getJsonArray("outputs"),
        split.getJsonArray("outputs"),
        "16 rows in batches of 3 joined back");

    StringBuilder v1 = new StringBuilder("{\"instances\":[");
    var data = sixteenRows.getJsonArray("inputs").getJsonObject(0).getJsonArray("data");
    for (int row = 0; row < 16; row++) {
      v1.append(row == 0 ? "" : ",").append(data.getList().subList(row * 4, row * 4 + 4));
    }
    v1.append("]}");
    assertEquals(
        answer("/v1/models/whole:predict", v1.toString()),
        answer("/v1/models/split:predict", v1.toString()));
  }

  private static JsonObject answer(String path, String body) {
    HttpResponse<String> response = server.post(path, body);
    assertEquals(200, response.statusCode(), response.body());
    JsonObject json = RunningServer.json(response);
    json.remove("model_name");
    return json;
  }
}
