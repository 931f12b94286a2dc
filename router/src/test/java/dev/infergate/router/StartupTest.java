package dev.infergate.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.router.config.ConfigException;
import dev.infergate.router.config.ConfigLoader;
import dev.infergate.router.testsupport.FakeModelServer;
import dev.infergate.router.testsupport.Http;
import dev.infergate.router.testsupport.LaunchedProcess;
import dev.infergate.router.testsupport.Poll;
import dev.infergate.router.testsupport.ServiceYaml;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RouterMain as a real process: fail fast on bad config, listening lines, graceful SIGTERM. */
class StartupTest {
  private static List<String> routerCommand(Path config) {
    return List.of(
        LaunchedProcess.java(),
        "-Xmx128m",
        "-cp",
        System.getProperty("java.class.path"),
        RouterMain.class.getName(),
        "--config",
        config.toString());
  }

  @Test
  void invalidConfigFailsTheStartNamingTheField(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("router.yaml");
    Files.writeString(
        file,
        ServiceYaml.config(
            new ServiceYaml("iris")
                .track("stable", 90, "1", "http://127.0.0.1:1")
                .track("canary", 20, "2", "http://127.0.0.1:2")));
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                RouterServer.start(
                    new ConfigLoader(file, Map.of()),
                    new PrintStream(new ByteArrayOutputStream())));
    assertTrue(
        e.getMessage().endsWith("services.iris.tracks: weights must sum to 100, they sum to 110"),
        e.getMessage());

    LaunchedProcess p = LaunchedProcess.start("router-bad-config", routerCommand(file));
    assertTrue(p.process().waitFor(30, TimeUnit.SECONDS), "router did not exit");
    assertEquals(2, p.process().exitValue());
    Poll.until(
        Duration.ofSeconds(5),
        () -> p.output().contains("invalid configuration"),
        "the error on stderr");
    assertTrue(p.output().contains("weights must sum to 100, they sum to 110"), p.output());
  }

  @Test
  void finishesRequestsInFlightOnSigterm(@TempDir Path dir) throws Exception {
    Vertx vertx = Vertx.vertx();
    FakeModelServer slow = FakeModelServer.start(vertx, "slow").mode(FakeModelServer.Mode.SLOW);
    Path file = dir.resolve("router.yaml");
    Files.writeString(
        file, ServiceYaml.config(new ServiceYaml("iris").track("stable", 100, "1", slow.url())));
    try (LaunchedProcess router = LaunchedProcess.start("router", routerCommand(file))) {
      int port =
          router.awaitPort(
              Pattern.compile("infergate router listening on http://127\\.0\\.0\\.1:(\\d+)"),
              Duration.ofSeconds(30));
      router.awaitPort(
          Pattern.compile("admin listening on http://127\\.0\\.0\\.1:(\\d+)"),
          Duration.ofSeconds(5));
      CompletableFuture<HttpResponse<String>> inFlight =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .build()
              .sendAsync(
                  HttpRequest.newBuilder(
                          URI.create("http://127.0.0.1:" + port + "/v2/models/iris/infer"))
                      .POST(HttpRequest.BodyPublishers.ofString(Http.irisV2("input")))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      Poll.until(
          Duration.ofSeconds(10),
          () -> slow.inferences() == 1,
          "the request to reach the model server");
      router.terminate(Duration.ofSeconds(20));
      HttpResponse<String> r = inFlight.get(10, TimeUnit.SECONDS);
      assertEquals(200, r.statusCode(), r.body());
    } finally {
      vertx.close().await();
    }
  }
}
