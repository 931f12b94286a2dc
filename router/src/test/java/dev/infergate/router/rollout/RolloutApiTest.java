package dev.infergate.router.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.router.testsupport.FakeModelServer;
import dev.infergate.router.testsupport.Http;
import dev.infergate.router.testsupport.LoadLoop;
import dev.infergate.router.testsupport.Poll;
import dev.infergate.router.testsupport.RouterHarness;
import dev.infergate.router.testsupport.ServiceYaml;
import dev.infergate.testsupport.ExternalTool;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The rollout admin API on a real router in front of fake model servers: validation, conflicts,
 * pause/resume/abort, audit, metrics, and warm before weight.
 */
class RolloutApiTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final ExternalTool PROMTOOL =
      new ExternalTool(
          "promtool",
          "Install the Debian package 'prometheus' (apt-get install -y prometheus), which provides promtool");
  private static Vertx vertx;
  private static FakeModelServer stable;
  private static FakeModelServer canary;
  private RouterHarness router;

  @BeforeAll
  static void backends() throws Exception {
    vertx = Vertx.vertx();
    stable = FakeModelServer.start(vertx, "stable");
    canary = FakeModelServer.start(vertx, "canary");
  }

  @AfterAll
  static void stopBackends() throws Exception {
    vertx.close().await();
  }

  @AfterEach
  void stopRouter() {
    if (router != null) {
      router.close();
    }
    canary.ready(true).mode(FakeModelServer.Mode.OK);
  }

  private void start(String rollout) throws Exception {
    router =
        RouterHarness.start(
            ServiceYaml.config(
                new ServiceYaml("iris")
                    .track("stable", 90, "1", stable.url())
                    .track("canary", 10, "2", canary.url())
                    .fallback("stable")
                    .rollout(rollout)));
  }

  private Http.Response post(String path, String body) {
    return Http.post(
        router.adminUrl("/admin/services/iris/rollout" + path),
        body,
        "content-type",
        "application/json");
  }

  private JsonObject rollout() {
    return router.admin("/admin/services/iris/rollout");
  }

  private void awaitPhase(String phase) {
    Poll.until(
        WAIT,
        () -> phase.equals(rollout().getString("phase")),
        "rollout phase " + phase + " (is " + rollout() + ")");
  }

  private LoadLoop load() {
    HttpRequest infer =
        Http.builder(router.url("/v2/models/iris/infer"), "content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(Http.irisV2("input")))
            .build();
    return LoadLoop.start(2, 100_000, Duration.ofSeconds(60), i -> infer);
  }

  @Test
  void aServiceWithNoRolloutYetIsIdle() throws Exception {
    start("{ candidate: canary, baseline: stable }");
    JsonObject r = rollout();
    assertEquals("idle", r.getString("phase"));
    assertEquals(new JsonObject().put("stable", 90).put("canary", 10), r.getJsonObject("weights"));
  }

  @Test
  void invalidStartOverridesAnswer400WithTheFieldAndChangeNothing() throws Exception {
    start("{ candidate: canary, baseline: stable }");
    Http.Response r = post("", "{\"steps\": [50, 20]}");
    assertEquals(400, r.status(), r.body());
    assertEquals(
        "rollout.steps[1]: must be greater than the step before (50), was 20",
        r.json().getString("error"));
    assertEquals(400, post("", "{\"candidate\": \"nope\"}").status());
    assertEquals(400, post("", "[1, 2]").status());
    assertEquals(400, post("", "{\"stepSeconds\": \"soon\"}").status());
    assertEquals("idle", rollout().getString("phase"));
    assertEquals(10, rollout().getJsonObject("weights").getInteger("canary"));
  }

  @Test
  void startingWhileOneIsUnderWayAnswers409() throws Exception {
    start("{ candidate: canary, baseline: stable, stepSeconds: 3600 }");
    assertEquals(200, post("", "").status());
    Http.Response again = post("", "{}");
    assertEquals(409, again.status(), again.body());
    assertTrue(again.json().getString("error").contains("already"), again.body());
  }

  @Test
  void aCandidateNotReadyGetsNoWeightUntilItIs() throws Exception {
    canary.ready(false);
    start("{ candidate: canary, baseline: stable, steps: [30], stepSeconds: 3600 }");
    Poll.until(
        WAIT,
        () -> !router.routing().service("iris").track("canary").endpoints().get(0).healthy(),
        "canary unhealthy");
    JsonObject started = post("", "").json();
    assertEquals("warming", started.getString("phase"));
    assertEquals(0, started.getJsonObject("weights").getInteger("canary"));
    assertEquals(100, started.getJsonObject("weights").getInteger("stable"));
    canary.ready(true);
    awaitPhase("running");
    assertEquals(30, rollout().getJsonObject("weights").getInteger("canary"));
    assertEquals(1, rollout().getInteger("step"));
  }

  @Test
  void pauseResumeAndAbortAreAuditedWithWhoMadeThem() throws Exception {
    start("{ candidate: canary, baseline: stable, steps: [25], stepSeconds: 3600 }");
    post("", "");
    awaitPhase("running");
    JsonObject paused = post("/pause", "").json();
    assertEquals("paused", paused.getString("phase"));
    assertEquals(409, post("/pause", "").status());
    assertEquals("running", post("/resume", "").json().getString("phase"));
    JsonObject aborted = post("/abort", "").json();
    assertEquals("aborted", aborted.getString("phase"));
    assertEquals(0, aborted.getJsonObject("weights").getInteger("canary"));
    assertEquals(100, aborted.getJsonObject("weights").getInteger("stable"));
    assertEquals(409, post("/abort", "").status());

    List<JsonObject> audit =
        Files.readAllLines(router.dir().resolve("audit.jsonl")).stream()
            .map(JsonObject::new)
            .toList();
    List<String> actions =
        audit.stream().map(a -> a.getString("action") + " by " + a.getString("subject")).toList();
    String operator = "anonymous (no auth configured)";
    assertEquals(
        List.of(
            "rollout-start by " + operator,
            "rollout-step by rollout",
            "rollout-pause by " + operator,
            "rollout-resume by " + operator,
            "rollout-abort by " + operator),
        actions);
    JsonObject step = audit.get(1);
    assertEquals(0, step.getJsonObject("old").getJsonObject("weights").getInteger("canary"));
    assertEquals(25, step.getJsonObject("new").getJsonObject("weights").getInteger("canary"));
    assertEquals("running", step.getJsonObject("new").getJsonObject("rollout").getString("phase"));
  }

  @Test
  void aFailingCandidateIsAbortedWithinAWindowWithNoFailedClientRequest() throws Exception {
    canary.mode(FakeModelServer.Mode.FAIL_500);
    start("{ candidate: canary, baseline: stable, steps: [50], stepSeconds: 1, minRequests: 10 }");
    try (LoadLoop load = load()) {
      post("", "");
      awaitPhase("aborted");
      load.stop();
      assertEquals(0, load.failed(), () -> "client requests failed: " + load.failures());
    }
    JsonObject r = rollout();
    assertEquals(0, r.getJsonObject("weights").getInteger("canary"));
    assertTrue(
        r.getString("reason").startsWith("step 1 failed: candidate error rate 100.00%"),
        r.getString("reason"));
    JsonObject analysis = r.getJsonArray("analyses").getJsonObject(0);
    assertEquals("fail", analysis.getString("verdict"));
    assertEquals(analysis.getLong("requests"), analysis.getLong("errors"));
  }

  @Test
  void metricsShowPhaseStepCandidateWeightAndAnalysesAndPassPromtool() throws Exception {
    PROMTOOL.require();
    start(
        "{ candidate: canary, baseline: stable, steps: [40], stepSeconds: 1, minRequests: 1000000, "
            + "maxInconclusive: 100 }");
    post("", "");
    Poll.until(
        WAIT,
        () -> !rollout().getJsonArray("analyses").isEmpty(),
        "a first (inconclusive) analysis");
    String metrics = Http.get(router.adminUrl("/metrics")).body();
    for (String line :
        new String[] {
          "infergate_router_rollout_phase{phase=\"running\",service=\"iris\"} 1.0",
          "infergate_router_rollout_phase{phase=\"warming\",service=\"iris\"} 0.0",
          "infergate_router_rollout_step{service=\"iris\"} 1.0",
          "infergate_router_rollout_weight{service=\"iris\",track=\"canary\"} 40.0",
          "infergate_router_rollout_analyses_total{service=\"iris\",verdict=\"inconclusive\"}"
        }) {
      assertTrue(metrics.contains(line), line + " is missing:\n" + metrics);
    }
    ExternalTool.Result lint = PROMTOOL.run(metrics, "check", "metrics");
    assertEquals(0, lint.exitCode(), "promtool check metrics complained:\n" + lint.describe());
    assertEquals("", lint.stdout().strip() + lint.stderr().strip(), lint.describe());
  }

  @Test
  void aBadSavedRolloutStopsTheStartNamingTheField() throws Exception {
    java.nio.file.Path dir = Files.createTempDirectory("infergate-rollout-bad-state");
    Files.writeString(
        dir.resolve("router-state.json"),
        "{\"version\": 1, \"services\": {\"iris\": {\"history\": [], \"rollout\": {\"phase\": \"flying\", \"step\": 0}}}}");
    String yaml =
        ServiceYaml.config(
            new ServiceYaml("iris")
                .track("stable", 90, "1", stable.url())
                .track("canary", 10, "2", canary.url()));
    Exception e =
        org.junit.jupiter.api.Assertions.assertThrows(
            dev.infergate.router.config.ConfigException.class,
            () -> RouterHarness.start(dir, yaml).close());
    assertTrue(
        e.getMessage()
            .contains(
                "services.iris.rollout.phase: must be idle|warming|running|paused|succeeded|aborted, "
                    + "was flying"),
        e.getMessage());
  }

  @Test
  void analysisJudgesTheIntervalSinceThePreviousCallForOutsideControllers() throws Exception {
    canary.mode(FakeModelServer.Mode.FAIL_500);
    start("{ candidate: canary, baseline: stable, minRequests: 10 }");
    JsonObject first = Http.get(router.adminUrl("/admin/services/iris/analysis")).json();
    int reachedCanary = canary.inferences();
    assertEquals("inconclusive", first.getString("verdict"), first.encode());
    assertEquals("sinceLastCall", first.getString("window"));
    for (int i = 0; i < 12; i++) {
      assertEquals(
          200,
          Http.post(
                  router.url("/v2/models/iris/infer"),
                  Http.irisV2("input"),
                  "x-infergate-track",
                  "canary")
              .status());
      assertEquals(
          200,
          Http.post(
                  router.url("/v2/models/iris/infer"),
                  Http.irisV2("input"),
                  "x-infergate-track",
                  "stable")
              .status());
    }
    JsonObject second = Http.get(router.adminUrl("/admin/services/iris/analysis")).json();
    assertEquals("fail", second.getString("verdict"), second.encode());
    assertEquals(12, second.getLong("requests"));
    assertEquals(12, second.getLong("errors"));
    // Once the canary's breaker opened, canary requests went to stable without a canary try: they
    // count
    // as canary errors, and as stable requests since stable was the first to get them.
    int neverSentToCanary = 12 - (canary.inferences() - reachedCanary);
    assertEquals(12 + neverSentToCanary, second.getLong("baselineRequests"));
    // Flagger's webhook: a failing verdict is a non-2xx answer.
    for (int i = 0; i < 12; i++) {
      Http.post(
          router.url("/v2/models/iris/infer"), Http.irisV2("input"), "x-infergate-track", "canary");
    }
    Http.Response webhook =
        Http.post(router.adminUrl("/admin/services/iris/analysis"), "{\"name\": \"iris\"}");
    assertEquals(412, webhook.status(), webhook.body());
    assertEquals(200, Http.post(router.adminUrl("/admin/services/iris/analysis"), "").status());
  }

  @Test
  void analysisOfARunningRolloutIsItsWindow() throws Exception {
    start("{ candidate: canary, baseline: stable, steps: [30], stepSeconds: 3600 }");
    post("", "");
    awaitPhase("running");
    JsonObject analysis = Http.get(router.adminUrl("/admin/services/iris/analysis")).json();
    assertEquals("rollout", analysis.getString("window"), analysis.encode());
    assertEquals(1, analysis.getInteger("step"));
    assertEquals("running", analysis.getString("phase"));
  }

  @Test
  void analysisOfAServiceWithoutARolloutBlockAnswers409() throws Exception {
    router =
        RouterHarness.start(
            ServiceYaml.config(
                new ServiceYaml("iris")
                    .track("stable", 90, "1", stable.url())
                    .track("canary", 10, "2", canary.url())));
    Http.Response r = Http.get(router.adminUrl("/admin/services/iris/analysis"));
    assertEquals(409, r.status(), r.body());
    assertTrue(r.json().getString("error").contains("no rollout block"), r.body());
  }

  @Test
  void aBlueGreenServiceCannotStartARollout() throws Exception {
    router =
        RouterHarness.start(
            ServiceYaml.config(
                new ServiceYaml("iris")
                    .blueGreen("blue")
                    .track("blue", "1", stable.url())
                    .track("green", "2", canary.url())));
    Http.Response r =
        Http.post(
            router.adminUrl("/admin/services/iris/rollout"),
            "{\"candidate\": \"green\", \"baseline\": \"blue\"}");
    assertEquals(400, r.status(), r.body());
    assertTrue(
        r.json().getString("error").startsWith("rollout: only for strategy canary"), r.body());
    assertEquals(404, Http.post(router.adminUrl("/admin/services/nope/rollout"), "").status());
  }
}
