package dev.infergate.router.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.router.testsupport.Http;
import dev.infergate.router.testsupport.RouterHarness;
import dev.infergate.router.testsupport.ServiceYaml;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerResponse;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The router's own upstream client against a real HTTP server that answers in the ways a model
 * server may: streamed (chunked) bodies, large bodies, {@code Connection: close}, HEAD.
 */
class UpstreamClientTest {
  private static final int LARGE = 8 * 1024 * 1024;
  private static Vertx vertx;
  private static HttpServer upstream;
  private static RouterHarness router;
  private static final AtomicInteger connections = new AtomicInteger();
  private static final AtomicInteger requests = new AtomicInteger();
  private static final byte[] large = new byte[LARGE];

  @BeforeAll
  static void start() throws Exception {
    for (int i = 0; i < large.length; i++) {
      large[i] = (byte) ('a' + i % 26);
    }
    vertx = Vertx.vertx();
    upstream =
        vertx
            .createHttpServer()
            .connectionHandler(c -> connections.incrementAndGet())
            .requestHandler(
                req -> {
                  HttpServerResponse resp =
                      req.response().putHeader("content-type", "application/json");
                  String path = req.path();
                  if (!path.startsWith("/v2/models/")) {
                    resp.end("{\"ready\":true}"); // health checks
                    return;
                  }
                  requests.incrementAndGet();
                  String mode = req.getHeader("x-test-mode");
                  switch (mode == null ? "" : mode) {
                    case "chunked" -> {
                      resp.setChunked(true).putHeader("x-upstream", "yes");
                      resp.write("{\"part\":1,");
                      resp.write("\"part2\":2,");
                      resp.end("\"end\":true}");
                    }
                    case "large" -> resp.end(Buffer.buffer(large));
                    case "close" -> resp.putHeader("connection", "close").end("{\"closed\":true}");
                    default -> resp.end("{\"ok\":true}");
                  }
                })
            .listen(0, "127.0.0.1")
            .await();
    router =
        RouterHarness.start(
            ServiceYaml.config(
                new ServiceYaml("iris")
                    .track("stable", 100, "1", "http://127.0.0.1:" + upstream.actualPort())));
  }

  @AfterAll
  static void stop() throws Exception {
    router.close();
    vertx.close().await();
  }

  private static Http.Response infer(String mode) {
    return Http.post(
        router.url("/v2/models/iris/infer"), Http.irisV2("input"), "x-test-mode", mode);
  }

  @Test
  void aStreamedResponseArrivesWhole() {
    Http.Response r = infer("chunked");
    assertEquals(200, r.status(), r.body());
    assertEquals("{\"part\":1,\"part2\":2,\"end\":true}", r.body());
    assertEquals("yes", r.header("x-upstream"));
    assertEquals("stable", r.header("x-infergate-track"));
  }

  @Test
  void aLargeResponseArrivesIntact() {
    HttpResponse<byte[]> r =
        Http.sendBytes(
            Http.builder(router.url("/v2/models/iris/infer"), "x-test-mode", "large")
                .POST(HttpRequest.BodyPublishers.ofString(Http.irisV2("input")))
                .build());
    assertEquals(200, r.statusCode());
    assertEquals(LARGE, r.body().length);
    assertTrue(Arrays.equals(large, r.body()), "the body was changed on the way");
  }

  @Test
  void keepAliveConnectionsAreReused() {
    int before = connections.get();
    for (int i = 0; i < 30; i++) {
      assertEquals(200, infer("plain").status());
    }
    // One connection per event loop at most, whatever the number of requests sent one after another
    // (plus one the health checker may open meanwhile: it has its own client).
    int opened = connections.get() - before;
    assertTrue(
        opened <= Runtime.getRuntime().availableProcessors() + 1,
        "opened " + opened + " connections for 30 requests");
  }

  @Test
  void anUpstreamThatClosesAfterEachResponseStillServesEveryRequest() {
    assertEquals(
        200, infer("close").status()); // may come on a pooled connection; it is not pooled again
    int before = connections.get();
    for (int i = 0; i < 5; i++) {
      Http.Response r = infer("close");
      assertEquals(200, r.status(), r.body());
      assertEquals("{\"closed\":true}", r.body());
      assertNull(r.header("connection"), "Connection is hop-by-hop: not relayed");
    }
    assertTrue(connections.get() - before >= 5, "a closed connection must not be reused");
  }

  @Test
  void headIsAnsweredWithoutABody() {
    Http.Response r =
        Http.send(
            Http.builder(router.url("/v2/models/iris/ready"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build());
    assertEquals(200, r.status());
    assertEquals("", r.body());
  }
}
