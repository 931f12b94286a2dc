package dev.infergate.modelserver.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.modelserver.testsupport.BinaryInference;
import dev.infergate.modelserver.testsupport.RunningServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every model of {@code src/test/resources/byom} (scikit-learn + skl2onnx exports with default
 * options, see its README) served over V2 JSON, V2 binary and V1, each output compared with what
 * Python ONNX Runtime computed ({@code cases.json}): ZipMap outputs as FP32 {@code [n, classes]}
 * with {@code parameters.classes} in V2 and as probability maps in V1.
 */
class ByomModelsTest {
  private static final double TOLERANCE = 1e-5;
  private static Path repository;
  private static RunningServer server;

  @BeforeAll
  static void start() throws URISyntaxException {
    repository = Path.of(ByomModelsTest.class.getResource("/byom").toURI());
    server = RunningServer.start(repository, 1024 * 1024);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  static Stream<String> models() throws IOException, URISyntaxException {
    Path dir = Path.of(ByomModelsTest.class.getResource("/byom").toURI());
    try (Stream<Path> children = Files.list(dir)) {
      return children
          .filter(Files::isDirectory)
          .map(p -> p.getFileName().toString())
          .sorted()
          .toList()
          .stream();
    }
  }

  private static JsonObject cases(String model) throws IOException {
    return new JsonObject(Files.readString(repository.resolve(model).resolve("cases.json")));
  }

  private static List<JsonObject> caseList(String model) throws IOException {
    List<JsonObject> list = new ArrayList<>();
    cases(model).getJsonArray("cases").forEach(c -> list.add((JsonObject) c));
    return list;
  }

  @ParameterizedTest
  @MethodSource("models")
  void servesByomModelOverV2JsonMatchingOnnxRuntime(String model) throws IOException {
    for (JsonObject testCase : caseList(model)) {
      JsonObject request = new JsonObject().put("inputs", testCase.getJsonArray("inputs"));
      HttpResponse<String> response =
          server.post("/v2/models/" + model + "/infer", request.encode());
      assertEquals(200, response.statusCode(), response.body());
      JsonObject answer = RunningServer.json(response);
      JsonObject expected = testCase.getJsonObject("outputs");
      assertEquals(expected.size(), answer.getJsonArray("outputs").size(), answer.encode());
      for (Object entry : answer.getJsonArray("outputs")) {
        JsonObject output = (JsonObject) entry;
        checkV2Output(
            model,
            expected.getJsonObject(output.getString("name")),
            output,
            output.getJsonArray("data").getList());
      }
    }
  }

  @ParameterizedTest
  @MethodSource("models")
  void servesByomModelOverV2BinaryMatchingOnnxRuntime(String model) throws IOException {
    for (JsonObject testCase : caseList(model)) {
      JsonObject request =
          new JsonObject()
              .put("inputs", testCase.getJsonArray("inputs").copy())
              .put("parameters", new JsonObject().put("binary_data_output", true));
      BinaryInference.Answer answer =
          BinaryInference.post(server.uri("/v2/models/" + model + "/infer"), request);
      assertEquals(200, answer.status(), answer.error());
      assertEquals("application/octet-stream", answer.contentType());
      JsonObject expected = testCase.getJsonObject("outputs");
      for (Object entry : answer.header().getJsonArray("outputs")) {
        JsonObject output = (JsonObject) entry;
        String name = output.getString("name");
        assertTrue(!output.containsKey("data"), "binary output " + name + " has no JSON data");
        checkV2Output(model, expected.getJsonObject(name), output, answer.binary().get(name));
      }
      assertEquals(expected.size(), answer.binary().size());
    }
  }

  @ParameterizedTest
  @MethodSource("models")
  void publishesZipMapClassesInModelMetadata(String model) throws IOException {
    JsonObject meta = RunningServer.json(server.get("/v2/models/" + model));
    JsonObject cases = cases(model);
    assertEquals(cases.getJsonArray("inputs").size(), meta.getJsonArray("inputs").size());
    JsonObject firstOutputs = caseList(model).get(0).getJsonObject("outputs");
    for (Object entry : meta.getJsonArray("outputs")) {
      JsonObject output = (JsonObject) entry;
      JsonObject expected = firstOutputs.getJsonObject(output.getString("name"));
      assertNotNull(expected, "output " + output.getString("name") + " of " + model);
      if (expected.containsKey("zipmap")) {
        JsonArray classes = output.getJsonObject("parameters").getJsonArray("classes");
        assertEquals(new JsonArray().add(-1).add(classes.size()), output.getJsonArray("shape"));
        assertEquals("FP32", output.getString("datatype"));
        Map<String, Object> firstRow = expected.getJsonArray("zipmap").getJsonObject(0).getMap();
        assertEquals(
            firstRow.keySet(),
            classKeys(classes).stream().collect(java.util.stream.Collectors.toSet()));
      }
    }
  }

  @ParameterizedTest
  @MethodSource("models")
  void servesByomModelOverV1MatchingOnnxRuntime(String model) throws IOException {
    JsonObject cases = cases(model);
    int inputCount = cases.getJsonArray("inputs").size();
    for (JsonObject testCase : caseList(model)) {
      int rows = testCase.getInteger("rows");
      JsonArray instances = new JsonArray();
      for (int row = 0; row < rows; row++) {
        if (inputCount == 1) {
          instances.add(rowOf(testCase.getJsonArray("inputs").getJsonObject(0), row, rows));
        } else {
          JsonObject instance = new JsonObject();
          for (Object entry : testCase.getJsonArray("inputs")) {
            JsonObject input = (JsonObject) entry;
            JsonArray values = rowOf(input, row, rows);
            instance.put(input.getString("name"), values.size() == 1 ? values.getValue(0) : values);
          }
          instances.add(instance);
        }
      }
      HttpResponse<String> response =
          server.post(
              "/v1/models/" + model + ":predict",
              new JsonObject().put("instances", instances).encode());
      assertEquals(200, response.statusCode(), response.body());
      JsonArray predictions = RunningServer.json(response).getJsonArray("predictions");
      assertEquals(rows, predictions.size());
      JsonObject expected = testCase.getJsonObject("outputs");
      JsonObject zipMap = null;
      JsonObject label = null;
      for (String name : expected.fieldNames()) {
        if (expected.getJsonObject(name).containsKey("zipmap")) {
          zipMap = expected.getJsonObject(name);
        } else {
          label = expected.getJsonObject(name);
        }
      }
      for (int row = 0; row < rows; row++) {
        if (zipMap != null) {
          JsonObject prediction = predictions.getJsonObject(row);
          Object sentLabel = prediction.getValue("label");
          Object wantLabel = label.getJsonArray("data").getValue(row);
          assertEquals(
              wantLabel.getClass() == String.class ? wantLabel : ((Number) wantLabel).longValue(),
              sentLabel instanceof Number n ? (Object) n.longValue() : sentLabel,
              model + " row " + row);
          if (wantLabel instanceof Number) {
            assertInstanceOf(
                Integer.class, sentLabel, "an INT64 label is printed as an integer: " + prediction);
          }
          JsonObject probabilities = prediction.getJsonObject("probabilities");
          JsonObject want = zipMap.getJsonArray("zipmap").getJsonObject(row);
          assertEquals(want.fieldNames(), probabilities.fieldNames());
          for (String key : want.fieldNames()) {
            assertEquals(
                want.getDouble(key),
                probabilities.getDouble(key),
                TOLERANCE,
                model + " row " + row + " class " + key);
          }
        } else {
          JsonArray data = label.getJsonArray("data");
          int perRow = data.size() / rows;
          Object prediction = predictions.getValue(row);
          List<?> got =
              prediction instanceof JsonArray array ? array.getList() : List.of(prediction);
          assertEquals(perRow, got.size());
          for (int i = 0; i < perRow; i++) {
            assertEquals(
                data.getDouble(row * perRow + i), ((Number) got.get(i)).doubleValue(), TOLERANCE);
          }
        }
      }
    }
  }

  private static JsonArray rowOf(JsonObject input, int row, int rows) {
    JsonArray flat = BinaryInference.flatten(input.getJsonArray("data"));
    int perRow = flat.size() / rows;
    JsonArray values = new JsonArray();
    for (int i = 0; i < perRow; i++) {
      values.add(flat.getValue(row * perRow + i));
    }
    return values;
  }

  private static List<String> classKeys(JsonArray classes) {
    List<String> keys = new ArrayList<>();
    classes.forEach(key -> keys.add(key.toString()));
    return keys;
  }

  /** One V2 output (JSON or decoded binary {@code data}) against its cases.json entry. */
  private static void checkV2Output(
      String model, JsonObject expected, JsonObject output, List<?> data) {
    String where = model + " output " + output.getString("name");
    assertNotNull(expected, where);
    if (expected.containsKey("zipmap")) {
      JsonArray rows = expected.getJsonArray("zipmap");
      List<String> keys = classKeys(output.getJsonObject("parameters").getJsonArray("classes"));
      assertEquals("FP32", output.getString("datatype"), where);
      assertEquals(
          new JsonArray().add(rows.size()).add(keys.size()), output.getJsonArray("shape"), where);
      assertEquals(rows.size() * keys.size(), data.size(), where);
      for (int row = 0; row < rows.size(); row++) {
        JsonObject want = rows.getJsonObject(row);
        assertEquals(want.size(), keys.size(), where);
        for (int column = 0; column < keys.size(); column++) {
          assertEquals(
              want.getDouble(keys.get(column)),
              ((Number) data.get(row * keys.size() + column)).doubleValue(),
              TOLERANCE,
              where + " row " + row + " class " + keys.get(column));
        }
      }
      return;
    }
    assertEquals(expected.getJsonArray("shape"), output.getJsonArray("shape"), where);
    JsonArray want = expected.getJsonArray("data");
    assertEquals(want.size(), data.size(), where);
    String dtype = expected.getString("dtype");
    for (int i = 0; i < want.size(); i++) {
      if (dtype.startsWith("float")) {
        assertEquals(
            want.getDouble(i),
            ((Number) data.get(i)).doubleValue(),
            TOLERANCE,
            where + "[" + i + "]");
      } else if (dtype.startsWith("int")) {
        assertEquals("INT64", output.getString("datatype"), where);
        assertEquals(want.getLong(i), ((Number) data.get(i)).longValue(), where + "[" + i + "]");
        assertTrue(
            !(data.get(i) instanceof Double) && !(data.get(i) instanceof Float),
            where + " prints integers");
      } else {
        assertEquals(want.getValue(i), data.get(i), where + "[" + i + "]");
      }
    }
  }
}
