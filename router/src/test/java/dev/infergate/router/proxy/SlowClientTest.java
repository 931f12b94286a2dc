package dev.infergate.router.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.router.testsupport.FakeModelServer;
import dev.infergate.router.testsupport.Http;
import dev.infergate.router.testsupport.Poll;
import dev.infergate.router.testsupport.RouterHarness;
import dev.infergate.router.testsupport.ServiceYaml;
import dev.infergate.testsupport.RawSockets;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SelfSignedCertificate;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Slow and idle clients on both router listeners, over raw sockets: read deadlines (408 JSON and a
 * close), the idle timeout and the connection caps. Deadlines of 1 s keep it fast.
 */
class SlowClientTest {
  private static final String LIMITS =
      "limits: { headerTimeoutMillis: 1000, bodyTimeoutMillis: 1000, idleTimeoutSeconds: 3 }\n";
  private static final String BODY = Http.irisV2("input");
  private static Vertx vertx;
  private static FakeModelServer backend;
  private static RouterHarness router;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    backend = FakeModelServer.start(vertx, "backend");
    router =
        RouterHarness.start(
            ServiceYaml.configWith(
                LIMITS, new ServiceYaml("iris").track("stable", 100, "1", backend.url())));
  }

  @AfterAll
  static void stop() throws Exception {
    router.close();
    vertx.close().await();
  }

  @AfterEach
  void answerHeldInferences() {
    backend.mode(FakeModelServer.Mode.OK).release();
  }

  @Test
  void slowlorisHeadersGet408JsonWithARequestIdAndAClose() throws Exception {
    try (Socket socket = RawSockets.connect(router.server().port(), 10_000)) {
      String answer =
          RawSockets.trickleAndRead(
              socket,
              "POST /v2/models/iris/infer HTTP/1.1\r\nhost: x\r\nx-a: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n",
              200);
      JsonObject error = assertTimeout(answer);
      assertEquals("request headers not received within 1 s", error.getString("error"));
      assertEquals(32, error.getString("requestId").length(), answer);
    }
    assertTrue(
        metric("infergate_router_read_timeouts_total{listener=\"proxy\",phase=\"header\"}") >= 1);
  }

  @Test
  void aHundredHalfOpenConnectionsAreAllAnswered408AndClosed() throws Exception {
    List<Socket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < 100; i++) {
        Socket socket = RawSockets.connect(router.server().port(), 10_000);
        sockets.add(socket);
        RawSockets.send(socket, "P");
      }
      for (int i = 0; i < sockets.size(); i++) {
        String answer = RawSockets.readToEnd(sockets.get(i));
        assertTrue(answer.startsWith("HTTP/1.1 408"), "connection " + i + " got: " + answer);
        assertTimeout(answer);
      }
    } finally {
      for (Socket socket : sockets) {
        socket.close();
      }
    }
    Poll.until(
        Duration.ofSeconds(10),
        () -> metric("infergate_router_connections_open{listener=\"proxy\"}") == 0,
        "every connection closed");
  }

  @Test
  void slowlorisOnTheAdminListenerGets408AndAClose() throws Exception {
    try (Socket socket = RawSockets.connect(router.server().adminPort(), 10_000)) {
      String answer =
          RawSockets.trickleAndRead(
              socket,
              "GET /admin/services HTTP/1.1\r\nhost: x\r\nx-a: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n",
              200);
      assertEquals(
          "request headers not received within 1 s", assertTimeout(answer).getString("error"));
    }
  }

  @Test
  void slowlorisOverTlsGets408AndAClose() throws Exception {
    SelfSignedCertificate cert = SelfSignedCertificate.create("localhost");
    try (RouterHarness tls =
            RouterHarness.start(
                ServiceYaml.configWith(
                    LIMITS
                        + "tls: { certFile: "
                        + cert.certificatePath()
                        + ", keyFile: "
                        + cert.privateKeyPath()
                        + " }\n",
                    new ServiceYaml("iris").track("stable", 100, "1", backend.url())));
        SSLSocket socket =
            (SSLSocket)
                TlsListenerTest.trusting(Path.of(cert.certificatePath()))
                    .getSocketFactory()
                    .createSocket("localhost", tls.server().port())) {
      socket.setSoTimeout(10_000);
      socket.startHandshake();
      String answer =
          RawSockets.trickleAndRead(
              socket,
              "GET /v2/health/ready HTTP/1.1\r\nhost: x\r\nx-a: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n",
              200);
      assertEquals(
          "request headers not received within 1 s", assertTimeout(answer).getString("error"));
    } finally {
      cert.delete();
    }
  }

  @Test
  void stalledBodyGets408JsonWithTheRequestsIdAndAClose() throws Exception {
    try (Socket socket = RawSockets.connect(router.server().port(), 10_000)) {
      RawSockets.send(
          socket,
          "POST /v2/models/iris/infer HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
              + "x-request-id: stalled-1\r\ncontent-length: "
              + BODY.length()
              + "\r\n\r\n"
              + BODY.substring(0, 10));
      String answer = RawSockets.readToEnd(socket);
      JsonObject error = assertTimeout(answer);
      assertEquals("request body stalled: no data for 1 s", error.getString("error"));
      assertEquals("stalled-1", error.getString("requestId"));
      assertTrue(answer.contains("\r\nx-request-id: stalled-1\r\n"), answer);
    }
    assertEquals(0, backend.held());
    assertTrue(
        metric("infergate_router_read_timeouts_total{listener=\"proxy\",phase=\"body\"}") >= 1);
    assertTrue(
        metric("infergate_router_requests_total{service=\"iris\",status=\"408\",track=\"stable\"}")
            >= 1,
        "counted as the 408 the client got");
  }

  @Test
  void idleKeepAliveConnectionIsKeptPastTheHeaderDeadlineAndClosedByTheIdleTimeout()
      throws Exception {
    try (Socket socket = RawSockets.connect(router.server().port(), 2_000)) {
      RawSockets.send(socket, "GET /v2/health/live HTTP/1.1\r\nhost: x\r\n\r\n");
      assertTrue(RawSockets.readResponse(socket).startsWith("HTTP/1.1 200"));
      assertTrue(RawSockets.staysQuiet(socket), "idle for twice the header deadline: still open");
      RawSockets.send(socket, "GET /v2/health/live HTTP/1.1\r\nhost: x\r\n\r\n");
      assertTrue(RawSockets.readResponse(socket).startsWith("HTTP/1.1 200"), "and still usable");
      socket.setSoTimeout(10_000);
      assertEquals(
          "", RawSockets.readToEnd(socket), "closed by the idle timeout, without an answer");
    }
  }

  @Test
  void slowUpstreamAfterTheWholeBodyIsNotCut() throws Exception {
    backend.mode(FakeModelServer.Mode.HOLD);
    try (Socket socket = RawSockets.connect(router.server().port(), 2_000)) {
      RawSockets.send(
          socket,
          "POST /v2/models/iris/infer HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
              + "content-length: "
              + BODY.length()
              + "\r\n\r\n"
              + BODY);
      Poll.until(
          Duration.ofSeconds(10), () -> backend.held() == 1, "the inference reached the backend");
      assertTrue(
          RawSockets.staysQuiet(socket),
          "waiting twice the read deadlines for the upstream: not cut");
      backend.release();
      socket.setSoTimeout(10_000);
      String answer = RawSockets.readResponse(socket);
      assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
    }
  }

  @Test
  void refusesConnectionsOverEachListenersCapCountsThemAndReusesAFreedSlot() throws Exception {
    try (RouterHarness capped =
        RouterHarness.start(
            ServiceYaml.configWith(
                "limits: { maxConnections: 3, adminMaxConnections: 2 }\n",
                new ServiceYaml("iris").track("stable", 100, "1", backend.url())))) {
      assertCapped(capped.server().port(), 3, "/v2/health/live");
      assertCapped(capped.server().adminPort(), 2, "/admin/services");
      String metrics = scrape(capped.server().adminPort());
      assertTrue(
          metricIn(metrics, "infergate_router_connections_refused_total{listener=\"proxy\"}") >= 1,
          metrics);
      assertTrue(
          metricIn(metrics, "infergate_router_connections_refused_total{listener=\"admin\"}") >= 1,
          metrics);
      Poll.until(
          Duration.ofSeconds(10),
          () ->
              metricIn(
                      scrape(capped.server().adminPort()),
                      "infergate_router_connections_open{listener=\"proxy\"}")
                  == 0,
          "the proxy's connections all closed");
      assertEquals(
          1,
          metricIn(
              scrape(capped.server().adminPort()),
              "infergate_router_connections_open{listener=\"admin\"}"),
          "the scrape's own");
    }
  }

  private static void assertCapped(int port, int cap, String path) throws Exception {
    List<Socket> held = new ArrayList<>();
    try {
      for (int i = 0; i < cap; i++) {
        Socket socket = RawSockets.connect(port, 10_000);
        held.add(socket);
        assertTrue(served(socket, path));
      }
      try (Socket over = RawSockets.connect(port, 10_000)) {
        assertThrows(
            IOException.class, () -> served(over, path), "closed at once, before anything is read");
      }
      held.remove(0).close();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      boolean servedAgain = false;
      while (!servedAgain) {
        try (Socket again = RawSockets.connect(port, 10_000)) {
          servedAgain = served(again, path);
        } catch (IOException refused) {
          if (System.nanoTime() > deadline) {
            throw refused;
          }
        }
      }
    } finally {
      for (Socket socket : held) {
        socket.close();
      }
    }
  }

  /** One GET on {@code socket}: true for a 200; an IOException when the server closed it. */
  private static boolean served(Socket socket, String path) throws IOException {
    RawSockets.send(socket, "GET " + path + " HTTP/1.1\r\nhost: x\r\n\r\n");
    String answer = RawSockets.readResponse(socket);
    return answer.startsWith("HTTP/1.1 200");
  }

  private static JsonObject assertTimeout(String answer) {
    assertTrue(answer.startsWith("HTTP/1.1 408 Request Timeout\r\n"), answer);
    assertTrue(answer.toLowerCase().contains("\r\nconnection: close\r\n"), answer);
    assertTrue(answer.toLowerCase().contains("\r\ncontent-type: application/json\r\n"), answer);
    return new JsonObject(answer.substring(answer.indexOf("\r\n\r\n") + 4));
  }

  private static double metric(String series) {
    return metricIn(scrape(router.server().adminPort()), series);
  }

  /** The admin listener's metrics, on a connection of its own that the server closes after it. */
  private static String scrape(int adminPort) {
    try (Socket socket = RawSockets.connect(adminPort, 10_000)) {
      RawSockets.send(socket, "GET /metrics HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n");
      return RawSockets.readToEnd(socket);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static double metricIn(String scrape, String series) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(scrape);
    return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
  }
}
