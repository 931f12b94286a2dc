package dev.infergate.modelserver.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnx.proto.OnnxMl.TensorProto.DataType;
import dev.infergate.modelserver.testsupport.BinaryInference;
import dev.infergate.modelserver.testsupport.OnnxGraphs;
import dev.infergate.modelserver.testsupport.RunningServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every tensor element type a user's model may take or give (FP32 to BOOL and BYTES), through
 * Identity graphs: values sent in V2 JSON and binary come back unchanged; a graph with several
 * inputs and outputs answers each; a model that has an output named {@code label} keeps output
 * names unique with config labels.
 */
class TypedTensorsTest {
  @TempDir static Path repository;
  private static RunningServer server;

  /** V2 datatype, ONNX type, and four values of it as JSON. */
  private static final List<Object[]> TYPES =
      List.of(
          new Object[] {"FP32", DataType.FLOAT, new JsonArray("[0.5, -2.25, 3.0E7, 1.0E-3]")},
          new Object[] {
            "FP64", DataType.DOUBLE, new JsonArray("[0.1, -2.5, 1.0E300, 3.141592653589793]")
          },
          new Object[] {"FP16", DataType.FLOAT16, new JsonArray("[0.5, -2.0, 1024.0, 1.25]")},
          new Object[] {"INT8", DataType.INT8, new JsonArray("[-128, 127, 0, -1]")},
          new Object[] {"INT16", DataType.INT16, new JsonArray("[-32768, 32767, 5, -5]")},
          new Object[] {"INT32", DataType.INT32, new JsonArray("[-2147483648, 2147483647, 0, 7]")},
          new Object[] {
            "INT64",
            DataType.INT64,
            new JsonArray("[-4000000000, 9007199254740993, 0, 9223372036854775807]")
          },
          new Object[] {"UINT8", DataType.UINT8, new JsonArray("[0, 255, 128, 7]")},
          new Object[] {"BOOL", DataType.BOOL, new JsonArray("[true, false, false, true]")},
          new Object[] {
            "BYTES",
            DataType.STRING,
            new JsonArray("[\"setosa\", \"h\u00e9llo \u2713\", \"\", \"z\"]")
          });

  @BeforeAll
  static void start() throws IOException {
    for (Object[] type : TYPES) {
      OnnxGraphs.graph()
          .input("x", (DataType) type[1], 2)
          .output("y", (DataType) type[1], 2)
          .identity("x", "y")
          .writeTo(repository, "identity_" + type[0].toString().toLowerCase());
    }
    OnnxGraphs.graph()
        .input("a", DataType.FLOAT, 2)
        .input("b", DataType.INT64, 1)
        .input("c", DataType.STRING, 1)
        .output("a_twice", DataType.DOUBLE, 2)
        .output("b_out", DataType.INT64, 1)
        .output("c_out", DataType.STRING, 1)
        .output("b_flag", DataType.BOOL, 1)
        .cast("a", "a_twice", DataType.DOUBLE)
        .identity("b", "b_out")
        .identity("c", "c_out")
        .cast("b", "b_flag", DataType.BOOL)
        .writeTo(repository, "multi_io");
    OnnxGraphs.graph()
        .input("x", DataType.FLOAT, 3)
        .output("label", DataType.FLOAT, 3)
        .identity("x", "label")
        .writeTo(repository, "own_label");
    Files.writeString(repository.resolve("own_label/config.yaml"), "labels: [a, b, c]\n");
    OnnxGraphs.graph()
        .input("x", DataType.STRING, 1)
        .output("y", DataType.STRING, 1)
        .identity("x", "y")
        .writeTo(repository, "one_string");
    OnnxGraphs.graph()
        .input("scores", DataType.FLOAT, 3)
        .vectorInput("name", DataType.STRING)
        .vectorOutput("output_label", DataType.STRING)
        .zipMap("scores", "output_probability", "versicolor", "setosa", "virginica")
        .identity("name", "output_label")
        .writeTo(repository, "string_zipmap");
    server = RunningServer.start(repository);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  private static JsonObject request(String name, String datatype, JsonArray values) {
    return new JsonObject()
        .put(
            "inputs",
            new JsonArray()
                .add(
                    new JsonObject()
                        .put("name", name)
                        .put("shape", new JsonArray().add(values.size() / 2).add(2))
                        .put("datatype", datatype)
                        .put("data", values)));
  }

  @Test
  void roundTripsEveryElementTypeOverV2JsonAndBinary() {
    for (Object[] type : TYPES) {
      String datatype = (String) type[0];
      JsonArray values = (JsonArray) type[2];
      String model = "identity_" + datatype.toLowerCase();
      JsonObject meta = RunningServer.json(server.get("/v2/models/" + model));
      assertEquals(
          datatype,
          meta.getJsonArray("inputs").getJsonObject(0).getString("datatype"),
          meta.encode());
      assertEquals(
          datatype,
          meta.getJsonArray("outputs").getJsonObject(0).getString("datatype"),
          meta.encode());

      HttpResponse<String> response =
          server.post("/v2/models/" + model + "/infer", request("x", datatype, values).encode());
      assertEquals(200, response.statusCode(), datatype + ": " + response.body());
      JsonObject output = RunningServer.json(response).getJsonArray("outputs").getJsonObject(0);
      assertEquals(datatype, output.getString("datatype"));
      assertEquals(new JsonArray().add(2).add(2), output.getJsonArray("shape"));
      assertSame(datatype, values, output.getJsonArray("data").getList());

      BinaryInference.Answer binary =
          BinaryInference.post(
              server.uri("/v2/models/" + model + "/infer"),
              request("x", datatype, values)
                  .put(
                      "outputs",
                      new JsonArray()
                          .add(
                              new JsonObject()
                                  .put("name", "y")
                                  .put("parameters", new JsonObject().put("binary_data", true)))));
      assertEquals(200, binary.status(), datatype + ": " + binary.error());
      assertSame(datatype, values, binary.binary().get("y"));
    }
  }

  private static void assertSame(String datatype, JsonArray want, List<?> got) {
    assertEquals(want.size(), got.size(), datatype);
    for (int i = 0; i < want.size(); i++) {
      Object expected = want.getValue(i);
      if (expected instanceof Number number) {
        assertTrue(
            got.get(i) instanceof Number, datatype + " element " + i + " is a number: " + got);
        if (datatype.startsWith("FP")) {
          assertEquals(
              number.doubleValue(),
              ((Number) got.get(i)).doubleValue(),
              Math.abs(number.doubleValue()) * 1e-7,
              datatype + " element " + i);
        } else {
          assertTrue(
              !(got.get(i) instanceof Double || got.get(i) instanceof Float),
              datatype + " prints integers: " + got);
          assertEquals(
              number.longValue(), ((Number) got.get(i)).longValue(), datatype + " element " + i);
        }
      } else {
        assertEquals(expected, got.get(i), datatype + " element " + i);
      }
    }
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "UINT8|[256, 0]", "UINT8|[-1, 0]", "INT8|[-129, 0]", "INT16|[40000, 0]", "BOOL|[2, 0]",
        "INT32|[0.5, 0]", "FP16|[70000.0, 0]", "BYTES|[1, 2]", "FP32|[\"a\", 1]", "FP32|[true, 1]",
        "INT8|[1, 2, 3]"
      })
  void refusesValuesTheModelTypeCannotHold(String datatype, String data) {
    String model = "identity_" + datatype.toLowerCase();
    JsonObject body =
        new JsonObject()
            .put(
                "inputs",
                new JsonArray()
                    .add(
                        new JsonObject()
                            .put("name", "x")
                            .put("shape", new JsonArray().add(1).add(2))
                            .put("datatype", datatype)
                            .put("data", new JsonArray(data))));
    HttpResponse<String> response = server.post("/v2/models/" + model + "/infer", body.encode());
    assertEquals(400, response.statusCode(), response.body());
    assertTrue(
        RunningServer.json(response).getString("error").contains("input 'x'"), response.body());
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "f0ffffff | declares",
        "0200000061 | declares",
        "01000000616100 | follow",
        "010000 | 4-byte length",
        "02000000c328 | UTF-8"
      })
  void refusesBytesElementsWhoseLengthPrefixesLie(String hex, String message) {
    byte[] tail = java.util.HexFormat.of().parseHex(hex);
    String json =
        "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,1],\"datatype\":\"BYTES\","
            + "\"parameters\":{\"binary_data_size\":"
            + tail.length
            + "}}]}";
    byte[] header = json.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    byte[] body = java.util.Arrays.copyOf(header, header.length + tail.length);
    System.arraycopy(tail, 0, body, header.length, tail.length);
    BinaryInference.Answer answer =
        BinaryInference.send(server.uri("/v2/models/one_string/infer"), body, header.length);
    assertEquals(400, answer.status(), hex);
    assertTrue(answer.error().contains(message), answer.error() + " should say " + message);
  }

  @Test
  void servesModelWithSeveralInputsAndOutputsOfMixedTypes() {
    JsonObject body =
        new JsonObject()
            .put(
                "inputs",
                new JsonArray()
                    .add(
                        new JsonObject()
                            .put("name", "a")
                            .put("shape", new JsonArray("[2,2]"))
                            .put("datatype", "FP32")
                            .put("data", new JsonArray("[1.5, 2, 3, 4]")))
                    .add(
                        new JsonObject()
                            .put("name", "b")
                            .put("shape", new JsonArray("[2,1]"))
                            .put("datatype", "INT64")
                            .put("data", new JsonArray("[0, 12]")))
                    .add(
                        new JsonObject()
                            .put("name", "c")
                            .put("shape", new JsonArray("[2,1]"))
                            .put("datatype", "BYTES")
                            .put("data", new JsonArray("[\"red\", \"blue\"]"))));
    HttpResponse<String> response = server.post("/v2/models/multi_io/infer", body.encode());
    assertEquals(200, response.statusCode(), response.body());
    JsonArray outputs = RunningServer.json(response).getJsonArray("outputs");
    assertEquals(4, outputs.size());
    assertEquals("FP64", outputs.getJsonObject(0).getString("datatype"));
    assertEquals(
        new JsonArray("[1.5, 2.0, 3.0, 4.0]"), outputs.getJsonObject(0).getJsonArray("data"));
    assertEquals(new JsonArray("[0, 12]"), outputs.getJsonObject(1).getJsonArray("data"));
    assertEquals(
        new JsonArray("[\"red\", \"blue\"]"), outputs.getJsonObject(2).getJsonArray("data"));
    assertEquals(new JsonArray("[false, true]"), outputs.getJsonObject(3).getJsonArray("data"));

    HttpResponse<String> v1 =
        server.post(
            "/v1/models/multi_io:predict",
            "{\"instances\": [{\"a\": [1.5, 2], \"b\": 0, \"c\": \"red\"}, {\"a\": [3, 4], \"b\": 12, \"c\": \"blue\"}]}");
    assertEquals(200, v1.statusCode(), v1.body());
    JsonObject second = RunningServer.json(v1).getJsonArray("predictions").getJsonObject(1);
    assertEquals(new JsonArray("[3.0, 4.0]"), second.getJsonArray("a_twice"));
    assertEquals(new JsonArray("[12]"), second.getJsonArray("b_out"));
    assertEquals(new JsonArray("[\"blue\"]"), second.getJsonArray("c_out"));
  }

  @Test
  void servesStringKeyedZipMapWithStringLabelsInV1AndClassesInV2() {
    JsonObject meta = RunningServer.json(server.get("/v2/models/string_zipmap"));
    JsonObject probabilities = meta.getJsonArray("outputs").getJsonObject(1);
    assertEquals("output_probability", probabilities.getString("name"));
    assertEquals(
        new JsonArray("[\"setosa\", \"versicolor\", \"virginica\"]"),
        probabilities.getJsonObject("parameters").getJsonArray("classes"),
        "string keys in ascending order");
    assertEquals(new JsonArray("[-1, 3]"), probabilities.getJsonArray("shape"));

    HttpResponse<String> v1 =
        server.post(
            "/v1/models/string_zipmap:predict",
            "{\"instances\": [{\"scores\": [0.1, 0.7, 0.2], \"name\": \"setosa\"}]}");
    assertEquals(200, v1.statusCode(), v1.body());
    JsonObject prediction = RunningServer.json(v1).getJsonArray("predictions").getJsonObject(0);
    assertEquals("setosa", prediction.getString("label"));
    JsonObject p = prediction.getJsonObject("probabilities");
    assertEquals(0.1, p.getDouble("versicolor"), 1e-6);
    assertEquals(0.7, p.getDouble("setosa"), 1e-6);
    assertEquals(0.2, p.getDouble("virginica"), 1e-6);

    HttpResponse<String> v2 =
        server.post(
            "/v2/models/string_zipmap/infer",
            "{\"inputs\":["
                + "{\"name\":\"scores\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[0.1,0.7,0.2]},"
                + "{\"name\":\"name\",\"shape\":[1],\"datatype\":\"BYTES\",\"data\":[\"setosa\"]}]}");
    assertEquals(200, v2.statusCode(), v2.body());
    JsonObject output = RunningServer.json(v2).getJsonArray("outputs").getJsonObject(1);
    assertEquals(
        new JsonArray("[\"setosa\", \"versicolor\", \"virginica\"]"),
        output.getJsonObject("parameters").getJsonArray("classes"));
    JsonArray data = output.getJsonArray("data");
    assertEquals(0.7, data.getDouble(0), 1e-6);
    assertEquals(0.1, data.getDouble(1), 1e-6);
    assertEquals(0.2, data.getDouble(2), 1e-6);
  }

  @Test
  void keepsOutputNamesUniqueWhenTheModelHasItsOwnLabelOutput() {
    JsonObject meta = RunningServer.json(server.get("/v2/models/own_label"));
    List<String> names =
        meta.getJsonArray("outputs").stream().map(o -> ((JsonObject) o).getString("name")).toList();
    assertEquals(Set.copyOf(names).size(), names.size(), "output names repeat: " + names);
    assertEquals(List.of("label", "label_label"), names);
    HttpResponse<String> response =
        server.post(
            "/v2/models/own_label/infer",
            "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[0.1,0.7,0.2]}],"
                + "\"outputs\":[{\"name\":\"label_label\"}]}");
    assertEquals(200, response.statusCode(), response.body());
    JsonArray outputs = RunningServer.json(response).getJsonArray("outputs");
    assertEquals(1, outputs.size(), outputs.encode());
    assertEquals(new JsonArray().add("b"), outputs.getJsonObject(0).getJsonArray("data"));
    assertEquals(
        Set.of("label", "label_label"),
        RunningServer.json(
                server.post(
                    "/v2/models/own_label/infer",
                    "{\"inputs\":[{\"name\":\"x\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[0.1,0.7,0.2]}]}"))
            .getJsonArray("outputs")
            .stream()
            .map(o -> ((JsonObject) o).getString("name"))
            .collect(Collectors.toSet()));
  }
}
