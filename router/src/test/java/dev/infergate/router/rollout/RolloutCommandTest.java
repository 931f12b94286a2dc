package dev.infergate.router.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.router.testsupport.AuthYaml;
import dev.infergate.router.testsupport.FakeModelServer;
import dev.infergate.router.testsupport.RouterHarness;
import dev.infergate.router.testsupport.ServiceYaml;
import dev.infergate.router.testsupport.TestKeys;
import dev.infergate.router.testsupport.TestTokens;
import io.vertx.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** {@code router.jar rollout ...} against a real router with auth. */
class RolloutCommandTest {
  private static Vertx vertx;
  private static RouterHarness router;
  private static String adminToken;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    FakeModelServer stable = FakeModelServer.start(vertx, "stable");
    FakeModelServer canary = FakeModelServer.start(vertx, "canary");
    TestKeys key = TestKeys.ec("ec-rollout-cli");
    adminToken = TestTokens.forSubject("ops-bob").roles(AuthYaml.ADMIN_ROLE).signEs256(key);
    Path dir = Files.createTempDirectory("infergate-rollout-cli");
    Path jwks = TestKeys.writeJwks(dir.resolve("jwks.json"), key);
    router =
        RouterHarness.start(
            dir,
            ServiceYaml.configWith(
                AuthYaml.auth(jwks),
                new ServiceYaml("iris")
                    .track("stable", 90, "1", stable.url())
                    .track("canary", 10, "2", canary.url())
                    .rollout(
                        "{ candidate: canary, baseline: stable, steps: [5, 20], stepSeconds: 3600 }")));
  }

  @AfterAll
  static void stop() throws Exception {
    router.close();
    vertx.close().await();
  }

  private record Run(int code, String out, String err) {}

  private static Run run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--admin", router.adminUrl("")));
    int code =
        RolloutCommand.run(
            all,
            Map.of("INFERGATE_ADMIN_TOKEN", adminToken),
            new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void startStatusAndAbortPrintPhaseWeightsAndReason() {
    Run started = run("start", "iris", "--body", "{\"steps\": [30]}");
    assertEquals(0, started.code(), started.err());
    assertTrue(started.out().startsWith("service iris   phase "), started.out());
    assertTrue(
        started.out().contains("step 0 of 1   candidate canary   baseline stable"), started.out());
    assertTrue(started.out().contains("reason  started by ops-bob"), started.out());
    Run status = run("status", "iris");
    assertEquals(0, status.code(), status.err());
    Run aborted = run("abort", "iris");
    assertEquals(0, aborted.code(), aborted.err());
    assertTrue(aborted.out().contains("phase aborted"), aborted.out());
    assertTrue(aborted.out().contains("weights   stable 100  canary 0"), aborted.out());
  }

  @Test
  void aRefusalPrintsTheRoutersErrorAndExits1() {
    Run r = run("pause", "nope");
    assertEquals(1, r.code());
    assertTrue(r.err().contains("404: unknown service 'nope'"), r.err());
    Run bad = run("start", "iris", "--body", "{\"steps\": [0]}");
    assertEquals(1, bad.code());
    assertTrue(bad.err().contains("400: rollout.steps[0]: must be 1..99"), bad.err());
  }

  @Test
  void withoutATokenTheRouterSays401() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        RolloutCommand.run(
            List.of("status", "iris", "--admin", router.adminUrl("")),
            Map.of(),
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));
    assertEquals(1, code);
    assertTrue(
        err.toString(StandardCharsets.UTF_8).contains("401"), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void usageProblemsExit2() {
    assertEquals(2, run("launch", "iris").code());
    assertEquals(2, run("status").code());
    assertEquals(2, run("status", "../admin").code());
    assertEquals(2, run("pause", "iris", "--body", "{}").code());
  }

  @Test
  void theTableHasARowPerAnalysedWindow() {
    String table =
        RolloutCommand.table(
            new io.vertx.core.json.JsonObject(
                """
        {"service": "iris", "phase": "running", "step": 2, "config": {"steps": [5, 20]},
         "candidate": "canary", "baseline": "stable", "weights": {"stable": 80, "canary": 20},
         "reason": "step 1 passed; step 2: weight 20",
         "analyses": [{"step": 1, "verdict": "pass", "requests": 120, "errors": 0, "errorPercent": 0.0,
           "candidateP99Millis": 12.3, "baselineP99Millis": 10.1, "p99Ratio": 1.22, "agreementPercent": null}]}
        """));
    assertTrue(table.contains("step 2 of 2"), table);
    assertTrue(table.contains("weights   stable 80  canary 20"), table);
    String row = table.lines().filter(l -> l.startsWith("1 ")).findFirst().orElseThrow();
    assertEquals(
        List.of("1", "pass", "120", "0", "0.00", "12.3", "10.1", "1.22", "-"),
        List.of(row.trim().split("\\s+")));
  }
}
