package dev.infergate.router.upstream.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.router.testsupport.Poll;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.internal.ContextInternal;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The upstream client's pool against a real server: the connection cap, waiting requests, refusals.
 */
class NettyPoolTest {
  private Vertx vertx;
  private HttpServer server;
  private final AtomicInteger connections = new AtomicInteger();
  private final AtomicInteger closed = new AtomicInteger();
  private final ConcurrentLinkedQueue<HttpServerRequest> held = new ConcurrentLinkedQueue<>();

  @BeforeEach
  void start() {
    vertx = Vertx.vertx();
    server =
        vertx
            .createHttpServer()
            .connectionHandler(
                c -> {
                  connections.incrementAndGet();
                  c.closeHandler(v -> closed.incrementAndGet());
                })
            .requestHandler(held::add)
            .listen(0, "127.0.0.1")
            .await();
  }

  @AfterEach
  void stop() {
    vertx.close().await();
  }

  /** A whole request as the client gets it from {@link RequestWriter}. */
  private static ByteBuf request(String requestLine, int port, String body) {
    String head =
        requestLine
            + " HTTP/1.1\r\nHost: 127.0.0.1:"
            + port
            + "\r\n"
            + (body == null ? "" : "Content-Length: " + body.length() + "\r\n")
            + "\r\n";
    return Unpooled.copiedBuffer(head + (body == null ? "" : body), StandardCharsets.ISO_8859_1);
  }

  /** Sends on the client's own event loop; completes with the status, or the failure. */
  private CompletableFuture<Object> send(ContextInternal context, NettyTransport client, int port) {
    CompletableFuture<Object> result = new CompletableFuture<>();
    context.runOnContext(
        v ->
            client.send(
                "127.0.0.1",
                port,
                "127.0.0.1:" + port,
                request("POST /v2/models/m/infer", port, "{}"),
                false,
                2000,
                new UpstreamExchange.Listener() {
                  @Override
                  public void head(UpstreamExchange response) {
                    Buffer body = Buffer.buffer();
                    response.handler(body::appendBuffer);
                    response.endHandler(end -> result.complete(response.statusCode() + " " + body));
                  }

                  @Override
                  public void failed(Throwable cause) {
                    result.complete(cause);
                  }
                }));
    return result;
  }

  @Test
  void requestsBeyondTheCapWaitForAConnectionAndReuseIt() throws Exception {
    ContextInternal context = (ContextInternal) vertx.getOrCreateContext();
    NettyTransport client = new NettyTransport(context, 60_000, 1);
    List<CompletableFuture<Object>> replies =
        List.of(
            send(context, client, server.actualPort()),
            send(context, client, server.actualPort()),
            send(context, client, server.actualPort()));
    for (int answered = 0; answered < 3; answered++) {
      Poll.until(
          java.time.Duration.ofSeconds(10), () -> !held.isEmpty(), "a request reaches the server");
      assertEquals(1, held.size(), "one connection, one request at a time");
      held.poll().response().end("ok");
    }
    for (CompletableFuture<Object> reply : replies) {
      assertEquals("200 ok", reply.get(10, TimeUnit.SECONDS));
    }
    assertEquals(1, connections.get(), "the waiting requests took the one connection in turn");
  }

  @Test
  void aRefusedConnectionIsAConnectException() throws Exception {
    int closedPort;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = probe.getLocalPort(); // closed synchronously: nothing listens there afterwards
    }
    ContextInternal context = (ContextInternal) vertx.getOrCreateContext();
    NettyTransport client = new NettyTransport(context, 60_000, 1);
    Object first = send(context, client, closedPort).get(10, TimeUnit.SECONDS);
    Object second = send(context, client, closedPort).get(10, TimeUnit.SECONDS);
    assertInstanceOf(ConnectException.class, first);
    assertInstanceOf(
        ConnectException.class, second, "a failed connect frees its place under the cap");
  }

  @Test
  void anAbandonedWaitingRequestIsNeverSent() throws Exception {
    ContextInternal context = (ContextInternal) vertx.getOrCreateContext();
    NettyTransport client = new NettyTransport(context, 60_000, 1);
    CompletableFuture<Object> first = send(context, client, server.actualPort());
    Promise<UpstreamExchange> waiting = Promise.promise();
    context.runOnContext(
        v ->
            waiting.complete(
                client.send(
                    "127.0.0.1",
                    server.actualPort(),
                    "127.0.0.1:" + server.actualPort(),
                    request("GET /x", server.actualPort(), null),
                    false,
                    2000,
                    new UpstreamExchange.Listener() {
                      @Override
                      public void head(UpstreamExchange response) {
                        throw new AssertionError("an abandoned request got an answer");
                      }

                      @Override
                      public void failed(Throwable cause) {
                        throw new AssertionError("an abandoned request reported a failure");
                      }
                    })));
    UpstreamExchange abandoned = waiting.future().await();
    context.runOnContext(v -> abandoned.reset());
    CompletableFuture<Object> third = send(context, client, server.actualPort());
    Poll.until(
        java.time.Duration.ofSeconds(10),
        () -> !held.isEmpty(),
        "the first request reaches the server");
    held.poll().response().end("one");
    assertEquals("200 one", first.get(10, TimeUnit.SECONDS));
    Poll.until(
        java.time.Duration.ofSeconds(10),
        () -> !held.isEmpty(),
        "the next request reaches the server");
    HttpServerRequest next = held.poll();
    assertTrue(
        next.path().startsWith("/v2/models/"), "the abandoned request was sent: " + next.path());
    next.response().end("three");
    assertEquals("200 three", third.get(10, TimeUnit.SECONDS));
  }

  @Test
  void aConnectionIdleInThePoolForTheTimeoutIsClosedAndTheNextRequestOpensAnother()
      throws Exception {
    ContextInternal context = (ContextInternal) vertx.getOrCreateContext();
    NettyTransport client = new NettyTransport(context, 200, 1);
    CompletableFuture<Object> first = send(context, client, server.actualPort());
    Poll.until(
        java.time.Duration.ofSeconds(10), () -> !held.isEmpty(), "the request reaches the server");
    held.poll().response().end("one");
    assertEquals("200 one", first.get(10, TimeUnit.SECONDS));
    Poll.until(
        java.time.Duration.ofSeconds(10),
        () -> closed.get() == 1,
        "the idle connection is closed by the client");
    CompletableFuture<Object> second = send(context, client, server.actualPort());
    Poll.until(
        java.time.Duration.ofSeconds(10),
        () -> !held.isEmpty(),
        "the next request reaches the server");
    held.poll().response().end("two");
    assertEquals("200 two", second.get(10, TimeUnit.SECONDS));
    assertEquals(2, connections.get(), "the closed connection was not taken from the pool again");
  }
}
