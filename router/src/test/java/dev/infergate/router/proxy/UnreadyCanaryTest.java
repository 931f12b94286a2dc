package dev.infergate.router.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.router.testsupport.FakeModelServer;
import dev.infergate.router.testsupport.Http;
import dev.infergate.router.testsupport.Poll;
import dev.infergate.router.testsupport.RouterHarness;
import dev.infergate.router.testsupport.ServiceYaml;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 17: with the canary's model unloaded (its server still ready), canary consumers got {@code
 * 404 unknown model} for as long as it lasted. Health checks now ask for the version the track
 * pins, and a track with no endpoint ready for its model sends its consumers to the fallback.
 */
class UnreadyCanaryTest {
  private static final String BODY = Http.irisV2("input");
  private static final Duration BOUND = Duration.ofSeconds(10);

  private Vertx vertx;
  private FakeModelServer stable;
  private FakeModelServer canary;
  private RouterHarness router;
  private final List<String> canaryConsumers = new ArrayList<>();

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
    for (int c = 0; canaryConsumers.size() < 5 && c < 200; c++) {
      Http.Response r = infer("consumer-" + c);
      assertEquals(200, r.status(), r.body());
      if ("canary".equals(r.header("x-infergate-track"))) {
        canaryConsumers.add("consumer-" + c);
      }
    }
    assertEquals(5, canaryConsumers.size(), "consumers on the canary");
  }

  @AfterEach
  void stop() throws Exception {
    router.close();
    vertx.close().await();
  }

  private Http.Response infer(String consumer) {
    return Http.post(router.url("/v2/models/iris/infer"), BODY, "x-infergate-consumer", consumer);
  }

  private boolean allServedBy(String track) {
    for (String c : canaryConsumers) {
      Http.Response r = infer(c);
      if (r.status() != 200
          || !track.equals(r.header("x-infergate-track"))
          || !track.equals(r.json().getString("served_by"))) {
        return false;
      }
    }
    return true;
  }

  private boolean canaryHealthy() {
    return router
        .admin("/admin/services/iris")
        .getJsonArray("tracks")
        .getJsonObject(1)
        .getJsonArray("endpoints")
        .getJsonObject(0)
        .getBoolean("healthy");
  }

  @Test
  void canaryConsumersFallBackWhileTheCanaryModelIsUnloadedAndReturnAfter() {
    canary.modelLoaded("iris", "2", false);
    Poll.until(BOUND, () -> allServedBy("stable"), "canary consumers served by the fallback track");
    assertFalse(canaryHealthy(), "the admin API shows the canary endpoint unhealthy");
    int canaryInferences = canary.inferences();
    for (int i = 0; i < 20; i++) {
      Http.Response r = infer(canaryConsumers.get(i % canaryConsumers.size()));
      assertEquals(200, r.status(), "once fallen back, no 404 reaches a consumer: " + r.body());
      assertEquals("stable", r.header("x-infergate-track"));
      assertEquals("1", r.json().getString("model_version"), "the fallback's own pin");
    }
    assertEquals(canaryInferences, canary.inferences(), "the unready canary got no inference");

    canary.modelLoaded("iris", "2", true);
    Poll.until(BOUND, () -> allServedBy("canary"), "canary consumers back on the canary");
    assertTrue(canaryHealthy());
  }

  @Test
  void healthChecksAskForTheVersionTheTrackPins() {
    Poll.until(
        BOUND,
        () ->
            canary.received().stream()
                    .anyMatch(r -> r.uri().equals("/v2/models/iris/versions/2/ready"))
                && stable.received().stream()
                    .anyMatch(r -> r.uri().equals("/v2/models/iris/versions/1/ready")),
        "model readiness probes");
    // The server's own readiness (healthCheck.path) is still asked too: a draining server is left.
    assertTrue(canary.received().stream().anyMatch(r -> r.uri().equals("/v2/health/ready")));
  }

  @Test
  void panicAppliesOnlyWhenTheFallbackHasNoReadyEndpointEither() {
    canary.modelLoaded("iris", "2", false);
    stable.ready(false);
    Poll.until(
        BOUND,
        () -> {
          var tracks = router.admin("/admin/services/iris").getJsonArray("tracks");
          return !tracks
                  .getJsonObject(0)
                  .getJsonArray("endpoints")
                  .getJsonObject(0)
                  .getBoolean("healthy")
              && !tracks
                  .getJsonObject(1)
                  .getJsonArray("endpoints")
                  .getJsonObject(0)
                  .getBoolean("healthy");
        },
        "both tracks unhealthy");
    // Neither track has a ready endpoint: health is ignored (panic), each consumer keeps its track.
    Http.Response r = infer(canaryConsumers.get(0));
    assertEquals("canary", r.header("x-infergate-track"), r.body());

    stable.ready(true);
    Poll.until(
        BOUND,
        () -> allServedBy("stable"),
        "the fallback is ready again: canary consumers go there");
  }
}
