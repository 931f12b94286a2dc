package dev.infergate.router.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.router.testsupport.FakeModelServer;
import dev.infergate.router.testsupport.Http;
import dev.infergate.router.testsupport.RawHttp;
import dev.infergate.router.testsupport.RouterHarness;
import dev.infergate.router.testsupport.ServiceYaml;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import java.io.ByteArrayInputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Routing errors, limits and headers. */
class RequestHandlingTest {
  private static final String BODY = Http.irisV2("input");
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

  /**
   * The same 413 as the model server's (http-common LingeringClose): answered, then the connection
   * closes.
   */
  @Test
  void aBodyOverTheLimitGets413ThenTheConnectionCloses() throws Exception {
    int port = URI.create(router.url("/")).getPort();
    try (RawHttp conn = new RawHttp(port)) {
      conn.send(
          "POST /v2/models/iris/infer HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
              + "content-length: 10000000\r\n\r\n"
              + "x".repeat(1000));
      RawHttp.Response r = conn.read();
      assertEquals(413, r.status(), r.body());
      assertEquals("close", r.header("connection"));
      conn.send("x".repeat(1000)); // more of the refused body: dropped, not parsed as a request
      assertEquals(RawHttp.Ending.CLOSED, conn.awaitEnd(5_000));
    }
  }

  /**
   * An answer given before BodyReadStep to a request without a body leaves the keep-alive
   * connection serving.
   */
  @Test
  void anEarlyAnswerToARequestWithoutABodyKeepsTheConnectionServing() throws Exception {
    int port = URI.create(router.url("/")).getPort();
    try (RawHttp conn = new RawHttp(port)) {
      assertEquals(404, conn.exchange("GET", "/v2/models/nope", null).status());
      assertEquals(404, conn.exchange("GET", "/v2/models/nope/ready", null).status());
      assertEquals(
          200,
          conn.exchange("POST", "/v2/models/iris/infer", BODY).status(),
          "the same connection");
    }
  }

  @Test
  void unknownModelGets404Json() {
    Http.Response r = Http.post(router.url("/v2/models/nope/infer"), BODY);
    assertEquals(404, r.status());
    assertEquals("unknown model 'nope'", r.json().getString("error"));
    assertEquals(r.header("x-request-id"), r.json().getString("requestId"));
    assertTrue(r.header("content-type").startsWith("application/json"));
  }

  @Test
  void pathThatNamesNoModelGets404Json() {
    Http.Response r = Http.get(router.url("/v2/repository/index"));
    assertEquals(404, r.status());
    assertTrue(r.json().getString("error").startsWith("no route"), r.body());
    assertNull(r.header("connection"), "a refused request without a body keeps its connection");
  }

  @Test
  void theRouterAnswersItsOwnKServeHealthEndpoints() {
    Http.Response live = Http.get(router.url("/v2/health/live"));
    assertEquals(200, live.status(), live.body());
    assertTrue(live.json().getBoolean("live"));
    Http.Response ready = Http.get(router.url("/v2/health/ready"));
    assertEquals(200, ready.status(), ready.body());
    assertTrue(ready.json().getBoolean("ready"));
    assertTrue(ready.header("content-type").startsWith("application/json"));
    assertNotNull(ready.header("x-request-id"));
    assertNull(ready.header("connection"), "probes and clients keep their connection");
    Http.Response head =
        Http.send(
            Http.builder(router.url("/v2/health/ready"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .build());
    assertEquals(200, head.status());
    assertEquals("", head.body());
  }

  @Test
  void healthEndpointsRefuseOtherMethodsWith405() {
    Http.Response r = Http.post(router.url("/v2/health/ready"), "{}");
    assertEquals(405, r.status(), r.body());
    assertEquals("GET, HEAD", r.header("allow"));
    assertTrue(r.json().getString("error").contains("use GET"), r.body());
  }

  @Test
  void declaredBodyOverTheLimitGets413BeforeItIsRead() {
    Http.Response r = Http.post(router.url("/v2/models/iris/infer"), "x".repeat(70_000));
    assertEquals(413, r.status());
    assertTrue(r.json().getString("error").contains("over the limit of 65536 bytes"), r.body());
  }

  @Test
  void chunkedBodyGrowingPastTheLimitGets413() {
    byte[] big = new byte[200_000];
    HttpRequest req =
        Http.builder(router.url("/v2/models/iris/infer"))
            .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(big)))
            .build();
    Object outcome = Http.trySend(req);
    // The router answers 413 and closes; a client still writing may see the close first.
    if (outcome instanceof Http.Response r) {
      assertEquals(413, r.status(), r.body());
      assertTrue(r.json().getString("error").contains("over the limit"), r.body());
    } else {
      assertTrue(outcome instanceof java.io.IOException, String.valueOf(outcome));
    }
    assertEquals(
        200, Http.post(router.url("/v2/models/iris/infer"), BODY).status(), "router still serves");
  }

  @Test
  void chunkedBodyUnderTheLimitIsForwardedWhole() {
    byte[] body = BODY.getBytes();
    HttpRequest req =
        Http.builder(router.url("/v2/models/iris/infer"))
            .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body)))
            .build();
    Http.Response r = Http.send(req);
    assertEquals(200, r.status(), r.body());
    assertEquals(body.length, r.json().getInteger("body_bytes"));
  }

  @Test
  void createsRequestIdAndTraceparentAndSendsThemUpstream() {
    Http.Response r = Http.post(router.url("/v2/models/iris/infer"), BODY);
    String id = r.header("x-request-id");
    assertNotNull(id);
    Map<String, String> upstream = server.lastHeaders();
    assertEquals(id, upstream.get("x-request-id"));
    assertTrue(
        upstream.get("traceparent").matches("00-[0-9a-f]{32}-[0-9a-f]{16}-01"),
        upstream.get("traceparent"));
  }

  @Test
  void propagatesTheClientsTraceparent() {
    String tp = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    Http.post(
        router.url("/v2/models/iris/infer"), BODY, "traceparent", tp, "x-request-id", "abc-1");
    assertEquals(tp, server.lastHeaders().get("traceparent"));
    assertEquals("abc-1", server.lastHeaders().get("x-request-id"));
  }

  @Test
  void stripsHopByHopHeadersAndAddsForwardingHeaders() throws Exception {
    HttpClient client = vertx.createHttpClient();
    try {
      HttpClientResponse resp =
          client
              .request(
                  new RequestOptions()
                      .setMethod(HttpMethod.POST)
                      .setAbsoluteURI(router.url("/v2/models/iris/infer")))
              .compose(
                  req -> {
                    req.putHeader("connection", "keep-alive, x-private-hop");
                    req.putHeader("x-private-hop", "secret");
                    req.putHeader("keep-alive", "timeout=5");
                    req.putHeader("proxy-authorization", "Basic abc");
                    req.putHeader("te", "trailers");
                    req.putHeader("x-end-to-end", "kept");
                    req.putHeader("x-forwarded-for", "10.0.0.1");
                    req.putHeader("forwarded", "for=10.0.0.1");
                    return req.send(Buffer.buffer(BODY));
                  })
              .compose(
                  r ->
                      r.body()
                          .map(
                              body ->
                                  r)) // read the body on the event loop, before it can be missed
              .await(10, TimeUnit.SECONDS);
      assertEquals(200, resp.statusCode());
      assertEquals("stable", resp.getHeader("x-infergate-track"));
      Map<String, String> h = server.lastHeaders();
      assertFalse(h.containsKey("x-private-hop"), h.toString());
      assertFalse(h.containsKey("keep-alive"), h.toString());
      assertFalse(h.containsKey("proxy-authorization"), h.toString());
      assertFalse(h.containsKey("te"), h.toString());
      assertEquals("kept", h.get("x-end-to-end"));
      assertEquals("10.0.0.1, 127.0.0.1", h.get("x-forwarded-for"));
      assertTrue(
          h.get("forwarded").startsWith("for=10.0.0.1, for=127.0.0.1;host="), h.get("forwarded"));
      assertFalse(h.get("forwarded").contains("\n"), "one Forwarded header: " + h.get("forwarded"));
      assertEquals("http", h.get("x-forwarded-proto"));
    } finally {
      client.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void forwardsHeaderBytesAsTheyCameAndKeepsEveryEarlierHop() throws Exception {
    URI url = URI.create(router.url("/v2/models/iris/infer"));
    String request =
        "POST "
            + url.getPath()
            + " HTTP/1.1\r\nHost: "
            + url.getAuthority()
            + "\r\n"
            + "x-forwarded-for: 10.0.0.1\r\nX-Forwarded-For: 10.0.0.2, 10.0.0.3\r\n"
            + "x-note: caf\u00e9\r\n" // obs-text (RFC 9110 §5.5): one byte, 0xE9
            + "Content-Type: application/json\r\nContent-Length: "
            + BODY.length()
            + "\r\nConnection: close\r\n\r\n"
            + BODY;
    try (Socket socket = new Socket(url.getHost(), url.getPort())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
      String answer =
          new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      assertTrue(answer.startsWith("HTTP/1.1 200"), answer);
    }
    Map<String, String> h = server.lastHeaders();
    assertEquals("10.0.0.1, 10.0.0.2, 10.0.0.3, 127.0.0.1", h.get("x-forwarded-for"));
    assertEquals("caf\u00e9", h.get("x-note"));
  }
}
