package dev.infergate.router.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.router.observability.TrackOutcomes;
import dev.infergate.router.testsupport.FakeModelServer;
import dev.infergate.router.testsupport.Http;
import dev.infergate.router.testsupport.Poll;
import dev.infergate.router.testsupport.RouterHarness;
import dev.infergate.router.testsupport.ServiceYaml;
import io.vertx.core.Vertx;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the rollout analysis counts per track: a request counts for the track it was sent to first,
 * and as that track's error when its answer there was a 5xx, even when a retry on the fallback
 * served the client. A request the chosen track could not take at all counts as the chosen track's
 * error, and for the fallback that then got it first.
 */
class FirstTryOutcomesTest {
  private Vertx vertx;
  private FakeModelServer stable;
  private FakeModelServer canary;
  private RouterHarness router;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    stable = FakeModelServer.start(vertx, "stable");
    canary = FakeModelServer.start(vertx, "canary");
    router =
        RouterHarness.start(
            ServiceYaml.config(
                new ServiceYaml("iris")
                    .track("stable", 50, "1", stable.url())
                    .track("canary", 50, "2", canary.url())
                    .fallback("stable")));
  }

  @AfterEach
  void stop() throws Exception {
    router.close();
    vertx.close().await();
  }

  private TrackOutcomes.Snapshot outcomes(String track) {
    return router.routing().service("iris").track(track).meters().outcomes().snapshot();
  }

  private Http.Response inferOn(String track) {
    return Http.post(
        router.url("/v2/models/iris/infer"), Http.irisV2("input"), "x-infergate-track", track);
  }

  @Test
  void aServedFirstTryCountsOnItsTrackWithItsLatency() {
    assertEquals(200, inferOn("stable").status());
    assertEquals(1, outcomes("stable").requests());
    assertEquals(0, outcomes("stable").errors());
    assertTrue(outcomes("stable").quantileMillis(0.99) > 0);
    assertEquals(0, outcomes("canary").requests());
  }

  @Test
  void aCanary500ThatARetryOnTheFallbackServedIsACanaryErrorAndNoStableRequest() {
    canary.mode(FakeModelServer.Mode.FAIL_500);
    Http.Response r = inferOn("canary");
    assertEquals(200, r.status(), r.body());
    assertEquals("stable", r.header("x-infergate-track"));
    assertEquals(1, outcomes("canary").requests());
    assertEquals(1, outcomes("canary").errors());
    assertEquals(0, outcomes("stable").requests());
  }

  @Test
  void aRequestTheChosenTrackCouldNotTakeIsThatTracksErrorAndTheFallbacksRequest() {
    canary.ready(false);
    Poll.until(
        Duration.ofSeconds(10),
        () -> !router.routing().service("iris").track("canary").endpoints().get(0).healthy(),
        "canary unhealthy");
    int before = canary.inferences();
    Http.Response r = inferOn("canary");
    assertEquals(200, r.status(), r.body());
    assertEquals(before, canary.inferences());
    assertEquals(1, outcomes("canary").requests());
    assertEquals(1, outcomes("canary").errors());
    assertEquals(1, outcomes("stable").requests());
    assertEquals(0, outcomes("stable").errors());
  }
}
