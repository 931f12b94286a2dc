package dev.infergate.modelserver.http;

import static dev.infergate.modelserver.testsupport.RunningServer.v2Body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.http.ClientFraming;
import dev.infergate.modelserver.testsupport.RawHttp;
import dev.infergate.modelserver.testsupport.RunningServer;
import dev.infergate.modelserver.testsupport.TestModels;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * How a client may frame and end its requests ({@link ClientFraming} and the read deadlines' body
 * check): a half-closed client still gets its answer, and a request the decoder cannot read gets a
 * JSON 400, never a silent close or Vert.x's empty 501.
 */
class ClientFramingTest {
  private static final Duration DEADLINE = Duration.ofSeconds(5);
  private static RunningServer server;

  @BeforeAll
  static void start() {
    server = RunningServer.start(TestModels.bundled());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void answersAnInferenceWhoseClientHalfClosedAfterSendingIt() throws Exception {
    String body = v2Body(new float[] {5.1f, 3.5f, 1.4f, 0.2f});
    try (RawHttp conn = new RawHttp(server.server().port(), DEADLINE)) {
      conn.send(
          "POST /v2/models/iris/infer HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: "
              + body.getBytes(StandardCharsets.UTF_8).length
              + "\r\n\r\n"
              + body);
      conn.shutdownOutput();
      RawHttp.Response r = conn.read();
      assertEquals(200, r.status(), r.body());
      assertTrue(new JsonObject(r.body()).containsKey("outputs"), r.body());
      assertTrue(conn.closedByServer(), "closed once the answer is out");
    }
  }

  @Test
  void anHttpVersionOtherThanOneGetsAJson400NotAnEmpty501() throws Exception {
    for (String version : new String[] {"HTTP/2.0", "http/1.1"}) {
      try (RawHttp conn = new RawHttp(server.server().port(), DEADLINE)) {
        conn.send("GET /v2/health/ready " + version + "\r\nhost: x\r\n\r\n");
        RawHttp.Response r = conn.read();
        assertEquals(400, r.status(), version + ": " + r.body());
        assertTrue(
            new JsonObject(r.body()).getString("error").startsWith("unsupported HTTP version"),
            r.body());
      }
    }
  }

  @Test
  void aBodyWithAMalformedChunkGetsAJson400InsteadOfASilentClose() throws Exception {
    for (String target : new String[] {"POST /v2/models/iris/infer", "GET /v2/models/iris"}) {
      try (RawHttp conn = new RawHttp(server.server().port(), DEADLINE)) {
        conn.send(
            target
                + " HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n5\r\n{\"a\":\r\nzz\r\n");
        RawHttp.Response r = conn.read();
        if (target.startsWith("POST")) {
          assertEquals(400, r.status(), r.body());
          assertTrue(
              new JsonObject(r.body()).getString("error").startsWith("malformed request body"),
              r.body());
        } else {
          // Metadata needs no body: it may be answered before the bad chunk is read. Either way, an
          // answer.
          assertTrue(
              r.status() == 200 || r.status() == 400, target + ": " + r.status() + " " + r.body());
        }
        assertTrue(
            conn.closedByServer(),
            target + ": the connection is closed after a body it cannot read");
      }
    }
  }
}
