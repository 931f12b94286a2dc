package dev.infergate.router.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.router.routing.RoutingTable;
import dev.infergate.router.testsupport.FakeModelServer;
import dev.infergate.router.testsupport.Http;
import dev.infergate.router.testsupport.LoadLoop;
import dev.infergate.router.testsupport.Poll;
import dev.infergate.router.testsupport.RouterHarness;
import dev.infergate.router.testsupport.ServiceYaml;
import io.vertx.core.Vertx;
import java.net.http.HttpRequest;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The config file is watched: valid changes apply atomically under load, invalid ones are refused.
 */
class HotReloadTest {
  private static final String BODY = Http.irisV2("input");
  private static Vertx vertx;
  private static FakeModelServer blue;
  private static FakeModelServer green;
  private static FakeModelServer failing;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    blue = FakeModelServer.start(vertx, "blue");
    green = FakeModelServer.start(vertx, "green");
    failing = FakeModelServer.start(vertx, "failing").mode(FakeModelServer.Mode.FAIL_500);
  }

  @AfterAll
  static void stop() throws Exception {
    vertx.close().await();
  }

  private static String blueGreen(String active) {
    return ServiceYaml.config(
        new ServiceYaml("iris")
            .blueGreen(active)
            .track("blue", "1", blue.url())
            .track("green", "2", green.url()));
  }

  private static HttpRequest infer(RouterHarness router) {
    return Http.builder(router.url("/v2/models/iris/infer"))
        .POST(HttpRequest.BodyPublishers.ofString(BODY))
        .build();
  }

  @Test
  void switchesBlueGreenByReloadUnderLoadWithoutFailedRequests() throws Exception {
    try (RouterHarness router = RouterHarness.start(blueGreen("blue"));
        LoadLoop load = LoadLoop.start(8, 100_000, Duration.ofSeconds(30), i -> infer(router))) {
      load.awaitMore(300, Duration.ofSeconds(20));
      assertEquals(0, load.byTrack("green"));
      router.reload(blueGreen("green"));
      load.awaitMore(300, Duration.ofSeconds(20));
      load.stop();
      assertEquals(0, load.failed(), load.failures().toString());
      assertTrue(load.byTrack("green") >= 300, "green served " + load.byTrack("green"));
      for (int i = 0; i < 10; i++) {
        Http.Response r = Http.send(infer(router));
        assertEquals("green", r.header("x-infergate-track"));
        assertEquals("2", r.json().getString("model_version"));
      }
      Http.Response preview =
          Http.post(router.url("/v2/models/iris/infer"), BODY, "x-infergate-track", "blue");
      assertEquals(
          "blue",
          preview.header("x-infergate-track"),
          "the inactive track stays reachable by override");
    }
  }

  @Test
  void keepsTheOldConfigWhenTheNewFileIsInvalid() throws Exception {
    try (RouterHarness router = RouterHarness.start(blueGreen("blue"))) {
      RoutingTable before = router.routing();
      router.rewriteConfig(blueGreen("purple"));
      Poll.until(
          Duration.ofSeconds(10),
          () ->
              Http.get(router.adminUrl("/metrics"))
                  .body()
                  .contains("infergate_router_config_reloads_total{result=\"rejected\"} 1.0"),
          "the invalid change to be refused");
      assertSame(before, router.routing());
      assertEquals("blue", router.admin("/admin/services/iris").getString("active"));
      assertEquals("blue", Http.send(infer(router)).header("x-infergate-track"));
      router.reload(blueGreen("green"));
      assertEquals(
          "green",
          router.admin("/admin/services/iris").getString("active"),
          "a later valid change still applies");
    }
  }

  @Test
  void keepsBreakerStateOfEndpointsThatStayAndRetiresRemovedOnes() throws Exception {
    String before =
        ServiceYaml.config(
            new ServiceYaml("iris").track("stable", 100, "1", blue.url(), failing.url()));
    try (RouterHarness router = RouterHarness.start(before)) {
      LoadLoop.start(2, 40, Duration.ofSeconds(20), i -> infer(router)).awaitFinished();
      assertEquals("OPEN", router.breakerState("iris", failing.url()));
      router.reload(
          ServiceYaml.config(
              new ServiceYaml("iris")
                  .track("stable", 80, "1", blue.url(), failing.url())
                  .track("canary", 20, "2", green.url())));
      assertEquals("OPEN", router.breakerState("iris", failing.url()), "reload reset a breaker");
      router.reload(
          ServiceYaml.config(new ServiceYaml("iris").track("stable", 100, "1", green.url())));
      RoutingTable now = router.routing();
      assertNotSame(null, now);
      assertEquals(1, router.admin("/admin/upstreams").getJsonArray("endpoints").size());
      int blueBefore = blue.inferences();
      for (int i = 0; i < 10; i++) {
        assertEquals(200, Http.send(infer(router)).status());
      }
      assertEquals(blueBefore, blue.inferences(), "a removed endpoint still got traffic");
    }
  }
}
