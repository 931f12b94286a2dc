package dev.infergate.router.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.infergate.router.shadow.ShadowStats;
import dev.infergate.router.testsupport.FakeModelServer;
import dev.infergate.router.testsupport.FakeModelServer.Mode;
import dev.infergate.router.testsupport.Http;
import dev.infergate.router.testsupport.Poll;
import dev.infergate.router.testsupport.RouterHarness;
import dev.infergate.router.testsupport.ServiceYaml;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Shadow copies through a real router to in-JVM model servers: what is copied, that the live answer
 * never changes, waits or fails for the shadow, the cap on copies, and that a copy is sent once.
 * Outcomes are asserted, never timings.
 */
class ShadowTrafficTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final String BODY = Http.irisV2("input");

  private Vertx vertx;
  private FakeModelServer live;
  private FakeModelServer shadow;
  private RouterHarness router;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    live = FakeModelServer.start(vertx, "live");
    shadow = FakeModelServer.start(vertx, "shadow");
  }

  @AfterEach
  void stop() throws Exception {
    if (router != null) {
      router.close();
    }
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  private static ServiceYaml iris(String liveUrl, String shadowBlock, String... shadowUrls) {
    return new ServiceYaml("iris")
        .track("stable", 100, "1", liveUrl)
        .track("canary", 0, "2", shadowUrls)
        .fallback("stable")
        .shadow(shadowBlock);
  }

  private ShadowStats stats() {
    return router.server().shadowing().stats("iris");
  }

  private Http.Response infer(String requestId) {
    Http.Response r =
        Http.post(router.url("/v2/models/iris/infer"), BODY, "x-request-id", requestId);
    assertEquals(200, r.status(), r.body());
    assertEquals("live", r.json().getString("served_by"), "the client gets the live answer only");
    assertEquals("stable", r.header("x-infergate-track"));
    return r;
  }

  @Test
  void theLiveAnswerIsTheSameWithAndWithoutAShadow() throws Exception {
    router =
        RouterHarness.start(
            ServiceYaml.config(iris(live.url(), "{ track: canary, percent: 100 }", shadow.url())));
    Http.Response shadowed = infer("same-1");
    Poll.until(WAIT, () -> stats().compared() == 1, "the copy compared");
    assertEquals(1, stats().agreed());
    assertEquals(1, shadow.inferences());
    assertEquals(
        "/v2/models/iris/versions/2/infer", shadow.uriOf("same-1"), "the shadow track's pin");

    router.reload(ServiceYaml.config(iris(live.url(), null, shadow.url())));
    Http.Response plain = infer("same-1");
    assertEquals(shadowed.body(), plain.body());
    for (String h :
        List.of("content-type", "content-length", "x-infergate-track", "x-request-id")) {
      assertEquals(plain.header(h), shadowed.header(h), h);
    }
  }

  @Test
  void aShadowThatNeverAnswersNeitherFailsNorHoldsTheLiveAnswers() throws Exception {
    shadow.mode(Mode.HANG);
    router =
        RouterHarness.start(
            ServiceYaml.config(
                iris(live.url(), "{ track: canary, percent: 100 }", shadow.url())
                    .timeoutMillis(300)));
    for (int i = 0; i < 5; i++) {
      infer("hang-" + i);
    }
    assertEquals(5, live.inferences());
    Poll.until(WAIT, () -> stats().errors() == 5, "five copies timed out");
    ShadowStats s = stats();
    assertEquals(0, s.compared());
    assertEquals(0, router.server().shadowing().inFlight("iris"));
    assertEquals("no answer within 300 ms", router.server().shadowing().lastError("iris"));
  }

  @Test
  void copiesBeyondMaxQueuedAreDroppedWhileTheLiveAnswersFlow() throws Exception {
    shadow.mode(Mode.HOLD);
    router =
        RouterHarness.start(
            ServiceYaml.config(
                iris(live.url(), "{ track: canary, percent: 100, maxQueued: 2 }", shadow.url())
                    .timeoutMillis(30_000)));
    for (int i = 0; i < 6; i++) {
      infer("held-" + i);
    }
    assertEquals(6, live.inferences());
    // A copy is admitted (or dropped) just after its live answer is written: wait for the last
    // one's.
    Poll.until(
        WAIT, () -> shadow.held() == 2 && stats().dropped() == 4, "two copies held, four dropped");
    assertEquals(2, router.server().shadowing().inFlight("iris"));
    JsonObject admin = router.admin("/admin/services/iris").getJsonObject("shadow");
    assertEquals(4, admin.getLong("dropped"));
    assertEquals(2, admin.getInteger("inFlight"));

    shadow.release();
    Poll.until(WAIT, () -> stats().agreed() == 2, "the held copies compared once answered");
    assertEquals(0, router.server().shadowing().inFlight("iris"));
    assertEquals(2, shadow.inferences(), "dropped copies never reach the shadow");
  }

  @Test
  void aFailingShadowIsCountedAsErrorsAndNeverRetried() throws Exception {
    FakeModelServer shadow2 = FakeModelServer.start(vertx, "shadow-2").mode(Mode.FAIL_500);
    shadow.mode(Mode.FAIL_500);
    router =
        RouterHarness.start(
            ServiceYaml.config(
                iris(live.url(), "{ track: canary, percent: 100 }", shadow.url(), shadow2.url())));
    for (int i = 0; i < 3; i++) {
      infer("fail-" + i);
    }
    Poll.until(WAIT, () -> stats().errors() == 3, "three shadow errors");
    assertEquals(
        3,
        shadow.inferences() + shadow2.inferences(),
        "one try per copy, none on the other endpoint");
    assertEquals(0, stats().compared());
    assertEquals("the shadow answered 500", router.server().shadowing().lastError("iris"));

    shadow.mode(Mode.RESET);
    shadow2.mode(Mode.RESET);
    infer("reset-1");
    Poll.until(WAIT, () -> stats().errors() == 4, "a reset is a shadow error");
    assertEquals(4, shadow.inferences() + shadow2.inferences());
  }

  @Test
  void zeroPercentSendsNoCopy() throws Exception {
    router =
        RouterHarness.start(
            ServiceYaml.config(iris(live.url(), "{ track: canary, percent: 0 }", shadow.url())));
    for (int i = 0; i < 20; i++) {
      infer("zero-" + i);
    }
    router.reload(
        ServiceYaml.config(iris(live.url(), "{ track: canary, percent: 100 }", shadow.url())));
    infer("sentinel");
    Poll.until(WAIT, () -> stats().compared() == 1, "the sentinel's copy");
    assertEquals(1, shadow.inferences());
    assertEquals("/v2/models/iris/versions/2/infer", shadow.uriOf("sentinel"));
    assertEquals(new ShadowStats("iris", "canary", 1, 1, 0, 0, 0, 0), stats());
  }

  @Test
  void onlyInferencesThatOtherTracksAnsweredWith2xxAreCopied() throws Exception {
    router =
        RouterHarness.start(
            ServiceYaml.config(iris(live.url(), "{ track: canary, percent: 100 }", shadow.url())));
    assertEquals(
        200, Http.get(router.url("/v2/models/iris")).status()); // metadata: not an inference
    assertEquals(200, Http.get(router.url("/v2/models/iris/ready")).status());
    assertEquals(
        200,
        Http.post(
                router.url("/v2/models/iris/infer"),
                BODY, // served by the shadow track
                "x-infergate-track",
                "canary")
            .status());
    live.mode(Mode.FAIL_400);
    assertEquals(
        400, Http.post(router.url("/v2/models/iris/infer"), BODY).status()); // live answer not 2xx
    live.mode(Mode.OK);
    Http.Response v1 =
        Http.post(
            router.url("/v1/models/iris:predict"),
            "{\"instances\":[[1,2,3,4]]}",
            "x-request-id",
            "v1-sentinel");
    assertEquals(200, v1.status());
    Poll.until(WAIT, () -> stats().answered() + stats().errors() == 1, "the V1 copy");
    assertEquals("/v1/models/iris/versions/2:predict", shadow.uriOf("v1-sentinel"));
    // The fake answers V1 in V2's shape: a live answer without predictions is not comparable.
    assertEquals(new ShadowStats("iris", "canary", 0, 0, 0, 0, 0, 1), stats());
    assertEquals(2, shadow.inferences(), "the override to canary and the V1 copy");
  }

  @Test
  void copiesWorkTheSameOverTheVertxTransport() throws Exception {
    FakeModelServer hanging = FakeModelServer.start(vertx, "hanging").mode(Mode.HANG);
    String vertxTransport = "allowTrackOverride: true\nupstream: { transport: vertx }\n";
    router =
        RouterHarness.start(
            ServiceYaml.configWith(
                vertxTransport,
                iris(live.url(), "{ track: canary, percent: 100 }", shadow.url())
                    .timeoutMillis(2000)));
    infer("vertx-1");
    infer("vertx-2");
    Poll.until(WAIT, () -> stats().agreed() == 2, "two copies compared");
    assertEquals(2, shadow.inferences());

    router.reload(
        ServiceYaml.configWith(
            vertxTransport,
            iris(live.url(), "{ track: canary, percent: 100 }", hanging.url())
                .timeoutMillis(2000)));
    infer("vertx-3");
    infer("vertx-4");
    Poll.until(WAIT, () -> stats().errors() == 2, "two copies timed out");
    assertEquals(2, hanging.inferences(), "one try per copy");
    assertEquals(0, router.server().shadowing().inFlight("iris"));
    assertEquals(new ShadowStats("iris", "canary", 2, 2, 0, 2, 0, 0), stats());
  }

  @Test
  void theAdminApiShowsTheShadowAndItsDisagreements() throws Exception {
    router =
        RouterHarness.start(
            ServiceYaml.config(iris(live.url(), "{ track: canary, percent: 100 }", shadow.url())));
    infer("agree-1");
    Poll.until(WAIT, () -> stats().compared() == 1, "one comparison");
    JsonObject s = router.admin("/admin/services/iris").getJsonObject("shadow");
    assertEquals("canary", s.getString("track"));
    assertEquals(100.0, s.getDouble("percent"));
    assertEquals(0.001, s.getDouble("tolerance"));
    assertEquals(1000, s.getInteger("maxQueued"));
    assertEquals(1, s.getLong("compared"));
    assertEquals(1, s.getLong("agreed"));
    assertEquals(0, s.getLong("disagreed"));
    assertEquals(0, s.getLong("errors"));
    assertEquals(0, s.getLong("dropped"));
    assertEquals(100.0, s.getDouble("agreementPercent"));
    assertEquals(0, s.getJsonArray("recentDisagreements").size());
    assertNull(s.getString("lastError"));

    router.reload(
        ServiceYaml.config(new ServiceYaml("iris").track("stable", 100, "1", live.url())));
    assertNull(
        router.admin("/admin/services/iris").getJsonObject("shadow"),
        "no shadow, no shadow object");
  }
}
