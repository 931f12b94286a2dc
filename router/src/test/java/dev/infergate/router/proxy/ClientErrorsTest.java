package dev.infergate.router.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.router.testsupport.FakeModelServer;
import dev.infergate.router.testsupport.Http;
import dev.infergate.router.testsupport.Ports;
import dev.infergate.router.testsupport.RouterHarness;
import dev.infergate.router.testsupport.ServiceYaml;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What clients are told and what the router logs when a request fails: the reason for the client,
 * never an internal address; client errors are not server errors in the log.
 */
class ClientErrorsTest {
  private static Vertx vertx;
  private static FakeModelServer backend;
  private static RouterHarness router;
  private static int dead1;
  private static int dead2;
  private static final List<LogRecord> problems = new CopyOnWriteArrayList<>();
  private static final Handler CAPTURE =
      new Handler() {
        @Override
        public void publish(LogRecord record) {
          if (record.getLevel().intValue() >= Level.SEVERE.intValue()
              || record.getLevel().intValue() >= Level.WARNING.intValue()
                  && record.getThrown() != null) {
            problems.add(record);
          }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
      };

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    backend = FakeModelServer.start(vertx, "backend");
    dead1 = Ports.refused();
    dead2 = Ports.refused();
    router =
        RouterHarness.start(
            ServiceYaml.configWith(
                "rateLimits:\n  default: { perSecond: 1, burst: 1 }\n",
                new ServiceYaml("iris").track("stable", 100, "1", backend.url()),
                new ServiceYaml("dead")
                    .track(
                        "stable",
                        100,
                        "1",
                        "http://127.0.0.1:" + dead1,
                        "http://127.0.0.1:" + dead2)));
    Logger.getLogger("").addHandler(CAPTURE);
  }

  @AfterAll
  static void stop() throws Exception {
    Logger.getLogger("").removeHandler(CAPTURE);
    router.close();
    vertx.close().await();
  }

  /** One request on its own connection, read until the router closes it. */
  private static String exchange(String request) throws Exception {
    URI url = URI.create(router.url("/"));
    try (Socket socket = new Socket(url.getHost(), url.getPort())) {
      socket.setSoTimeout(10_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream answer = new ByteArrayOutputStream();
      byte[] buffer = new byte[8192];
      int n;
      while ((n = in.read(buffer)) > 0) {
        answer.write(buffer, 0, n);
      }
      return answer.toString(StandardCharsets.UTF_8);
    }
  }

  private static String post(String path, String consumer, String body) {
    return "POST "
        + path
        + " HTTP/1.1\r\nhost: x\r\nx-infergate-consumer: "
        + consumer
        + "\r\nconnection: close\r\n"
        + "content-type: application/json\r\ncontent-length: "
        + body.length()
        + "\r\n\r\n"
        + body;
  }

  @Test
  void a503AfterEveryUpstreamFailedNamesNoAddress() {
    Http.Response r = Http.post(router.url("/v2/models/dead/infer"), Http.irisV2("input"));
    assertEquals(503, r.status(), r.body());
    String error = r.json().getString("error");
    assertTrue(error.contains("connection refused"), error);
    for (String internal :
        List.of(
            "127.0.0.1",
            "localhost",
            ":" + dead1,
            ":" + dead2,
            String.valueOf(dead1),
            String.valueOf(dead2),
            "Exception")) {
      assertFalse(r.body().contains(internal), "the answer names " + internal + ": " + r.body());
    }
  }

  @Test
  void clientErrorsAreNotLoggedAsServerErrors() throws Exception {
    String body = Http.irisV2("input");
    String[][] cases = {
      {post("/v2/models/nope/infer", "a", body), "HTTP/1.1 404"},
      {post("/v2/models/iris/infer", "limited", body), "HTTP/1.1 200"},
      {post("/v2/models/iris/infer", "limited", body), "HTTP/1.1 429"},
      {post("/v2/models/iris/infer", "b", "x".repeat(70_000)), "HTTP/1.1 413"},
      {
        "POST /v2/models/iris/infer HTTP/1.1\r\nhost: x\r\ncontent-length: 12x\r\n\r\n{}",
        "HTTP/1.1 400"
      },
    };
    for (String[] c : cases) {
      String answer = exchange(c[0]);
      assertTrue(answer.startsWith(c[1]), c[1] + " expected: " + answer);
    }
    assertEquals(
        List.of(),
        problems.stream()
            .map(
                r ->
                    r.getLevel()
                        + " "
                        + r.getLoggerName()
                        + ": "
                        + r.getMessage()
                        + (r.getThrown() == null ? "" : " " + r.getThrown()))
            .toList());
  }
}
