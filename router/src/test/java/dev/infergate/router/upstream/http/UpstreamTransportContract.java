package dev.infergate.router.upstream.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.router.config.UpstreamConfig;
import dev.infergate.router.testsupport.Poll;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link UpstreamTransport} must do, against a real HTTP server on 127.0.0.1: the
 * request as the model server sees it (the router's headers, hop-by-hop ones gone, the body), the
 * response head and body, keep-alive reuse, HEAD, refusal as a {@link ConnectException}, a close
 * before the head as anything else, and a reset that reports nothing. Subclasses name the
 * transport.
 */
abstract class UpstreamTransportContract {
  private Vertx vertx;
  private HttpServer server;
  private Context context;
  private UpstreamTransport transport;
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger closed = new AtomicInteger();
  private final ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<HttpServerRequest> held = new ConcurrentLinkedQueue<>();

  /** A request as the server got it. */
  record Received(HttpMethod method, String uri, MultiMap headers, Buffer body) {}

  abstract UpstreamConfig.Transport kind();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    server =
        vertx
            .createHttpServer()
            .connectionHandler(
                c -> {
                  connections.incrementAndGet();
                  c.closeHandler(v -> closed.incrementAndGet());
                })
            .requestHandler(
                req -> {
                  String mode = req.getHeader("x-mode");
                  if ("hold".equals(mode)) {
                    held.add(req);
                    return;
                  }
                  if ("close".equals(mode)) {
                    req.connection().close();
                    return;
                  }
                  req.body()
                      .onSuccess(
                          body -> {
                            received.add(
                                new Received(
                                    req.method(),
                                    req.uri(),
                                    MultiMap.caseInsensitiveMultiMap().addAll(req.headers()),
                                    body));
                            var resp =
                                req.response()
                                    .putHeader("x-upstream", "yes")
                                    .putHeader("content-type", "application/json");
                            switch (mode == null ? "" : mode) {
                              case "chunked" -> {
                                resp.setChunked(true);
                                resp.write("{\"part\":1,");
                                resp.end("\"end\":true}");
                              }
                              case "500" -> resp.setStatusCode(500).end("{\"error\":\"boom\"}");
                              case "echo" -> resp.end(body);
                              default ->
                                  resp.end(req.method() == HttpMethod.HEAD ? "" : "{\"ok\":true}");
                            }
                          });
                })
            .listen(0, "127.0.0.1")
            .await();
    context = vertx.getOrCreateContext();
    CompletableFuture<UpstreamTransport> made = new CompletableFuture<>();
    context.runOnContext(v -> made.complete(UpstreamTransports.create(kind(), context, 60_000)));
    transport = made.get(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() {
    context.runOnContext(v -> transport.close());
    vertx.close().await();
  }

  /**
   * What a send produced: the head's status and headers and the body, or the failure before the
   * head.
   */
  record Result(int status, Map<String, String> headers, Buffer body, Throwable failure) {}

  private static OutboundRequest request(HttpMethod method, Buffer body, String... clientHeaders) {
    MultiMap headers = MultiMap.caseInsensitiveMultiMap();
    for (int i = 0; i < clientHeaders.length; i += 2) {
      headers.add(clientHeaders[i], clientHeaders[i + 1]);
    }
    return new OutboundRequest(
        method,
        headers,
        "req-42",
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        "192.0.2.7",
        "router.test",
        "http",
        true,
        body);
  }

  private CompletableFuture<Result> send(OutboundRequest request, int port, String uri) {
    CompletableFuture<Result> result = new CompletableFuture<>();
    context.runOnContext(
        v ->
            transport.send(
                request,
                "127.0.0.1",
                port,
                "127.0.0.1:" + port,
                uri,
                2000,
                new UpstreamExchange.Listener() {
                  @Override
                  public void head(UpstreamExchange response) {
                    Map<String, String> headers = new java.util.LinkedHashMap<>();
                    response
                        .headers()
                        .forEachRemaining(
                            h ->
                                headers.put(
                                    h.getKey().toString().toLowerCase(), h.getValue().toString()));
                    Buffer body = Buffer.buffer();
                    response.handler(body::appendBuffer);
                    response.exceptionHandler(result::completeExceptionally);
                    response.endHandler(
                        end ->
                            result.complete(
                                new Result(response.statusCode(), headers, body, null)));
                  }

                  @Override
                  public void failed(Throwable cause) {
                    result.complete(new Result(0, Map.of(), null, cause));
                  }
                }));
    return result;
  }

  private Result sendAndWait(OutboundRequest request, String uri) throws Exception {
    return send(request, server.actualPort(), uri).get(10, TimeUnit.SECONDS);
  }

  @Test
  void theModelServerGetsTheRequestWithTheRoutersHeadersAndTheBody() throws Exception {
    Buffer body = Buffer.buffer("{\"inputs\":[1,2,3]}");
    Result r =
        sendAndWait(
            request(
                HttpMethod.POST,
                body,
                "Content-Type",
                "application/json",
                "X-Custom",
                "kept",
                "Connection",
                "keep-alive, X-Hop",
                "X-Hop",
                "dropped",
                "Keep-Alive",
                "timeout=5",
                "TE",
                "trailers",
                "Authorization",
                "Bearer secret",
                "X-Forwarded-For",
                "203.0.113.1",
                "Forwarded",
                "for=203.0.113.1",
                "x-request-id",
                "client-chosen",
                "Content-Length",
                "999"),
            "/v2/models/iris/versions/1/infer?x=1");
    assertEquals(200, r.status());
    Received got = received.poll();
    assertEquals(HttpMethod.POST, got.method());
    assertEquals("/v2/models/iris/versions/1/infer?x=1", got.uri());
    MultiMap h = got.headers();
    assertEquals("127.0.0.1:" + server.actualPort(), h.get("host"));
    assertEquals("kept", h.get("x-custom"));
    assertEquals("application/json", h.get("content-type"));
    assertNull(h.get("x-hop"), "named by Connection: hop-by-hop");
    assertNull(h.get("keep-alive"));
    assertNull(h.get("te"));
    assertNull(h.get("authorization"), "a verified token stays at the router");
    assertEquals(List.of("req-42"), h.getAll("x-request-id"));
    assertEquals("00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01", h.get("traceparent"));
    assertEquals("203.0.113.1, 192.0.2.7", h.get("x-forwarded-for"));
    assertEquals(
        "for=203.0.113.1, for=192.0.2.7;host=\"router.test\";proto=http", h.get("forwarded"));
    assertEquals("http", h.get("x-forwarded-proto"));
    assertEquals("router.test", h.get("x-forwarded-host"));
    assertEquals(String.valueOf(body.length()), h.get("content-length"));
    assertEquals(body, got.body());
  }

  @Test
  void theResponseHeadAndAStreamedBodyArriveWhole() throws Exception {
    Result r =
        sendAndWait(
            request(HttpMethod.POST, Buffer.buffer("{}"), "x-mode", "chunked"),
            "/v2/models/m/infer");
    assertEquals(200, r.status());
    assertEquals("yes", r.headers().get("x-upstream"));
    assertEquals("chunked", r.headers().get("transfer-encoding"));
    assertEquals("{\"part\":1,\"end\":true}", r.body().toString());
  }

  @Test
  void aLargeBodyGoesAndComesBackWhole() throws Exception {
    byte[] bytes = new byte[2 * 1024 * 1024];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = (byte) ('a' + i % 26);
    }
    Result r =
        sendAndWait(
            request(HttpMethod.POST, Buffer.buffer(bytes), "x-mode", "echo"), "/v2/models/m/infer");
    assertArrayEquals(bytes, r.body().getBytes());
  }

  @Test
  void aHeadRequestsResponseHasNoBodyWhateverItsHeadersSay() throws Exception {
    Result r = sendAndWait(request(HttpMethod.HEAD, null), "/v2/models/m");
    assertEquals(200, r.status());
    assertEquals(0, r.body().length());
    assertEquals(HttpMethod.HEAD, received.poll().method());
  }

  @Test
  void keepAliveConnectionsAreReusedAndOneRequestCanBeSentAgain() throws Exception {
    OutboundRequest once =
        request(HttpMethod.POST, Buffer.buffer("{\"same\":true}"), "x-mode", "500");
    assertEquals(500, sendAndWait(once, "/a").status());
    assertEquals(500, sendAndWait(once, "/b").status());
    assertEquals(Buffer.buffer("{\"same\":true}"), received.poll().body());
    assertEquals(
        Buffer.buffer("{\"same\":true}"), received.poll().body(), "the same request written again");
    assertEquals(1, connections.get(), "one keep-alive connection");
  }

  @Test
  void aRefusedConnectionIsAConnectException() throws Exception {
    int closedPort;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = probe.getLocalPort();
    }
    Result r = send(request(HttpMethod.GET, null), closedPort, "/").get(10, TimeUnit.SECONDS);
    assertInstanceOf(ConnectException.class, r.failure());
  }

  @Test
  void aConnectionClosedBeforeTheHeadIsNotAConnectException() throws Exception {
    Result r =
        sendAndWait(
            request(HttpMethod.POST, Buffer.buffer("{}"), "x-mode", "close"), "/v2/models/m/infer");
    assertInstanceOf(IOException.class, r.failure());
    assertFalse(
        r.failure() instanceof ConnectException, "the request reached the server: " + r.failure());
  }

  @Test
  void aResetExchangeClosesItsConnectionAndReportsNothing() throws Exception {
    List<String> reported = new ArrayList<>();
    CompletableFuture<UpstreamExchange> sent = new CompletableFuture<>();
    context.runOnContext(
        v ->
            sent.complete(
                transport.send(
                    request(HttpMethod.POST, Buffer.buffer("{}"), "x-mode", "hold"),
                    "127.0.0.1",
                    server.actualPort(),
                    "127.0.0.1:" + server.actualPort(),
                    "/v2/models/m/infer",
                    2000,
                    new UpstreamExchange.Listener() {
                      @Override
                      public void head(UpstreamExchange response) {
                        reported.add("head");
                      }

                      @Override
                      public void failed(Throwable cause) {
                        reported.add("failed " + cause);
                      }
                    })));
    UpstreamExchange exchange = sent.get(10, TimeUnit.SECONDS);
    Poll.until(Duration.ofSeconds(10), () -> !held.isEmpty(), "the request reaches the server");
    context.runOnContext(v -> exchange.reset());
    Poll.until(Duration.ofSeconds(10), () -> closed.get() == 1, "the reset closes the connection");
    held.poll().response().end("too late");
    CompletableFuture<List<String>> seen = new CompletableFuture<>();
    context.runOnContext(
        v -> seen.complete(List.copyOf(reported))); // after every callback queued before it
    assertTrue(
        seen.get(10, TimeUnit.SECONDS).isEmpty(), "nothing reported after a reset: " + reported);
  }
}
