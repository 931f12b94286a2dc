package dev.infergate.router.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.router.testsupport.FakeModelServer;
import dev.infergate.router.testsupport.Http;
import dev.infergate.router.testsupport.RawHttp;
import dev.infergate.router.testsupport.RouterHarness;
import dev.infergate.router.testsupport.ServiceYaml;
import io.vertx.core.Vertx;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * How a client may frame and end its requests ({@link dev.infergate.http.ClientFraming} and the
 * read deadlines' body check): every case gets an answer, never a silent close or a 5xx.
 *
 * <p>A client that half-closes its side after sending its request (as {@code curl} with some
 * options, {@code nc -N} and one-shot scripts do) still gets its answer: end of input is not a
 * reason to drop the request in flight (RFC 9112 §9.6 lets a client close its sending side and wait
 * for the response).
 */
class ClientFramingTest {
  private static Vertx vertx;
  private static FakeModelServer server;
  private static RouterHarness router;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    server = FakeModelServer.start(vertx, "only");
    router =
        RouterHarness.start(
            ServiceYaml.config(new ServiceYaml("iris").track("stable", 100, "1", server.url())));
  }

  @AfterAll
  static void stop() throws Exception {
    router.close();
    vertx.close().await();
  }

  @Test
  void answersAPostWhoseClientHalfClosedAfterSendingIt() throws Exception {
    for (int i = 0; i < 5; i++) {
      try (RawHttp conn = new RawHttp(router.server().port())) {
        conn.send(RawHttp.request("POST", "/v2/models/iris/infer", Http.irisV2("input")));
        conn.shutdownOutput();
        RawHttp.Response r = conn.read();
        assertEquals(200, r.status(), r.body());
        assertEquals("stable", r.header("x-infergate-track"));
        assertEquals(
            RawHttp.Ending.CLOSED, conn.awaitEnd(5_000), "the router closes once it has answered");
      }
    }
  }

  @Test
  void answersItsOwnErrorToAHalfClosedClient() throws Exception {
    try (RawHttp conn = new RawHttp(router.server().port())) {
      conn.send(RawHttp.request("POST", "/v2/models/nope/infer", Http.irisV2("input")));
      conn.shutdownOutput();
      RawHttp.Response r = conn.read();
      assertEquals(404, r.status(), r.body());
      assertEquals(RawHttp.Ending.CLOSED, conn.awaitEnd(5_000));
    }
  }

  @Test
  void closesAnIdleConnectionWhoseClientHalfClosed() throws Exception {
    try (RawHttp conn = new RawHttp(router.server().port())) {
      assertEquals(200, conn.exchange("GET", "/v2/health/ready", null).status());
      conn.shutdownOutput();
      assertEquals(
          RawHttp.Ending.CLOSED,
          conn.awaitEnd(5_000),
          "nothing more can come: the connection is closed");
    }
  }

  @Test
  void anHttpVersionOtherThanOneGetsAJson400NotAnEmpty501() throws Exception {
    for (String version : new String[] {"HTTP/2.0", "http/1.1", "HTTP/1.2"}) {
      try (RawHttp conn = new RawHttp(router.server().port())) {
        conn.send(
            "POST /v2/models/iris/infer " + version + "\r\nhost: x\r\ncontent-length: 0\r\n\r\n");
        RawHttp.Response r = conn.read();
        assertEquals(400, r.status(), version + ": " + r.body());
        assertTrue(r.json().getString("error").startsWith("unsupported HTTP version"), r.body());
        assertEquals(RawHttp.Ending.CLOSED, conn.awaitEnd(5_000));
      }
    }
  }

  @Test
  void aBodyWithAMalformedChunkGetsAJson400InsteadOfASilentClose() throws Exception {
    int before = server.inferences();
    for (String method : new String[] {"POST", "GET"}) {
      try (RawHttp conn = new RawHttp(router.server().port())) {
        conn.send(
            method
                + " /v2/models/iris/infer HTTP/1.1\r\nhost: x\r\ntransfer-encoding: chunked\r\n\r\n"
                + "5\r\n{\"a\":\r\nzz\r\n");
        RawHttp.Response r = conn.read();
        assertEquals(400, r.status(), method + ": " + r.body());
        assertTrue(r.json().getString("error").startsWith("malformed request body"), r.body());
        assertEquals(r.header("x-request-id"), r.json().getString("requestId"));
        assertEquals(RawHttp.Ending.CLOSED, conn.awaitEnd(5_000));
      }
    }
    assertEquals(
        before, server.inferences(), "nothing of a malformed body reached the model server");
  }

  @Test
  void nothingAfterARequestThatClosesTheConnectionIsParsed() throws Exception {
    String body = Http.irisV2("input");
    int before = server.inferences();
    try (RawHttp conn = new RawHttp(router.server().port())) {
      // A Content-Length shorter than what follows, on a request that ends the connection: the rest
      // is
      // neither a second request nor an error that closes the connection before the answer (RFC
      // 9112 9.6).
      conn.send(
          "POST /v2/models/iris/infer HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-length: "
              + body.length()
              + "\r\n\r\n"
              + body
              + "GET /v2/health/live HTTP/1.1\r\nhost: x\r\n\r\n"
              + "x".repeat(6000));
      RawHttp.Response r = conn.read();
      assertEquals(200, r.status(), r.body());
      assertEquals("stable", r.header("x-infergate-track"));
      assertEquals(
          "",
          conn.readToClose(),
          "one answer, then the close: the live probe and the rest are not answered");
    }
    assertEquals(before + 1, server.inferences());
  }
}
