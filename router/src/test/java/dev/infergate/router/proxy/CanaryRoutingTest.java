package dev.infergate.router.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.router.testsupport.FakeModelServer;
import dev.infergate.router.testsupport.Http;
import dev.infergate.router.testsupport.LoadLoop;
import dev.infergate.router.testsupport.RouterHarness;
import dev.infergate.router.testsupport.ServiceYaml;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Weighted canary routing through a real router to in-JVM model servers. */
class CanaryRoutingTest {
  private static final String BODY = Http.irisV2("input");
  private static Vertx vertx;
  private static FakeModelServer stable1;
  private static FakeModelServer stable2;
  private static FakeModelServer canary;

  @BeforeAll
  static void servers() throws Exception {
    vertx = Vertx.vertx();
    stable1 = FakeModelServer.start(vertx, "stable-1");
    stable2 = FakeModelServer.start(vertx, "stable-2");
    canary = FakeModelServer.start(vertx, "canary-1");
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await();
  }

  private static String config(int canaryWeight) {
    return ServiceYaml.config(
        new ServiceYaml("iris")
            .track("stable", 100 - canaryWeight, "1", stable1.url(), stable2.url())
            .track("canary", canaryWeight, "2", canary.url())
            .fallback("stable"));
  }

  private static String trackOf(RouterHarness router, String consumer) {
    Http.Response r =
        Http.post(router.url("/v2/models/iris/infer"), BODY, "x-infergate-consumer", consumer);
    assertEquals(200, r.status(), r.body());
    return r.header("x-infergate-track");
  }

  @Test
  void splitsThreeThousandConsumersWithinThreePointsOfTheWeights() throws Exception {
    try (RouterHarness router = RouterHarness.start(config(10))) {
      LoadLoop load =
          LoadLoop.start(
              8,
              3000,
              Duration.ofSeconds(60),
              i ->
                  Http.builder(
                          router.url("/v2/models/iris/infer"),
                          "x-infergate-consumer",
                          "consumer-" + i)
                      .POST(java.net.http.HttpRequest.BodyPublishers.ofString(BODY))
                      .build());
      load.awaitFinished();
      assertEquals(3000, load.ok(), load.failures().toString());
      double canaryShare = 100.0 * load.byTrack("canary") / 3000;
      assertTrue(
          canaryShare >= 7 && canaryShare <= 13, "canary share " + canaryShare + "% for weight 10");
      assertEquals(3000, load.byTrack("canary") + load.byTrack("stable"));
    }
  }

  @Test
  void keepsEachConsumerOnTheSameTrack() throws Exception {
    try (RouterHarness router = RouterHarness.start(config(50))) {
      for (int c = 0; c < 40; c++) {
        String first = trackOf(router, "sticky-" + c);
        for (int i = 0; i < 4; i++) {
          assertEquals(
              first, trackOf(router, "sticky-" + c), "consumer sticky-" + c + " changed track");
        }
      }
    }
  }

  @Test
  void raisingTheCanaryWeightOnlyMovesConsumersIntoTheCanary() throws Exception {
    try (RouterHarness router = RouterHarness.start(config(10))) {
      Map<String, String> before = new HashMap<>();
      for (int c = 0; c < 400; c++) {
        before.put("mono-" + c, trackOf(router, "mono-" + c));
      }
      router.reload(config(30));
      int moved = 0;
      for (Map.Entry<String, String> e : before.entrySet()) {
        String now = trackOf(router, e.getKey());
        if (e.getValue().equals("canary")) {
          assertEquals("canary", now, e.getKey() + " left the canary when its weight rose");
        } else if (now.equals("canary")) {
          moved++;
        }
      }
      assertTrue(moved > 0, "raising the weight from 10 to 30 moved nobody into the canary");
    }
  }

  @Test
  void pinsTheTrackModelVersionInV2AndV1Paths() throws Exception {
    try (RouterHarness router = RouterHarness.start(config(10))) {
      Http.Response toCanary =
          Http.post(router.url("/v2/models/iris/infer"), BODY, "x-infergate-track", "canary");
      assertEquals("2", toCanary.json().getString("model_version"));
      assertEquals("canary", toCanary.header("x-infergate-track"));
      Http.Response toStable =
          Http.post(router.url("/v2/models/iris/infer"), BODY, "x-infergate-track", "stable");
      assertEquals("1", toStable.json().getString("model_version"));
      Http.Response v1 =
          Http.post(
              router.url("/v1/models/iris:predict"),
              "{\"instances\":[[5.1,3.5,1.4,0.2]]}",
              "x-infergate-track",
              "canary");
      assertEquals(200, v1.status(), v1.body());
      assertEquals("/v1/models/iris/versions/2:predict", canary.lastUri());
      Http.Response metadata =
          Http.get(router.url("/v2/models/iris"), "x-infergate-track", "stable");
      assertEquals("1", metadata.json().getString("model_version"));
      Http.Response explicit =
          Http.post(
              router.url("/v2/models/iris/versions/2/infer"), BODY, "x-infergate-track", "stable");
      assertEquals(
          "2",
          explicit.json().getString("model_version"),
          "an explicit version in the path is kept");
    }
  }

  @Test
  void everyProxiedResponseCarriesTrackAndRequestId() throws Exception {
    try (RouterHarness router = RouterHarness.start(config(10))) {
      Http.Response r = Http.post(router.url("/v2/models/iris/infer"), BODY);
      assertNotNull(r.header("x-infergate-track"));
      assertNotNull(r.header("x-request-id"));
      Http.Response mine =
          Http.post(router.url("/v2/models/iris/infer"), BODY, "x-request-id", "req-123");
      assertEquals("req-123", mine.header("x-request-id"));
    }
  }

  @Test
  void refusesAnOverrideToATrackTheServiceDoesNotHave() throws Exception {
    try (RouterHarness router = RouterHarness.start(config(10))) {
      Http.Response r =
          Http.post(router.url("/v2/models/iris/infer"), BODY, "x-infergate-track", "nightly");
      assertEquals(400, r.status());
      assertEquals("unknown track 'nightly' for service 'iris'", r.json().getString("error"));
    }
  }

  @Test
  void ignoresTheOverrideHeaderUnlessTheConfigAllowsIt() throws Exception {
    String closed = config(0).replace("allowTrackOverride: true", "allowTrackOverride: false");
    try (RouterHarness router = RouterHarness.start(closed)) {
      for (int i = 0; i < 10; i++) {
        Http.Response r =
            Http.post(router.url("/v2/models/iris/infer"), BODY, "x-infergate-track", "canary");
        assertEquals("stable", r.header("x-infergate-track"));
      }
    }
  }
}
