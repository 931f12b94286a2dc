package dev.infergate.router.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.router.testsupport.FakeModelServer;
import dev.infergate.router.testsupport.Http;
import dev.infergate.router.testsupport.RouterHarness;
import dev.infergate.router.testsupport.ServiceYaml;
import io.vertx.core.Vertx;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A trace collector that accepts connections and never answers (a hung Jaeger, a black-holed
 * network) must cost the proxied requests nothing: spans are exported from the SDK's own thread,
 * queued up to a bound and dropped beyond it, and stopping the router gives up on them after the
 * exporter's timeout instead of hanging.
 */
class TracingToAHangingCollectorTest {
  @Test
  void requestsAreAnsweredAndTheRouterStopsWhileTheCollectorNeverAnswers() throws Exception {
    Vertx vertx = Vertx.vertx();
    List<Socket> held = new CopyOnWriteArrayList<>();
    try (ServerSocket collector = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        FakeModelServer backend = FakeModelServer.start(vertx, "backend")) {
      Thread acceptor =
          new Thread(
              () -> {
                while (!collector.isClosed()) {
                  try {
                    held.add(collector.accept()); // read nothing, answer nothing
                  } catch (Exception closed) {
                    return;
                  }
                }
              });
      acceptor.setDaemon(true);
      acceptor.start();
      RouterHarness router =
          RouterHarness.start(
              ServiceYaml.configWith(
                  "tracing: { otlpEndpoint: http://127.0.0.1:"
                      + collector.getLocalPort()
                      + ", sampleRatio: 1.0 }\n",
                  new ServiceYaml("iris").track("stable", 100, "1", backend.url())));
      try {
        // Enough requests for more spans than the export queue holds (2048): some are dropped.
        for (int i = 0; i < 1500; i++) {
          Http.Response r = Http.post(router.url("/v2/models/iris/infer"), "{}");
          assertEquals(200, r.status(), "request " + i + ": " + r.body());
        }
        assertTrue(!held.isEmpty(), "the exporter did connect to the collector");
      } finally {
        Thread stopping = new Thread(router::close);
        stopping.start();
        stopping.join(TimeUnit.SECONDS.toMillis(30));
        assertTrue(!stopping.isAlive(), "the router stopped although its collector hangs");
      }
    } finally {
      for (Socket s : held) {
        s.close();
      }
      vertx.close().await();
    }
  }
}
