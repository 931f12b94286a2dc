package dev.infergate.router.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.router.testsupport.FakeModelServer;
import dev.infergate.router.testsupport.Http;
import dev.infergate.router.testsupport.LoadLoop;
import dev.infergate.router.testsupport.ModelServerProcess;
import dev.infergate.router.testsupport.Poll;
import dev.infergate.router.testsupport.RouterHarness;
import dev.infergate.router.testsupport.ServiceYaml;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Automated rollouts end to end: a real router in front of real model servers (stable on iris/1,
 * canary on iris/2), 1 s steps. A healthy canary is promoted through every step; a canary that
 * answers 500 (a fake server, ready on health) is rolled back within one window with no failed
 * client request; a canary whose shadow copies answer too slowly never gets weight; a router
 * restarted mid-rollout goes on at the same step with the same weights.
 *
 * <p>{@code maxP99Ratio} is generous here: two processes' latencies on a shared CI machine are
 * noise, and the ratio rule has its own fake-clock tests (RolloutMachineTest).
 */
class RolloutEndToEndTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static ModelServerProcess stable;
  private static ModelServerProcess canary;
  private static Vertx vertx;
  private static FakeModelServer failing;
  private static FakeModelServer slow;
  private static String body;

  @BeforeAll
  static void start() throws Exception {
    stable = ModelServerProcess.launch("model-server-rollout-stable");
    canary = ModelServerProcess.launch("model-server-rollout-canary");
    vertx = Vertx.vertx();
    failing = FakeModelServer.start(vertx, "failing-canary").mode(FakeModelServer.Mode.FAIL_500);
    slow = FakeModelServer.start(vertx, "slow-canary").mode(FakeModelServer.Mode.SLOW);
    stable.awaitReady();
    canary.awaitReady();
    JsonObject metadata = Http.get(stable.url() + "/v2/models/iris").json();
    body = Http.irisV2(metadata.getJsonArray("inputs").getJsonObject(0).getString("name"));
    // Warm both servers' serving paths (JIT, ONNX Runtime) before any test compares their p99s: a
    // cold candidate's first requests against a warm baseline are a cold start, not a bad model.
    for (ModelServerProcess server : new ModelServerProcess[] {stable, canary}) {
      for (String version : new String[] {"1", "2"}) {
        for (int i = 0; i < 300; i++) {
          Http.Response r =
              Http.post(
                  server.url() + "/v2/models/iris/versions/" + version + "/infer",
                  body,
                  "content-type",
                  "application/json");
          assertEquals(200, r.status(), r.body());
        }
      }
    }
  }

  @AfterAll
  static void stop() throws Exception {
    for (ModelServerProcess p : new ModelServerProcess[] {stable, canary}) {
      if (p != null) {
        p.close();
      }
    }
    if (vertx != null) {
      vertx.close().await();
    }
  }

  private static String config(String canaryUrl, String rollout) {
    return ServiceYaml.config(
        new ServiceYaml("iris")
            .track("stable", 90, "1", stable.url())
            .track("canary", 10, "2", canaryUrl)
            .fallback("stable")
            .health("{ path: /v2/health/ready, intervalMillis: 500 }")
            .rollout(rollout));
  }

  private static LoadLoop load(RouterHarness router) {
    HttpRequest infer =
        Http.builder(router.url("/v2/models/iris/infer"), "content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build();
    return LoadLoop.start(2, 200_000, WAIT, i -> infer);
  }

  private static JsonObject rollout(RouterHarness router) {
    return router.admin("/admin/services/iris/rollout");
  }

  private static void awaitPhase(RouterHarness router, String phase) {
    Poll.until(
        WAIT,
        () -> phase.equals(rollout(router).getString("phase")),
        "rollout phase " + phase + " (now " + rollout(router).encode() + ")");
  }

  private static JsonObject startRollout(RouterHarness router) {
    Http.Response r = Http.post(router.adminUrl("/admin/services/iris/rollout"), "");
    assertEquals(200, r.status(), r.body());
    return r.json();
  }

  @Test
  void aHealthyCanaryIsPromotedThroughEveryStep() throws Exception {
    try (RouterHarness router =
            RouterHarness.start(
                config(
                    canary.url(),
                    "{ candidate: canary, baseline: stable, steps: [20, 50], stepSeconds: 1, minRequests: 10, maxP99Ratio: 20 }"));
        LoadLoop load = load(router)) {
      startRollout(router);
      awaitPhase(router, "succeeded");
      load.stop();
      assertEquals(0, load.failed(), () -> "client requests failed: " + load.failures());
      JsonObject r = rollout(router);
      assertEquals(
          new JsonObject().put("stable", 0).put("canary", 100), r.getJsonObject("weights"));
      JsonArray analyses = r.getJsonArray("analyses");
      int passes = 0;
      for (int i = 0; i < analyses.size(); i++) {
        JsonObject a = analyses.getJsonObject(i);
        assertTrue(!a.getString("verdict").equals("fail"), a.encode());
        if (a.getString("verdict").equals("pass")) {
          passes++;
          assertTrue(
              a.getLong("requests") >= 10 && a.getLong("baselineRequests") >= 10, a.encode());
          assertEquals(0, a.getLong("errors"), a.encode());
        }
      }
      assertEquals(2, passes, analyses.encode());
      assertEquals(
          "2",
          Http.post(router.url("/v2/models/iris/infer"), body).json().getString("model_version"));
    }
  }

  @Test
  void aCanaryAnswering500IsRolledBackWithinOneWindowWithNoFailedClientRequest() throws Exception {
    try (RouterHarness router =
            RouterHarness.start(
                config(
                    failing.url(),
                    "{ candidate: canary, baseline: stable, steps: [20, 50], stepSeconds: 1, minRequests: 10 }"));
        LoadLoop load = load(router)) {
      startRollout(router);
      awaitPhase(router, "aborted");
      load.stop();
      assertEquals(0, load.failed(), () -> "client requests failed: " + load.failures());
      JsonObject r = rollout(router);
      assertEquals(
          new JsonObject().put("stable", 100).put("canary", 0), r.getJsonObject("weights"));
      assertEquals(1, r.getInteger("step"));
      JsonArray analyses = r.getJsonArray("analyses");
      JsonObject failed = analyses.getJsonObject(analyses.size() - 1);
      assertEquals("fail", failed.getString("verdict"));
      assertEquals(100.0, failed.getDouble("errorPercent"));
      assertTrue(
          r.getString("reason").contains("candidate error rate 100.00%"), r.getString("reason"));
      assertTrue(failing.inferences() > 0);
    }
  }

  @Test
  void aCanaryWhoseShadowAnswersSlowlyNeverGetsWeightAndPausesNamingTheShadowP99()
      throws Exception {
    // The canary answers every inference after FakeModelServer.SLOW_MILLIS (ready at once): warm by
    // readiness and shadow answers, too slow by the shadow's p99 against the stable's.
    String yaml =
        ServiceYaml.config(
            new ServiceYaml("iris")
                .track("stable", 100, "1", stable.url())
                .track("canary", 0, "2", slow.url())
                .fallback("stable")
                .health("{ path: /v2/health/ready, intervalMillis: 500 }")
                .shadow("{ track: canary, percent: 10 }")
                .rollout(
                    "{ candidate: canary, baseline: stable, steps: [20, 50], stepSeconds: 1, "
                        + "minRequests: 10, warmup: { shadowRequests: 10, timeoutSeconds: 10 } }"));
    try (RouterHarness router = RouterHarness.start(yaml);
        LoadLoop load = load(router)) {
      startRollout(router);
      boolean[] heldBackByTheShadow = {false};
      Poll.until(
          WAIT,
          () -> {
            JsonObject r = rollout(router);
            assertEquals(0, r.getJsonObject("weights").getInteger("canary"), r::encode);
            if (r.getString("phase").equals("warming")
                && r.getString("reason").contains("shadow p99")) {
              heldBackByTheShadow[0] = true;
            }
            return r.getString("phase").equals("paused");
          },
          "rollout paused (now " + rollout(router).encode() + ")");
      load.stop();
      assertEquals(0, load.failed(), () -> "client requests failed: " + load.failures());
      JsonObject r = rollout(router);
      assertTrue(heldBackByTheShadow[0], "never seen warming for the shadow's p99");
      assertEquals(0, r.getInteger("step"), r.encode());
      assertTrue(r.getJsonArray("analyses").isEmpty(), r.encode());
      assertEquals(
          new JsonObject().put("stable", 100).put("canary", 0), r.getJsonObject("weights"));
      String reason = r.getString("reason");
      assertTrue(
          reason.startsWith("not warm after warmup.timeoutSeconds 10: shadow p99 ")
              && reason.contains("above maxP99Ratio 1.5"),
          reason);
      assertTrue(slow.inferences() >= 10, "shadow copies sent: " + slow.inferences());
    }
  }

  @Test
  void aRouterRestartedMidRolloutGoesOnAtTheSameStepWithTheSameWeights() throws Exception {
    Path dir = Files.createTempDirectory("infergate-rollout-restart");
    // Windows grow while too few requests came: with the load stopped the rollout stays at its
    // step.
    String yaml =
        config(
            canary.url(),
            "{ candidate: canary, baseline: stable, steps: [10, 30, 60], stepSeconds: 1, "
                + "minRequests: 50, maxP99Ratio: 100, maxInconclusive: 100 }");
    try {
      try (RouterHarness router = RouterHarness.start(dir, yaml);
          LoadLoop load = load(router)) {
        startRollout(router);
        Poll.until(WAIT, () -> rollout(router).getInteger("step") >= 2, "step 2");
        load.stop();
      }
      try (RouterHarness restarted = RouterHarness.start(dir, yaml)) {
        JsonObject r = rollout(restarted);
        assertEquals("running", r.getString("phase"), r.encode());
        assertEquals(2, r.getInteger("step"), r.encode());
        assertEquals(
            new JsonObject().put("stable", 70).put("canary", 30), r.getJsonObject("weights"));
        assertEquals(30, restarted.routing().service("iris").track("canary").config().weight());
        try (LoadLoop load = load(restarted)) {
          awaitPhase(restarted, "succeeded");
          load.stop();
          assertEquals(0, load.failed(), () -> "client requests failed: " + load.failures());
        }
      }
    } finally {
      try (Stream<Path> files = Files.walk(dir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException ignored) {
        // a temp folder
      }
    }
  }
}
