package dev.infergate.router.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.infergate.router.testsupport.FakeModelServer;
import dev.infergate.router.testsupport.Http;
import dev.infergate.router.testsupport.Poll;
import dev.infergate.router.testsupport.RawHttp;
import dev.infergate.router.testsupport.RouterHarness;
import dev.infergate.router.testsupport.ServiceYaml;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * SIGTERM (here {@link dev.infergate.router.RouterServer#close}) with nothing in flight must not
 * drop requests that clients write on their keep-alive connections meanwhile: readiness turns
 * false, the router keeps serving through the pre-stop delay (each answer closing its connection),
 * then drains.
 */
class GracefulShutdownTest {
  private static final int CONNECTIONS = 8;
  private Vertx vertx;
  private FakeModelServer server;

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    server = FakeModelServer.start(vertx, "only");
  }

  @AfterEach
  void stop() throws Exception {
    vertx.close().await();
  }

  @Test
  void keepAliveClientsAreServedThroughThePreStopDelayThenTheListenerCloses() throws Exception {
    RouterHarness router =
        RouterHarness.start(
            ServiceYaml.configWith(
                "shutdown: { preStopDelayMillis: 3000, drainMillis: 2000 }\n",
                new ServiceYaml("iris").track("stable", 100, "1", server.url())));
    int port = router.server().port();
    List<RawHttp> clients = new ArrayList<>();
    Thread closer = new Thread(router::close, "test-sigterm");
    try {
      for (int i = 0; i < CONNECTIONS; i++) {
        RawHttp c = new RawHttp(port);
        clients.add(c);
        assertEquals(
            200, c.exchange("POST", "/v2/models/iris/infer", Http.irisV2("input")).status());
      }
      closer.start();
      Poll.until(
          Duration.ofSeconds(2), () -> readiness(port) == 503, "readiness turns false at shutdown");

      for (RawHttp c : clients) {
        RawHttp.Response r = c.exchange("POST", "/v2/models/iris/infer", Http.irisV2("input"));
        assertEquals(
            200, r.status(), "a request on a kept-alive connection is served during the delay");
        assertEquals("close", r.header("connection"), "and moves the client off this replica");
        assertEquals(
            RawHttp.Ending.CLOSED, c.awaitEnd(2_000), "the router closes the connection after it");
      }
      try (RawHttp fresh = new RawHttp(port)) {
        assertEquals(
            200,
            fresh.exchange("POST", "/v2/models/iris/infer", Http.irisV2("input")).status(),
            "a new connection in the delay is still served (a load balancer may not have noticed yet)");
      }
      closer.join(TimeUnit.SECONDS.toMillis(20));
      assertFalse(closer.isAlive(), "close() returned");
      assertThrows(
          IOException.class, () -> new Socket("127.0.0.1", port).close(), "the listener is closed");
    } finally {
      clients.forEach(RawHttp::close);
      closer.join(TimeUnit.SECONDS.toMillis(20));
      router.close();
    }
  }

  private static int readiness(int port) {
    try (RawHttp c = new RawHttp(port)) {
      return c.exchange("GET", "/v2/health/ready", null).status();
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }
}
