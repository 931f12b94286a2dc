package dev.infergate.router.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.router.testsupport.Http;
import dev.infergate.router.testsupport.LoadLoop;
import dev.infergate.router.testsupport.ModelServerProcess;
import dev.infergate.router.testsupport.Poll;
import dev.infergate.router.testsupport.RawHttp;
import dev.infergate.router.testsupport.RouterHarness;
import dev.infergate.router.testsupport.ServiceYaml;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The router in front of three real model-server processes (two on iris/1 as stable, one on iris/2
 * as canary), as in the quick start. The replica kill runs last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ModelServerEndToEndTest {
  private static ModelServerProcess stable1;
  private static ModelServerProcess stable2;
  private static ModelServerProcess canary;
  private static RouterHarness router;
  private static String body;

  @BeforeAll
  static void start() throws Exception {
    stable1 = ModelServerProcess.launch("model-server-stable-1");
    stable2 = ModelServerProcess.launch("model-server-stable-2");
    canary = ModelServerProcess.launch("model-server-canary");
    stable1.awaitReady();
    stable2.awaitReady();
    canary.awaitReady();
    router =
        RouterHarness.start(
            ServiceYaml.config(
                new ServiceYaml("iris")
                    .track("stable", 90, "1", stable1.url(), stable2.url())
                    .track("canary", 10, "2", canary.url())
                    .fallback("stable")
                    .breaker(
                        "{ failureRatePercent: 50, slowCallMillis: 2000, window: 20, openMillis: 5000 }")
                    .health("{ path: /v2/health/ready, intervalMillis: 500 }")));
    JsonObject metadata = Http.get(router.url("/v2/models/iris")).json();
    body = Http.irisV2(metadata.getJsonArray("inputs").getJsonObject(0).getString("name"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (router != null) {
      router.close();
    }
    for (ModelServerProcess p : new ModelServerProcess[] {stable1, stable2, canary}) {
      if (p != null) {
        p.close();
      }
    }
  }

  @Test
  @Order(1)
  void pinsTheTrackModelVersionOnRealModelServers() {
    Http.Response toCanary =
        Http.post(router.url("/v2/models/iris/infer"), body, "x-infergate-track", "canary");
    assertEquals(200, toCanary.status(), toCanary.body());
    assertEquals("2", toCanary.json().getString("model_version"));
    assertEquals("canary", toCanary.header("x-infergate-track"));
    Http.Response toStable =
        Http.post(router.url("/v2/models/iris/infer"), body, "x-infergate-track", "stable");
    assertEquals("1", toStable.json().getString("model_version"));
    Http.Response v1 =
        Http.post(router.url("/v1/models/iris:predict"), "{\"instances\":[[5.1,3.5,1.4,0.2]]}");
    assertEquals(200, v1.status(), v1.body());
    assertTrue(v1.json().containsKey("predictions"), v1.body());
  }

  @Test
  @Order(2)
  void badInputGetsTheModelServers4xxWithoutRetries() {
    Http.Response r =
        Http.post(
            router.url("/v2/models/iris/infer"),
            "{\"inputs\":[{\"name\":\"input\",\"shape\":[1,3],\"datatype\":\"FP32\",\"data\":[1,2,3]}]}");
    assertTrue(r.status() >= 400 && r.status() < 500, r.status() + " " + r.body());
    assertTrue(r.json().containsKey("error"), r.body());
  }

  @Test
  @Order(3)
  void unknownModelGets404FromTheRouter() {
    Http.Response r = Http.post(router.url("/v2/models/tulip/infer"), body);
    assertEquals(404, r.status());
    assertEquals("unknown model 'tulip'", r.json().getString("error"));
  }

  /** Issue 17's exploit against real model servers: the control API stays out of reach. */
  @Test
  @Order(4)
  void pathTricksNeverReachTheModelServersControlApi() {
    String up = "/v2/models/iris/../../../../../v2/repository/models/iris/unload";
    for (String target :
        List.of(
            up,
            up.replace("..", "%2e%2e"),
            up.replace("..", "%2E%2E"),
            up.replace("..", ".%2e"),
            "/v2/models/iris/..%2f..%2f..%2fv2%2frepository%2findex",
            "/v2/models/iris/../../../metrics",
            "/v2/models/%zz/infer",
            "/v2/models/iris/versions/%zz/infer")) {
      RawHttp.Answer a = RawHttp.send(router.server().port(), "POST", target, "{}");
      assertEquals(400, a.status(), target + " -> " + a.head() + "\n" + a.body());
    }
    for (String target :
        List.of("/v2/repository/models/iris/unload", "/v2/repository/index", "/metrics")) {
      assertEquals(
          404, RawHttp.send(router.server().port(), "POST", target, "{}").status(), target);
    }
    for (ModelServerProcess p : new ModelServerProcess[] {stable1, stable2}) {
      assertEquals(
          200,
          Http.get(p.url() + "/v2/models/iris/versions/1/ready").status(),
          "iris/1 still loaded");
    }
    assertEquals(
        200,
        Http.get(canary.url() + "/v2/models/iris/versions/2/ready").status(),
        "iris/2 still loaded");
  }

  /**
   * Issue 18 on real model servers: compressed bodies both ways, V1 status, Triton config and
   * stats, pinned.
   */
  @Test
  @Order(5)
  void compressedBodiesV1StatusConfigAndStatsWorkThroughTheRouter() throws Exception {
    java.io.ByteArrayOutputStream gzipped = new java.io.ByteArrayOutputStream();
    try (java.util.zip.GZIPOutputStream out = new java.util.zip.GZIPOutputStream(gzipped)) {
      StringBuilder rows = new StringBuilder();
      for (int i = 0; i < 40; i++) {
        rows.append(i == 0 ? "" : ",").append("5.1,3.5,1.4,0.2");
      }
      out.write(
          ("{\"inputs\":[{\"name\":\"input\",\"shape\":[40,4],\"datatype\":\"FP32\",\"data\":["
                  + rows
                  + "]}]}")
              .getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
    java.net.http.HttpResponse<byte[]> r =
        Http.sendBytes(
            Http.builder(
                    router.url("/v2/models/iris/infer"),
                    "content-type",
                    "application/json",
                    "content-encoding",
                    "gzip",
                    "accept-encoding",
                    "gzip",
                    "x-infergate-track",
                    "stable")
                .POST(HttpRequest.BodyPublishers.ofByteArray(gzipped.toByteArray()))
                .build());
    assertEquals(200, r.statusCode());
    assertEquals("gzip", r.headers().firstValue("content-encoding").orElse(null));
    JsonObject answer;
    try (java.util.zip.GZIPInputStream in =
        new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(r.body()))) {
      answer =
          new JsonObject(new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8));
    }
    assertEquals("1", answer.getString("model_version"));
    assertEquals(40, answer.getJsonArray("outputs").getJsonObject(1).getJsonArray("data").size());

    Http.Response status = Http.get(router.url("/v1/models/iris"), "x-infergate-track", "canary");
    assertEquals(200, status.status(), status.body());
    assertEquals("2", status.json().getString("version"), "the canary's pin: " + status.body());
    Http.Response config =
        Http.get(router.url("/v2/models/iris/config"), "x-infergate-track", "stable");
    assertEquals(200, config.status(), config.body());
    assertEquals("onnxruntime_onnx", config.json().getString("platform"));
    Http.Response stats =
        Http.get(router.url("/v2/models/iris/stats"), "x-infergate-track", "canary");
    assertEquals(200, stats.status(), stats.body());
    assertEquals(
        "2", stats.json().getJsonArray("model_stats").getJsonObject(0).getString("version"));
    assertEquals(200, Http.get(router.url("/v2")).status());
  }

  @Test
  @Order(6)
  void aTritonclientStyleBinaryRequestWorksThroughTheRouter() throws Exception {
    // As tritonclient's set_data_from_numpy sends it: a JSON header, then the raw little-endian
    // floats.
    float[] rows = {5.1f, 3.5f, 1.4f, 0.2f, 6.7f, 3.0f, 5.2f, 2.3f};
    byte[] header =
        ("{\"inputs\":[{\"name\":\"input\",\"shape\":[2,4],\"datatype\":\"FP32\","
                + "\"parameters\":{\"binary_data_size\":32}}],"
                + "\"outputs\":[{\"name\":\"label\",\"parameters\":{\"binary_data\":true}}]}")
            .getBytes(java.nio.charset.StandardCharsets.UTF_8);
    java.nio.ByteBuffer body =
        java.nio.ByteBuffer.allocate(header.length + rows.length * 4)
            .order(java.nio.ByteOrder.LITTLE_ENDIAN);
    body.put(header);
    for (float f : rows) {
      body.putFloat(f);
    }
    java.net.http.HttpResponse<byte[]> r =
        Http.sendBytes(
            Http.builder(
                    router.url("/v2/models/iris/infer"),
                    "content-type",
                    "application/octet-stream",
                    "inference-header-content-length",
                    Integer.toString(header.length),
                    "x-infergate-track",
                    "stable")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.array()))
                .build());
    assertEquals(
        200, r.statusCode(), new String(r.body(), java.nio.charset.StandardCharsets.ISO_8859_1));
    int jsonLength =
        Integer.parseInt(r.headers().firstValue("inference-header-content-length").orElseThrow());
    JsonObject answer =
        new JsonObject(
            new String(r.body(), 0, jsonLength, java.nio.charset.StandardCharsets.UTF_8));
    JsonObject label = answer.getJsonArray("outputs").getJsonObject(0);
    assertEquals("label", label.getString("name"));
    // BYTES elements in binary: a 4-byte little-endian length, then the bytes.
    java.nio.ByteBuffer data =
        java.nio.ByteBuffer.wrap(r.body(), jsonLength, r.body().length - jsonLength)
            .order(java.nio.ByteOrder.LITTLE_ENDIAN);
    byte[] first = new byte[data.getInt()];
    data.get(first);
    assertEquals("setosa", new String(first, java.nio.charset.StandardCharsets.UTF_8));
  }

  @Test
  @Order(10)
  void replicaKilledUnderConcurrentLoadCostsNoClientRequest() throws Exception {
    try (LoadLoop load =
        LoadLoop.start(
            16,
            200_000,
            Duration.ofSeconds(60),
            i ->
                Http.builder(
                        router.url("/v2/models/iris/infer"),
                        "x-infergate-consumer",
                        "c" + (i % 500))
                    .POST(HttpRequest.BodyPublishers.ofString(body))
                    .build())) {
      load.awaitMore(300, Duration.ofSeconds(30));
      stable2.kill();
      load.awaitMore(1000, Duration.ofSeconds(40));
      load.stop();
      assertEquals(0, load.failed(), "failed client requests after SIGKILL: " + load.failures());
      assertTrue(load.byTrack("stable") > 0 && load.byTrack("canary") > 0);
    }
    Poll.until(
        Duration.ofSeconds(10),
        () ->
            router.admin("/admin/upstreams").getJsonArray("endpoints").stream()
                .map(JsonObject.class::cast)
                .anyMatch(
                    e -> e.getString("url").equals(stable2.url()) && !e.getBoolean("healthy")),
        "killed replica shown unhealthy");
  }
}
