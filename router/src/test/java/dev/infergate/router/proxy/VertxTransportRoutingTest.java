package dev.infergate.router.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.router.testsupport.FakeModelServer;
import dev.infergate.router.testsupport.FakeModelServer.Mode;
import dev.infergate.router.testsupport.Http;
import dev.infergate.router.testsupport.Ports;
import dev.infergate.router.testsupport.RouterHarness;
import dev.infergate.router.testsupport.ServiceYaml;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The router with {@code upstream.transport: vertx}: the forwarding behaviours that depend on the
 * transport's reports (refused, reset, 5xx, no head in time) work the same as with the default
 * (ResilienceTest), so the switch is safe to make.
 */
class VertxTransportRoutingTest {
  private static final String BODY = Http.irisV2("input");
  private static Vertx vertx;
  private static FakeModelServer good;
  private static FakeModelServer failing;
  private static FakeModelServer resetting;
  private static FakeModelServer hanging;
  private static RouterHarness router;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    good = FakeModelServer.start(vertx, "good");
    failing = FakeModelServer.start(vertx, "failing").mode(Mode.FAIL_500);
    resetting = FakeModelServer.start(vertx, "resetting").mode(Mode.RESET);
    hanging = FakeModelServer.start(vertx, "hanging").mode(Mode.HANG);
    router =
        RouterHarness.start(
            ServiceYaml.configWith(
                "allowTrackOverride: true\nupstream: { transport: vertx }\n",
                new ServiceYaml("flaky").track("stable", 100, "1", failing.url(), good.url()),
                new ServiceYaml("refused")
                    .track("stable", 100, "1", Ports.refusedUrl(), Ports.refusedUrl())
                    .track("backup", 0, "1", good.url())
                    .fallback("backup"),
                new ServiceYaml("reset-alone").track("stable", 100, "1", resetting.url()),
                new ServiceYaml("stuck")
                    .track("stable", 100, "1", hanging.url())
                    .timeoutMillis(400)));
  }

  @AfterAll
  static void stop() throws Exception {
    router.close();
    vertx.close().await();
  }

  private static Http.Response infer(String model, String consumer) {
    return Http.post(
        router.url("/v2/models/" + model + "/infer"), BODY, "x-infergate-consumer", consumer);
  }

  @Test
  void a500IsRetriedOnTheOtherEndpoint() {
    for (int i = 0; i < 10; i++) {
      Http.Response r = infer("flaky", "c" + i);
      assertEquals(200, r.status(), r.body());
      assertEquals("good", r.json().getString("served_by"));
    }
  }

  @Test
  void refusedEndpointsFailOverToTheFallbackTrack() {
    Http.Response r = infer("refused", "c");
    assertEquals(200, r.status(), r.body());
    assertEquals("backup", r.header("x-infergate-track"));
  }

  @Test
  void aResetWithNothingLeftIsA503ThatSaysSo() {
    Http.Response r = infer("reset-alone", "c");
    assertEquals(503, r.status(), r.body());
    assertTrue(r.json().getString("error").contains("connection closed or reset"), r.body());
  }

  @Test
  void noAnswerInTimeIsA504() {
    Http.Response r = infer("stuck", "c");
    assertEquals(504, r.status(), r.body());
  }
}
