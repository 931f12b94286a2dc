package dev.infergate.modelserver.http;

import static dev.infergate.modelserver.testsupport.RunningServer.v2Body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.modelserver.testsupport.RawHttp;
import dev.infergate.modelserver.testsupport.RunningServer;
import dev.infergate.modelserver.testsupport.TestModels;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM's path: readiness goes false at once, the server keeps serving through the pre-stop delay
 * (keep-alive clients included), then requests already queued are answered before it closes.
 */
class GracefulShutdownTest {
  private static final long PRE_STOP_DELAY_MILLIS = 1_500;

  @Test
  void keepsServingKeepAliveClientsThroughThePreStopDelay() throws Exception {
    RunningServer server =
        RunningServer.start(TestModels.bundled(), 64 * 1024, PRE_STOP_DELAY_MILLIS);
    int port = server.server().port();
    try (RawHttp keepAlive = new RawHttp(port, Duration.ofSeconds(5))) {
      assertEquals(
          200,
          keepAlive.exchange("POST", "/v2/models/iris/infer", v2Body(TestModels.SETOSA)).status());
      long shutdownStart = System.nanoTime();
      CompletableFuture<Long> closed =
          CompletableFuture.supplyAsync(
              () -> {
                server.server().drainAndClose();
                return System.nanoTime();
              });
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
      while (!server.server().lifecycle().draining() && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      assertTrue(server.server().lifecycle().draining(), "shutdown began");
      // Well inside the delay, requests on the open connection and on new ones are still served.
      long servedUntil =
          shutdownStart + TimeUnit.MILLISECONDS.toNanos(PRE_STOP_DELAY_MILLIS * 2 / 3);
      int served = 0;
      while (System.nanoTime() < servedUntil) {
        RawHttp.Response ready = keepAlive.exchange("GET", "/v2/health/ready", null);
        assertEquals(503, ready.status(), "readiness is false during the delay: " + ready.body());
        assertEquals(
            200,
            keepAlive
                .exchange("POST", "/v2/models/iris/infer", v2Body(TestModels.VERSICOLOR))
                .status());
        served++;
      }
      try (RawHttp fresh = new RawHttp(port, Duration.ofSeconds(5))) {
        assertEquals(
            200,
            fresh.exchange("POST", "/v2/models/iris/infer", v2Body(TestModels.VIRGINICA)).status(),
            "new connections are accepted during the delay");
      }
      assertTrue(served > 0, "no request was served during the delay");
      long closedAt = closed.get(20, TimeUnit.SECONDS);
      assertTrue(
          closedAt - shutdownStart >= TimeUnit.MILLISECONDS.toNanos(PRE_STOP_DELAY_MILLIS),
          "closed before the pre-stop delay had passed");
    }
  }

  @Test
  void finishesInFlightRequestsBeforeClosing(@TempDir Path dir) throws Exception {
    // Requests wait 300 ms in the queue, so they are surely in flight when draining starts.
    Path models = TestModels.copyWithConfig(dir, "maxQueueDelayMicros: 300000");
    RunningServer server = RunningServer.start(models);
    List<CompletableFuture<HttpResponse<String>>> inFlight = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      inFlight.add(server.postAsync("/v2/models/iris/infer", v2Body(TestModels.SETOSA)));
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (server.server().lifecycle().inFlight() < 5 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertEquals(5, server.server().lifecycle().inFlight(), "all five requests reached the server");
    server.server().drainAndClose();
    for (CompletableFuture<HttpResponse<String>> response : inFlight) {
      assertEquals(200, response.get(10, TimeUnit.SECONDS).statusCode());
    }
    assertTrue(server.server().lifecycle().draining());
  }
}
