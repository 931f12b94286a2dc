package dev.infergate.modelserver.http;

import static dev.infergate.modelserver.testsupport.RunningServer.v2Body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.modelserver.testsupport.LogCapture;
import dev.infergate.modelserver.testsupport.RawHttp;
import dev.infergate.modelserver.testsupport.RunningServer;
import dev.infergate.modelserver.testsupport.TestModels;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Paths a client controls, sent byte for byte on a raw socket with a deadline: a malformed
 * percent-escape is a 400 at once on every route, never a hang, and a client's mistake is not
 * logged as a server error.
 */
class HostilePathTest {
  private static final Duration DEADLINE = Duration.ofSeconds(3);
  private static RunningServer server;

  @BeforeAll
  static void start() {
    server = RunningServer.start(TestModels.bundled());
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @ParameterizedTest(name = "{0} {1}")
  @CsvSource({
    "POST, /v2/models/%zz/infer",
    "POST, /v2/models/%/infer",
    "POST, /v2/models/iris%/infer",
    "POST, /v2/models/%G1/infer",
    "POST, /v2/models/iris/versions/%zz/infer",
    "POST, /v2/models/iris/versions/1%/infer",
    "POST, /v1/models/%zz:predict",
    "POST, /v1/models/iris/versions/%zz:predict",
    "POST, /v2/models/%ff%fe/infer",
    "GET, /v2/models/%zz",
    "GET, /v2/models/%zz/ready",
    "GET, /v2/models/iris/versions/%G1",
    "GET, /v2/models/iris/versions/%G1/ready",
    "GET, /v1/models/%zz",
    "GET, /v2/models/%",
    "GET, /%zz",
    "POST, /v2/repository/models/%zz/unload",
  })
  void malformedPercentEscapesGetA400JsonAtOnce(String method, String path) throws Exception {
    try (LogCapture logs = LogCapture.start();
        RawHttp connection = new RawHttp(server.server().port(), DEADLINE)) {
      RawHttp.Response response =
          connection.exchange(
              method, path, method.equals("POST") ? v2Body(TestModels.SETOSA) : null);
      assertEquals(400, response.status(), response.head() + response.body());
      assertTrue(
          response.head().toLowerCase().contains("content-type: application/json"),
          response.head());
      assertNotNull(new JsonObject(response.body()).getString("error"));
      // The connection is still good for the next request.
      assertEquals(200, connection.exchange("GET", "/v2/health/live", null).status());
      assertEquals(
          java.util.List.of(),
          logs.atLeast(Level.WARNING),
          "a client's bad path is not a server error");
    }
  }

  /** The table the router's PathTricksTest runs too: both servers refuse escaped names with 400. */
  @ParameterizedTest
  @MethodSource("dev.infergate.testsupport.KServePathCases#escaped")
  void escapedModelPathsAreRefusedWith400AsByTheRouter(String path) throws Exception {
    try (RawHttp connection = new RawHttp(server.server().port(), DEADLINE)) {
      RawHttp.Response response = connection.exchange("POST", path, v2Body(TestModels.SETOSA));
      assertEquals(400, response.status(), path + " -> " + response.head() + response.body());
      assertNotNull(new JsonObject(response.body()).getString("error"));
      assertEquals(200, connection.exchange("GET", "/v2/health/live", null).status());
    }
  }

  @Test
  void clientErrorsAreNotLoggedAsServerErrors() throws Exception {
    try (LogCapture logs = LogCapture.start();
        RawHttp connection = new RawHttp(server.server().port(), DEADLINE)) {
      assertEquals(
          404,
          connection
              .exchange("POST", "/v2/models/unknown/infer", v2Body(TestModels.SETOSA))
              .status());
      assertEquals(
          404,
          connection
              .exchange("POST", "/v1/models/unknown:predict", "{\"instances\":[[1,2,3,4]]}")
              .status());
      assertEquals(404, connection.exchange("GET", "/v2/models/unknown", null).status());
      assertEquals(
          404, connection.exchange("GET", "/v2/models/iris/versions/9/ready", null).status());
      assertEquals(
          400, connection.exchange("POST", "/v2/models/iris/infer", "{\"inputs\": 1}").status());
      assertEquals(405, connection.exchange("PUT", "/v2/models/iris", "{}").status());
      assertEquals(405, connection.exchange("GET", "/v2/models/iris/infer", null).status());
      assertEquals(java.util.List.of(), logs.atLeast(Level.WARNING));
    }
  }
}
