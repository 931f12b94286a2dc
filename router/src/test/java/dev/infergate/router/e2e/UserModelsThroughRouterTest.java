package dev.infergate.router.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.router.testsupport.Http;
import dev.infergate.router.testsupport.LaunchedProcess;
import dev.infergate.router.testsupport.ModelServerProcess;
import dev.infergate.router.testsupport.RouterHarness;
import dev.infergate.router.testsupport.ServiceYaml;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The models users bring (scikit-learn + skl2onnx defaults: ZipMap outputs, string and INT64
 * inputs, a DataFrame with one input per column; model-server/src/test/resources/byom) served by a
 * real model server behind the router: for every model and case, V2 JSON, V2 binary and V1 answers
 * through the router are byte for byte the model server's own (which the model server's tests check
 * against ONNX Runtime's outputs in each cases.json).
 */
class UserModelsThroughRouterTest {
  private static final String REPOSITORY = "model-server/src/test/resources/byom";
  private static final List<String> MODELS =
      List.of(
          "rf200_zipmap",
          "scaler_lr_zipmap",
          "string_onehot",
          "frame_mixed_zipmap",
          "int64_regressor");
  private static ModelServerProcess server;
  private static RouterHarness router;

  @BeforeAll
  static void start() throws Exception {
    server = ModelServerProcess.launch("model-server-byom", REPOSITORY).awaitReady();
    List<ServiceYaml> services = new ArrayList<>();
    for (String model : MODELS) {
      services.add(new ServiceYaml(model).track("stable", 100, "1", server.url()));
    }
    router = RouterHarness.start(ServiceYaml.config(services.toArray(new ServiceYaml[0])));
  }

  @AfterAll
  static void stop() throws Exception {
    if (router != null) {
      router.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void everyUserModelAnswersThroughTheRouterAsItDoesDirectlyInV2JsonBinaryAndV1() throws Exception {
    int compared = 0;
    for (String model : MODELS) {
      JsonObject cases =
          new JsonObject(
              Files.readString(
                  LaunchedProcess.repoPath(REPOSITORY).resolve(model).resolve("cases.json")));
      for (Object c : cases.getJsonArray("cases")) {
        JsonArray inputs = ((JsonObject) c).getJsonArray("inputs");
        String v2 = new JsonObject().put("inputs", inputs).encode();
        assertSame(
            model,
            "V2 JSON",
            "/v2/models/" + model + "/infer",
            "application/json",
            null,
            v2.getBytes(StandardCharsets.UTF_8));
        byte[][] binary = binaryRequest(inputs);
        assertSame(
            model,
            "V2 binary",
            "/v2/models/" + model + "/infer",
            "application/octet-stream",
            Integer.toString(binary[0].length),
            binary[1]);
        assertSame(
            model,
            "V1",
            "/v1/models/" + model + ":predict",
            "application/json",
            null,
            v1Request(inputs).getBytes(StandardCharsets.UTF_8));
        compared += 3;
      }
    }
    assertTrue(compared >= MODELS.size() * 3, "compared " + compared);
  }

  private static void assertSame(
      String model, String form, String path, String type, String headerLength, byte[] body) {
    HttpResponse<byte[]> direct =
        post(
            server.url()
                + path.replace("/infer", "/versions/1/infer")
                    .replace(":predict", "/versions/1:predict"),
            type,
            headerLength,
            body);
    HttpResponse<byte[]> routed = post(router.url(path), type, headerLength, body);
    String what =
        model + " " + form + ": " + new String(routed.body(), StandardCharsets.ISO_8859_1);
    assertEquals(
        200,
        direct.statusCode(),
        model + " " + form + " direct: " + new String(direct.body(), StandardCharsets.ISO_8859_1));
    assertEquals(200, routed.statusCode(), what);
    assertArrayEquals(direct.body(), routed.body(), what);
    assertEquals(
        direct.headers().firstValue("inference-header-content-length"),
        routed.headers().firstValue("inference-header-content-length"),
        what);
    assertEquals("stable", routed.headers().firstValue("x-infergate-track").orElse(null), what);
  }

  private static HttpResponse<byte[]> post(
      String url, String type, String headerLength, byte[] body) {
    HttpRequest.Builder b = Http.builder(url, "content-type", type);
    if (headerLength != null) {
      b.header("inference-header-content-length", headerLength);
    }
    return Http.sendBytes(b.POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
  }

  /**
   * The JSON header (with binary_data_size per input) and the whole body, as tritonclient builds
   * them.
   */
  private static byte[][] binaryRequest(JsonArray inputs) {
    JsonArray described = new JsonArray();
    List<byte[]> data = new ArrayList<>();
    for (Object o : inputs) {
      JsonObject input = (JsonObject) o;
      byte[] bytes = tensorBytes(input.getString("datatype"), input.getJsonArray("data"));
      data.add(bytes);
      described.add(
          new JsonObject()
              .put("name", input.getString("name"))
              .put("shape", input.getJsonArray("shape"))
              .put("datatype", input.getString("datatype"))
              .put("parameters", new JsonObject().put("binary_data_size", bytes.length)));
    }
    byte[] header =
        new JsonObject()
            .put("inputs", described)
            .put("parameters", new JsonObject().put("binary_data_output", true))
            .encode()
            .getBytes(StandardCharsets.UTF_8);
    ByteBuffer body =
        ByteBuffer.allocate(header.length + data.stream().mapToInt(d -> d.length).sum());
    body.put(header);
    data.forEach(body::put);
    return new byte[][] {header, body.array()};
  }

  private static byte[] tensorBytes(String datatype, JsonArray values) {
    switch (datatype) {
      case "FP32" -> {
        ByteBuffer b = ByteBuffer.allocate(values.size() * 4).order(ByteOrder.LITTLE_ENDIAN);
        values.forEach(v -> b.putFloat(((Number) v).floatValue()));
        return b.array();
      }
      case "INT64" -> {
        ByteBuffer b = ByteBuffer.allocate(values.size() * 8).order(ByteOrder.LITTLE_ENDIAN);
        values.forEach(v -> b.putLong(((Number) v).longValue()));
        return b.array();
      }
      case "BYTES" -> {
        List<byte[]> strings = new ArrayList<>();
        values.forEach(v -> strings.add(((String) v).getBytes(StandardCharsets.UTF_8)));
        ByteBuffer b =
            ByteBuffer.allocate(strings.stream().mapToInt(s -> 4 + s.length).sum())
                .order(ByteOrder.LITTLE_ENDIAN);
        strings.forEach(s -> b.putInt(s.length).put(s));
        return b.array();
      }
      default -> throw new AssertionError("no test encoding for " + datatype);
    }
  }

  /** V1 instances: rows of the single input, or objects keyed by input name (a DataFrame model). */
  private static String v1Request(JsonArray inputs) {
    int rows = inputs.getJsonObject(0).getJsonArray("shape").getInteger(0);
    JsonArray instances = new JsonArray();
    for (int r = 0; r < rows; r++) {
      if (inputs.size() == 1) {
        JsonObject input = inputs.getJsonObject(0);
        int width = input.getJsonArray("data").size() / rows;
        instances.add(
            new JsonArray(
                input.getJsonArray("data").getList().subList(r * width, (r + 1) * width)));
      } else {
        JsonObject row = new JsonObject();
        for (Object o : inputs) {
          JsonObject input = (JsonObject) o;
          row.put(input.getString("name"), input.getJsonArray("data").getValue(r));
        }
        instances.add(row);
      }
    }
    return new JsonObject().put("instances", instances).encode();
  }
}
