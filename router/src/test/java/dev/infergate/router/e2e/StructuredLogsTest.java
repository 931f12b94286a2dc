package dev.infergate.router.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.router.testsupport.Http;
import dev.infergate.router.testsupport.LaunchedProcess;
import dev.infergate.router.testsupport.ModelServerProcess;
import dev.infergate.router.testsupport.Poll;
import dev.infergate.router.testsupport.ServiceYaml;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code logFormat: json}: the router and a model server, as real processes, log one JSON object a
 * line (level, time, logger, message, and the request and trace id of the request it was logged
 * for), and a client error is logged without a stack trace. FINE is on so that client errors are
 * logged at all.
 */
class StructuredLogsTest {
  private static final String TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
  private static final String TRACEPARENT = "00-" + TRACE_ID + "-00f067aa0ba902b7-01";
  private static final Pattern ROUTER_LISTENING =
      Pattern.compile("infergate router listening on http://[^:]+:(\\d+)");
  private static final Pattern ADMIN_LISTENING =
      Pattern.compile("^admin listening on http://[^:]+:(\\d+)");

  /** What both print on stdout for their launchers (not log records). */
  private static final Pattern BANNER =
      Pattern.compile("^(infergate router|infergate model-server|admin) listening on ");

  private static ModelServerProcess modelServer;
  private static LaunchedProcess router;
  private static int routerPort;
  private static int routerAdminPort;

  @BeforeAll
  static void start() throws Exception {
    Path dir = Files.createTempDirectory("infergate-logs");
    Path logging =
        Files.writeString(
            dir.resolve("logging.properties"),
            String.join(
                "\n",
                "handlers=java.util.logging.ConsoleHandler",
                ".level=INFO",
                "dev.infergate.level=FINE",
                "java.util.logging.ConsoleHandler.level=FINE",
                ""));
    List<String> jvm = List.of("-Djava.util.logging.config.file=" + logging);
    Path modelServerYaml = Files.writeString(dir.resolve("model-server.yaml"), "logFormat: json\n");
    modelServer =
        ModelServerProcess.launch(
                "model-server-json-logs",
                "config/models",
                jvm,
                List.of("--config", modelServerYaml.toString()))
            .awaitReady();
    Path routerYaml =
        Files.writeString(
            dir.resolve("router.yaml"),
            ServiceYaml.configWith(
                "logFormat: json\nstateFile: " + dir.resolve("state.json") + "\n",
                new ServiceYaml("iris")
                    .track("stable", 100, "1", modelServer.url())
                    .track("canary", 0, "2", modelServer.url())));
    List<String> cmd =
        new ArrayList<>(List.of(LaunchedProcess.java(), "-Xmx256m", "-XX:TieredStopAtLevel=1"));
    cmd.addAll(jvm);
    // The router's own classes and dependencies, as these tests run them: router.jar is only
    // packaged
    // after the tests in `mvn verify`. (Surefire's class path is a jar whose manifest lists them
    // all.)
    cmd.addAll(
        List.of(
            "-cp",
            System.getProperty("java.class.path"),
            "dev.infergate.router.RouterMain",
            "--config",
            routerYaml.toString()));
    router = LaunchedProcess.start("router-json-logs", cmd);
    routerPort = router.awaitPort(ROUTER_LISTENING, Duration.ofSeconds(60));
    routerAdminPort = router.awaitPort(ADMIN_LISTENING, Duration.ofSeconds(60));
  }

  @AfterAll
  static void stop() throws Exception {
    if (router != null) {
      router.close();
    }
    if (modelServer != null) {
      modelServer.close();
    }
  }

  @Test
  void aClientErrorIsLoggedAsOneJsonLineWithTheRequestAndTraceIdAndNoStack() throws Exception {
    // A gzip body whose deflate data is corrupt: the model server answers 400 and logs it at FINE.
    Http.Response bad =
        Http.send(
            Http.builder(
                    modelServer.url() + "/v2/models/iris/infer",
                    "content-encoding",
                    "gzip",
                    "x-request-id",
                    "bad-json-1",
                    "traceparent",
                    TRACEPARENT)
                .POST(HttpRequest.BodyPublishers.ofByteArray(corruptGzip()))
                .build());
    assertEquals(400, bad.status(), bad.body());

    JsonObject line = awaitLine(modelServer::output, "requestId", "bad-json-1");
    assertEquals(TRACE_ID, line.getString("traceId"), line.encode());
    assertEquals("FINE", line.getString("level"));
    assertTrue(line.getString("message").contains("400"), line.encode());
    assertFalse(line.containsKey("stack"), "a client error carries no stack: " + line.encode());
    assertEveryLogLineIsJson(modelServer.output());
  }

  @Test
  void aRouterAdminChangeIsLoggedWithTheRequestIdOfTheAdminRequest() {
    Http.Response change =
        Http.send(
            Http.builder(
                    "http://127.0.0.1:" + routerAdminPort + "/admin/services/iris/weights",
                    "x-request-id",
                    "admin-change-1",
                    "traceparent",
                    TRACEPARENT)
                .PUT(HttpRequest.BodyPublishers.ofString("{\"stable\": 90, \"canary\": 10}"))
                .build());
    assertEquals(200, change.status(), change.body());

    JsonObject line = awaitLine(router::output, "requestId", "admin-change-1");
    assertEquals(TRACE_ID, line.getString("traceId"));
    assertEquals("INFO", line.getString("level"));
    assertEveryLogLineIsJson(router.output());
  }

  @Test
  void everyRouterLineFromStartUpOnIsJsonWithTimeLevelLoggerAndMessage() {
    Http.Response ok =
        Http.post("http://127.0.0.1:" + routerPort + "/v2/models/iris/infer", Http.irisV2("input"));
    assertEquals(200, ok.status(), ok.body());
    assertTrue(
        assertEveryLogLineIsJson(router.output()) > 0,
        "the router logged nothing:\n" + router.output());
    assertTrue(assertEveryLogLineIsJson(modelServer.output()) > 0, modelServer.output());
  }

  private static byte[] corruptGzip() throws java.io.IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    try (java.util.zip.GZIPOutputStream gzip = new java.util.zip.GZIPOutputStream(out)) {
      gzip.write("x".repeat(1000).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }
    byte[] bytes = out.toByteArray();
    for (int i = 12; i < bytes.length - 8; i++) { // the deflate data between header and trailer
      bytes[i] ^= 0x5a;
    }
    return bytes;
  }

  /**
   * @return how many log lines there were
   */
  private static int assertEveryLogLineIsJson(String output) {
    int count = 0;
    for (String line : output.split("\n")) {
      if (line.isBlank() || BANNER.matcher(line).find()) {
        continue;
      }
      JsonObject json;
      try {
        json = new JsonObject(line);
      } catch (DecodeException e) {
        throw new AssertionError("not a JSON line: " + line + "\n--- all output ---\n" + output, e);
      }
      for (String field : List.of("time", "level", "logger", "message")) {
        assertTrue(json.containsKey(field), field + " missing in " + line);
      }
      count++;
    }
    return count;
  }

  private static JsonObject awaitLine(
      java.util.function.Supplier<String> output, String field, String value) {
    JsonObject[] found = new JsonObject[1];
    try {
      awaitLine(output, field, value, found);
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "\n--- output ---\n" + output.get(), e);
    }
    return found[0];
  }

  private static void awaitLine(
      java.util.function.Supplier<String> output, String field, String value, JsonObject[] found) {
    Poll.until(
        Duration.ofSeconds(10),
        () -> {
          for (String line : output.get().split("\n")) {
            if (line.startsWith("{") && value.equals(new JsonObject(line).getString(field))) {
              found[0] = new JsonObject(line);
              return true;
            }
          }
          return false;
        },
        "a log line with " + field + "=" + value);
  }
}
