package dev.infergate.modelserver.http;

import static dev.infergate.modelserver.testsupport.RunningServer.v2Body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.modelserver.config.LimitsConfig;
import dev.infergate.modelserver.testsupport.RunningServer;
import dev.infergate.modelserver.testsupport.TestModels;
import dev.infergate.testsupport.RawSockets;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Slow and idle clients on the inference listener, over raw sockets: read deadlines (408 and a
 * close), the idle timeout and the connection cap. Deadlines of 1 s keep it fast.
 */
class SlowClientTest {
  private static final LimitsConfig LIMITS = new LimitsConfig(1000, 1000, 3, 250);
  private static final String HEADER_TIMEOUT =
      "{\"error\":\"request headers not received within 1 s\"}";
  @TempDir static Path dir;
  private static RunningServer server;

  @BeforeAll
  static void start() {
    // A lone request waits 2 s for its batch to fill: an inference slower than both read deadlines.
    Path models = TestModels.copyWithConfig(dir, "maxQueueDelayMicros: 2000000");
    server = RunningServer.start(models, 64 * 1024, LIMITS);
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void slowlorisHeadersGet408AndAClose() throws Exception {
    try (Socket socket = RawSockets.connect(server.server().port(), 10_000)) {
      String answer =
          RawSockets.trickleAndRead(
              socket,
              "GET /v2/health/ready HTTP/1.1\r\nhost: x\r\nx-a: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\n\r\n",
              200);
      assertTimeout(answer, HEADER_TIMEOUT);
    }
  }

  @Test
  void stalledBodyGets408AndAClose() throws Exception {
    try (Socket socket = RawSockets.connect(server.server().port(), 10_000)) {
      RawSockets.send(
          socket,
          "POST /v2/models/iris/infer HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
              + "content-length: 200\r\n\r\n{\"inputs\":");
      assertTimeout(
          RawSockets.readToEnd(socket), "{\"error\":\"request body stalled: no data for 1 s\"}");
    }
  }

  @Test
  void bodyThatStallsAfterItsContinueGets408() throws Exception {
    try (Socket socket = RawSockets.connect(server.server().port(), 10_000)) {
      RawSockets.send(
          socket,
          "POST /v2/models/iris/infer HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
              + "expect: 100-continue\r\ncontent-length: 200\r\n\r\n");
      assertTrue(RawSockets.readResponse(socket).startsWith("HTTP/1.1 100 Continue"));
      RawSockets.send(socket, "{\"inputs\":");
      assertTimeout(
          RawSockets.readToEnd(socket), "{\"error\":\"request body stalled: no data for 1 s\"}");
    }
  }

  @Test
  void idleKeepAliveConnectionIsKeptPastTheHeaderDeadlineAndClosedByTheIdleTimeout()
      throws Exception {
    try (Socket socket = RawSockets.connect(server.server().port(), 2_000)) {
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
  void slowInferenceAfterTheWholeBodyIsNotCut() throws Exception {
    String body = v2Body(TestModels.SETOSA);
    try (Socket socket = RawSockets.connect(server.server().port(), 10_000)) {
      long start = System.nanoTime();
      RawSockets.send(
          socket,
          "POST /v2/models/iris/infer HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
              + "content-length: "
              + body.length()
              + "\r\n\r\n"
              + body);
      String answer = RawSockets.readResponse(socket);
      assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
      assertTrue(
          System.nanoTime() - start > TimeUnit.MILLISECONDS.toNanos(1500),
          "the answer took longer than the read deadlines, so they were tested");
    }
  }

  @Test
  void halfOpenConnectionsWithOneGarbageByteAreAllClosedByTheHeaderDeadline() throws Exception {
    List<Socket> sockets = new ArrayList<>();
    try {
      for (int i = 0; i < 200; i++) {
        Socket socket = RawSockets.connect(server.server().port(), 10_000);
        sockets.add(socket);
        RawSockets.send(socket, "x");
      }
      for (int i = 0; i < sockets.size(); i++) {
        String answer = RawSockets.readToEnd(sockets.get(i));
        assertTrue(answer.startsWith("HTTP/1.1 408"), "connection " + i + " got: " + answer);
        assertTimeout(answer, HEADER_TIMEOUT);
      }
    } finally {
      for (Socket socket : sockets) {
        socket.close();
      }
    }
    assertEquals(
        0, awaitMetric("infergate_model_server_connections_open{listener=\"inference\"}", 0));
    assertTrue(
        metric(
                "infergate_model_server_read_timeouts_total{listener=\"inference\",phase=\"header\"}")
            >= 200);
  }

  @Test
  void refusesConnectionsOverTheCapAndReusesAFreedSlot() throws Exception {
    try (RunningServer capped =
        RunningServer.start(TestModels.bundled(), 64 * 1024, new LimitsConfig(1000, 1000, 3, 3))) {
      int port = capped.server().port();
      List<Socket> held = new ArrayList<>();
      try {
        for (int i = 0; i < 3; i++) {
          Socket socket = RawSockets.connect(port, 10_000);
          held.add(socket);
          assertTrue(live(socket));
        }
        try (Socket fourth = RawSockets.connect(port, 10_000)) {
          assertThrows(
              IOException.class, () -> live(fourth), "closed at once, before anything is read");
        }
        held.remove(0).close();
        assertTrue(awaitServed(port), "the freed slot is usable");
      } finally {
        for (Socket socket : held) {
          socket.close();
        }
      }
      assertEquals(
          0,
          awaitMetricOf(
              capped, "infergate_model_server_connections_open{listener=\"inference\"}", 0));
      assertTrue(
          metricOf(
                  capped,
                  "infergate_model_server_connections_refused_total{listener=\"inference\"}")
              >= 1);
    }
  }

  /**
   * One health request on {@code socket}: true for a 200; an IOException when the server closed it.
   */
  private static boolean live(Socket socket) throws IOException {
    RawSockets.send(socket, "GET /v2/health/live HTTP/1.1\r\nhost: x\r\n\r\n");
    return RawSockets.readResponse(socket).startsWith("HTTP/1.1 200");
  }

  /**
   * A new connection is served within 10 s (a closed one's slot frees as the server sees the
   * close).
   */
  private static boolean awaitServed(int port) throws IOException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (true) {
      try (Socket socket = RawSockets.connect(port, 10_000)) {
        return live(socket);
      } catch (IOException refused) {
        if (System.nanoTime() > deadline) {
          throw refused;
        }
      }
    }
  }

  private static void assertTimeout(String answer, String json) {
    assertTrue(answer.startsWith("HTTP/1.1 408 Request Timeout\r\n"), answer);
    assertTrue(answer.toLowerCase().contains("\r\nconnection: close\r\n"), answer);
    assertTrue(answer.toLowerCase().contains("\r\ncontent-type: application/json\r\n"), answer);
    assertTrue(answer.endsWith("\r\n\r\n" + json), answer);
  }

  /** Where /metrics is served: the admin listener. */
  private static int metricsPort(RunningServer s) {
    return s.server().adminPort();
  }

  /** The metrics scrape, on a connection of its own that the server closes after it. */
  private static String scrape(RunningServer s) {
    try (Socket socket = RawSockets.connect(metricsPort(s), 10_000)) {
      RawSockets.send(socket, "GET /metrics HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n");
      return RawSockets.readToEnd(socket);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static double metric(String series) {
    return metricOf(server, series);
  }

  private static double metricOf(RunningServer s, String series) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(scrape(s));
    return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
  }

  private static double awaitMetric(String series, double expected) {
    return awaitMetricOf(server, series, expected);
  }

  /**
   * The inference listener's open-connection gauge once it shows {@code expected}, or its value
   * after 10 s.
   */
  private static double awaitMetricOf(RunningServer s, String series, double expected) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    int scrapeConnection = metricsPort(s) == s.server().port() ? 1 : 0;
    double value;
    do {
      value = metricOf(s, series) - scrapeConnection;
    } while (value != expected && System.nanoTime() < deadline);
    return value;
  }
}
