package dev.infergate.modelserver.http;

import static dev.infergate.modelserver.testsupport.RunningServer.v2Body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.modelserver.testsupport.RunningServer;
import dev.infergate.modelserver.testsupport.TestModels;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIGTERM's path: requests already queued when draining starts are answered before the server closes. */
class GracefulShutdownTest {
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
