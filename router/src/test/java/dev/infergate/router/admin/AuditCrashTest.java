package dev.infergate.router.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.router.RouterMain;
import dev.infergate.router.testsupport.Http;
import dev.infergate.router.testsupport.LaunchedProcess;
import dev.infergate.router.testsupport.Poll;
import dev.infergate.router.testsupport.ServiceYaml;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A router process killed (SIGKILL) while operators' changes are being written: after the restart,
 * the change in force is the last one the audit log records as made, and no temporary file is left.
 */
class AuditCrashTest {
  private static final int ROUNDS = 4;
  private static final int PARALLEL_CHANGES = 20;

  private static LaunchedProcess startRouter(Path config) throws Exception {
    return LaunchedProcess.start(
        "router",
        List.of(
            LaunchedProcess.java(),
            "-Xmx128m",
            "-cp",
            System.getProperty("java.class.path"),
            RouterMain.class.getName(),
            "--config",
            config.toString()));
  }

  private static int adminPort(LaunchedProcess router) {
    return router.awaitPort(
        Pattern.compile("admin listening on http://127\\.0\\.0\\.1:(\\d+)"),
        Duration.ofSeconds(30));
  }

  @Test
  void everyChangeInForceAfterAKillHasItsAuditRecord(@TempDir Path dir) throws Exception {
    Path config = dir.resolve("router.yaml");
    Files.writeString(
        config,
        "stateFile: "
            + dir.resolve("router-state.json")
            + "\n"
            + ServiceYaml.config(
                new ServiceYaml("iris")
                    .track("stable", 90, "1", "http://127.0.0.1:1")
                    .track("canary", 10, "2", "http://127.0.0.1:2")));
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    for (int round = 0; round < ROUNDS; round++) {
      try (LaunchedProcess router = startRouter(config)) {
        int port = adminPort(router);
        checkInForceIsAudited(dir, port, round);
        AtomicInteger answered = new AtomicInteger();
        List<CompletableFuture<?>> changes = new ArrayList<>();
        for (int i = 0; i < PARALLEL_CHANGES; i++) {
          int canary = (round * PARALLEL_CHANGES + i) % 101;
          changes.add(
              client
                  .sendAsync(
                      HttpRequest.newBuilder(
                              URI.create(
                                  "http://127.0.0.1:" + port + "/admin/services/iris/weights"))
                          .PUT(
                              HttpRequest.BodyPublishers.ofString(
                                  "{\"stable\": "
                                      + (100 - canary)
                                      + ", \"canary\": "
                                      + canary
                                      + "}"))
                          .build(),
                      HttpResponse.BodyHandlers.discarding())
                  .thenRun(answered::incrementAndGet));
        }
        // Kill at a different point of the burst each round, while later changes are being written.
        int killAfter = 1 + round * 4;
        Poll.until(
            Duration.ofSeconds(30),
            () -> answered.get() >= killAfter,
            killAfter + " changes to be answered");
        router.kill();
        changes.forEach(c -> c.cancel(true));
      }
    }
    try (LaunchedProcess router = startRouter(config)) {
      checkInForceIsAudited(dir, adminPort(router), ROUNDS);
    }
  }

  /**
   * The weights in force are the "new" of the last change the audit log does not mark abandoned.
   */
  private static void checkInForceIsAudited(Path dir, int adminPort, int round) throws Exception {
    JsonObject inForce =
        Http.get("http://127.0.0.1:" + adminPort + "/admin/services/iris")
            .json()
            .getJsonObject("weights");
    JsonObject lastAudited = new JsonObject().put("stable", 90).put("canary", 10);
    Path auditFile = dir.resolve("audit.jsonl");
    List<JsonObject> records = new ArrayList<>();
    if (Files.exists(auditFile)) {
      for (String line : Files.readAllLines(auditFile)) {
        try {
          records.add(new JsonObject(line));
        } catch (RuntimeException tornByTheKill) {
          // a record whose write the kill cut short
        }
      }
    }
    Set<Long> abandoned = new HashSet<>();
    records.stream()
        .filter(r -> "abandoned".equals(r.getString("action")))
        .forEach(r -> abandoned.add(r.getLong("abandons")));
    for (JsonObject record : records) {
      if (!"abandoned".equals(record.getString("action"))
          && !abandoned.contains(record.getLong("seq"))) {
        lastAudited = record.getJsonObject("new").getJsonObject("weights");
      }
    }
    assertEquals(
        lastAudited,
        inForce,
        "round "
            + round
            + ": the change in force is the last audited one; audit:\n"
            + String.join("\n", records.stream().map(JsonObject::encode).toList()));
    try (var files = Files.list(dir)) {
      List<Path> temps = files.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList();
      assertTrue(temps.isEmpty(), "round " + round + ": temporary files left: " + temps);
    }
  }
}
