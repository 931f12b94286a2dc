package dev.infergate.router.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.router.testsupport.AuthYaml;
import dev.infergate.router.testsupport.FakeModelServer;
import dev.infergate.router.testsupport.Http;
import dev.infergate.router.testsupport.RouterHarness;
import dev.infergate.router.testsupport.ServiceYaml;
import dev.infergate.router.testsupport.TestKeys;
import dev.infergate.router.testsupport.TestTokens;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The admin write API on a real router with auth: role enforcement, weight changes, promote,
 * rollback and reset, the state file surviving a restart, and the audit log. Each test gets a fresh
 * router and state folder.
 */
class AdminWriteApiTest {
  private static Vertx vertx;
  private static FakeModelServer stable;
  private static FakeModelServer canary;
  private static TestKeys key;
  private static String adminToken;
  private Path dir;
  private String yaml;
  private RouterHarness router;

  @BeforeAll
  static void backends() throws Exception {
    vertx = Vertx.vertx();
    stable = FakeModelServer.start(vertx, "stable");
    canary = FakeModelServer.start(vertx, "canary");
    key = TestKeys.ec("ec-admin");
    adminToken = TestTokens.forSubject("ops-alice").roles(AuthYaml.ADMIN_ROLE).signEs256(key);
  }

  @AfterAll
  static void stopBackends() throws Exception {
    vertx.close().await();
  }

  @BeforeEach
  void start() throws Exception {
    dir = Files.createTempDirectory("infergate-admin-test");
    Path jwks = TestKeys.writeJwks(dir.resolve("jwks.json"), key);
    yaml =
        ServiceYaml.configWith(
            AuthYaml.auth(jwks),
            new ServiceYaml("iris")
                .track("stable", 90, "1", stable.url())
                .track("canary", 10, "2", canary.url()),
            new ServiceYaml("wine")
                .blueGreen("blue")
                .track("blue", "1", stable.url())
                .track("green", "2", canary.url()));
    router = RouterHarness.start(dir, yaml);
  }

  @AfterEach
  void stop() {
    router.close();
  }

  private Http.Response admin(String method, String path, String body, String token) {
    HttpRequest.Builder b = Http.builder(router.adminUrl(path));
    if (token != null) {
      b.header("authorization", "Bearer " + token);
    }
    return Http.send(
        b.method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .build());
  }

  private Http.Response asAdmin(String method, String path, String body) {
    return admin(method, path, body, adminToken);
  }

  private JsonObject weights() {
    return asAdmin("GET", "/admin/services/iris", null).json().getJsonObject("weights");
  }

  private static JsonObject weights(int stableWeight, int canaryWeight) {
    return new JsonObject().put("stable", stableWeight).put("canary", canaryWeight);
  }

  @Test
  void theAdminApiNeedsATokenWithTheAdminRole() {
    Http.Response none = admin("GET", "/admin/services", null, null);
    assertEquals(401, none.status());
    assertTrue(none.header("www-authenticate").startsWith("Bearer"));
    Http.Response bad =
        admin(
            "PUT",
            "/admin/services/iris/weights",
            "{\"stable\":0,\"canary\":100}",
            "forged.token.here");
    assertEquals(401, bad.status());
    assertTrue(bad.header("www-authenticate").contains("error=\"invalid_token\""));
    String consumer = TestTokens.forSubject("bob").roles(AuthYaml.OVERRIDE_ROLE).signEs256(key);
    Http.Response forbidden =
        admin("PUT", "/admin/services/iris/weights", "{\"stable\":0,\"canary\":100}", consumer);
    assertEquals(403, forbidden.status());
    assertTrue(forbidden.json().getString("error").contains(AuthYaml.ADMIN_ROLE));
    assertEquals(weights(90, 10), weights(), "refused changes change nothing");
    assertEquals(200, asAdmin("GET", "/admin/services", null).status());
    assertEquals(
        200,
        admin("GET", "/metrics", null, null).status(),
        "metrics stay scrapeable without a token");
  }

  @Test
  void anOversizedChangeGets413AndTheConnectionIsClosedCleanly() {
    String huge = "{\"stable\": " + " ".repeat(4 * 1024 * 1024) + "50, \"canary\": 50}";
    for (int i = 0; i < 3; i++) {
      Http.Response r = asAdmin("PUT", "/admin/services/iris/weights", huge);
      assertEquals(413, r.status(), r.body());
      assertTrue(r.json().getString("error").contains("at most 65536 bytes"), r.body());
      assertEquals("close", r.header("connection"));
    }
    assertEquals(weights(90, 10), weights(), "a refused change changes nothing");
  }

  @Test
  void aHalfSentOversizedChangeDoesNotHoldTheConnectionOpen() throws Exception {
    // Refused from its declared length before it is read; the server drains the rest for a moment,
    // then closes (lingering close), rather than keep a connection whose remaining bytes it will
    // never read.
    URI admin = URI.create(router.adminUrl("/"));
    try (Socket socket = new Socket(admin.getHost(), admin.getPort())) {
      socket.setSoTimeout(15_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          ("PUT /admin/services/iris/weights HTTP/1.1\r\nhost: x\r\nauthorization: Bearer "
                  + adminToken
                  + "\r\ncontent-type: application/json\r\ncontent-length: 4000000\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.write(new byte[100_000]);
      out.flush();
      byte[] answer =
          socket.getInputStream().readAllBytes(); // returns at the server's close, or times out
      String text = new String(answer, StandardCharsets.US_ASCII);
      assertTrue(text.startsWith("HTTP/1.1 413"), text);
      assertTrue(text.contains("at most 65536 bytes"), text);
    }
  }

  @Test
  void invalidWeightChangesGet400WithAReason() {
    String[][] cases = {
      {"{\"stable\": 80, \"canary\": 30}", "weights must sum to 100, they sum to 110"},
      {"{\"stable\": 80, \"blue\": 20}", "unknown track 'blue'"},
      {"{\"stable\": 80.5, \"canary\": 19.5}", "stable: must be an integer, was 80.5"},
      {"{\"stable\": 120, \"canary\": -20}", "stable: must be 0..100, was 120"},
      {"{\"stable\": \"80\", \"canary\": 20}", "stable: must be an integer, was 80"},
      {"[80, 20]", "the body must be a JSON object"},
      {"{\"stable\": 80,", "the body is not valid JSON"},
      {"", "the body must be a JSON object"},
    };
    for (String[] c : cases) {
      Http.Response r = asAdmin("PUT", "/admin/services/iris/weights", c[0]);
      assertEquals(400, r.status(), c[0] + ": " + r.body());
      assertTrue(r.json().getString("error").startsWith(c[1]), c[0] + ": " + r.body());
    }
    Http.Response blueGreen =
        asAdmin("PUT", "/admin/services/wine/weights", "{\"blue\": 50, \"green\": 50}");
    assertEquals(400, blueGreen.status());
    assertTrue(blueGreen.json().getString("error").contains("blue-green"));
    assertEquals(404, asAdmin("PUT", "/admin/services/nope/weights", "{\"a\": 100}").status());
    assertEquals(weights(90, 10), weights());
  }

  @Test
  void aWeightChangeIsAppliedPersistedAuditedAndSurvivesARestart() throws Exception {
    Http.Response r =
        asAdmin("PUT", "/admin/services/iris/weights", "{\"stable\": 20, \"canary\": 80}");
    assertEquals(200, r.status(), r.body());
    assertEquals(weights(20, 80), r.json().getJsonObject("weights"));
    assertEquals(weights(20, 80), weights());
    assertEquals(
        2000,
        router.routing().service("iris").split().to(0),
        "the canary now owns buckets 2000..9999");

    JsonObject saved = new JsonObject(Files.readString(dir.resolve("router-state.json")));
    assertEquals(
        weights(20, 80),
        saved
            .getJsonObject("services")
            .getJsonObject("iris")
            .getJsonObject("override")
            .getJsonObject("weights"));
    List<String> audit = Files.readAllLines(dir.resolve("audit.jsonl"));
    assertEquals(1, audit.size());
    JsonObject line = new JsonObject(audit.get(0));
    assertEquals("ops-alice", line.getString("subject"));
    assertEquals("weights", line.getString("action"));
    assertEquals("iris", line.getString("service"));
    assertEquals(weights(90, 10), line.getJsonObject("old").getJsonObject("weights"));
    assertEquals(weights(20, 80), line.getJsonObject("new").getJsonObject("weights"));

    router.close();
    router = RouterHarness.start(dir, yaml);
    assertEquals(
        weights(20, 80), weights(), "the state file wins over the config file after a restart");
    assertEquals(2000, router.routing().service("iris").split().to(0));

    Http.Response reset = asAdmin("POST", "/admin/services/iris/reset", null);
    assertEquals(200, reset.status(), reset.body());
    assertEquals(weights(90, 10), weights(), "reset: the config file's weights apply again");
    assertEquals(409, asAdmin("POST", "/admin/services/iris/reset", null).status());
  }

  @Test
  void aConfigReloadKeepsTheOperatorsWeights() {
    assertEquals(
        200,
        asAdmin("PUT", "/admin/services/iris/weights", "{\"stable\": 50, \"canary\": 50}")
            .status());
    router.reload(yaml.replace("timeoutMillis: 5000", "timeoutMillis: 4000"));
    assertEquals(weights(50, 50), weights());
    assertEquals(4000, router.routing().service("iris").config().timeoutMillis());
  }

  @Test
  void promoteAndRollback() {
    // canary: promote gives the canary everything; rollback restores the weights before it.
    assertEquals(
        200,
        asAdmin("PUT", "/admin/services/iris/weights", "{\"stable\": 70, \"canary\": 30}")
            .status());
    Http.Response promoted = asAdmin("POST", "/admin/services/iris/promote", null);
    assertEquals(200, promoted.status());
    assertEquals(weights(0, 100), weights());
    for (int i = 0; i < 20; i++) {
      assertEquals(
          "canary",
          Http.post(
                  router.url("/v2/models/iris/infer"),
                  Http.irisV2("input"),
                  "authorization",
                  "Bearer " + TestTokens.forSubject("user-" + i).signEs256(key))
              .header("x-infergate-track"));
    }
    assertEquals(200, asAdmin("POST", "/admin/services/iris/rollback", null).status());
    assertEquals(weights(70, 30), weights());
    assertEquals(200, asAdmin("POST", "/admin/services/iris/rollback", null).status());
    assertEquals(weights(90, 10), weights());
    Http.Response nothing = asAdmin("POST", "/admin/services/iris/rollback", null);
    assertEquals(409, nothing.status());
    assertTrue(nothing.json().getString("error").contains("no earlier change"));

    // blue-green: promote switches the active track atomically; rollback switches back.
    String user = "Bearer " + TestTokens.forSubject("wine-user").signEs256(key);
    assertEquals(
        "blue",
        Http.post(router.url("/v2/models/wine/infer"), "{}", "authorization", user)
            .header("x-infergate-track"));
    Http.Response switched = asAdmin("POST", "/admin/services/wine/promote", null);
    long version = switched.json().getLong("version");
    assertEquals(new JsonObject().put("active", "green").put("version", version), switched.json());
    assertEquals(
        version,
        asAdmin("GET", "/admin/services/wine", null).json().getLong("version"),
        "GET shows the version the change made");
    assertEquals(
        "green",
        Http.post(router.url("/v2/models/wine/infer"), "{}", "authorization", user)
            .header("x-infergate-track"));
    assertEquals(200, asAdmin("POST", "/admin/services/wine/rollback", null).status());
    assertEquals("blue", asAdmin("GET", "/admin/services/wine", null).json().getString("active"));
    assertNull(asAdmin("GET", "/admin/services/wine", null).json().getValue("operatorOverride"));
  }

  private List<JsonObject> auditRecords() throws Exception {
    return Files.readAllLines(dir.resolve("audit.jsonl")).stream().map(JsonObject::new).toList();
  }

  @Test
  void anUnwritableAuditLogLeavesRoutingUnchangedAndSaysSo() throws Exception {
    // Root ignores file modes, so the audit log is made unwritable by being a directory.
    Files.createDirectory(dir.resolve("audit.jsonl"));
    Http.Response r =
        asAdmin("PUT", "/admin/services/iris/weights", "{\"stable\": 20, \"canary\": 80}");
    assertEquals(500, r.status(), r.body());
    assertTrue(r.json().getString("error").contains("nothing changed"), r.body());
    assertFalse(r.body().contains(dir.toString()), "no file path in the answer: " + r.body());
    assertEquals(weights(90, 10), weights(), "an unaudited change is not applied");
    assertEquals(9000, router.routing().service("iris").split().to(0));
    assertFalse(Files.exists(dir.resolve("router-state.json")), "nor saved");

    Files.delete(dir.resolve("audit.jsonl"));
    router.close();
    router = RouterHarness.start(dir, yaml);
    assertEquals(weights(90, 10), weights(), "nor in force after a restart");
  }

  @Test
  void anUnwritableStateFileLeavesRoutingUnchangedAndTheAuditLogSaysTheChangeWasAbandoned()
      throws Exception {
    assertEquals(
        200,
        asAdmin("PUT", "/admin/services/iris/weights", "{\"stable\": 50, \"canary\": 50}")
            .status());
    Path state = dir.resolve("router-state.json");
    Files.delete(state);
    Files.createDirectories(
        state.resolve("blocker")); // a non-empty directory cannot be renamed over
    Http.Response r =
        asAdmin("PUT", "/admin/services/iris/weights", "{\"stable\": 20, \"canary\": 80}");
    assertEquals(500, r.status(), r.body());
    assertTrue(r.json().getString("error").contains("nothing changed"), r.body());
    assertEquals(weights(50, 50), weights());
    assertEquals(5000, router.routing().service("iris").split().to(0));
    List<JsonObject> audit = auditRecords();
    assertEquals(3, audit.size(), audit.toString());
    assertEquals(weights(20, 80), audit.get(1).getJsonObject("new").getJsonObject("weights"));
    assertEquals("abandoned", audit.get(2).getString("action"));
    assertEquals(audit.get(1).getLong("seq"), audit.get(2).getLong("abandons"));
    try (var temps = Files.list(dir)) {
      assertEquals(List.of(), temps.filter(p -> p.toString().endsWith(".tmp")).toList());
    }
  }

  @Test
  void anAuditedChangeThatNeverReachedTheStateFileIsRecordedAsAbandonedAtStart() throws Exception {
    assertEquals(
        200,
        asAdmin("PUT", "/admin/services/iris/weights", "{\"stable\": 50, \"canary\": 50}")
            .status());
    router.close();
    // What a crash between the audit record and the state file leaves: a record the state lacks.
    long seq = auditRecords().get(0).getLong("seq") + 1;
    Files.writeString(
        dir.resolve("audit.jsonl"),
        new JsonObject()
                .put("seq", seq)
                .put("subject", "ops-alice")
                .put("action", "weights")
                .put("service", "iris")
                .put("new", new JsonObject().put("weights", weights(0, 100)))
                .encode()
            + "\n{\"seq\": "
            + (seq + 5)
            + ", \"subj",
        java.nio.file.StandardOpenOption.APPEND);
    router = RouterHarness.start(dir, yaml);
    assertEquals(weights(50, 50), weights());
    List<String> lines = Files.readAllLines(dir.resolve("audit.jsonl"));
    JsonObject last = new JsonObject(lines.get(lines.size() - 1));
    assertEquals("abandoned", last.getString("action"), lines.toString());
    assertEquals(seq, last.getLong("abandons"));
    assertEquals(seq + 1, last.getLong("seq"), "a torn line is not a record");

    assertEquals(
        200,
        asAdmin("PUT", "/admin/services/iris/weights", "{\"stable\": 30, \"canary\": 70}")
            .status());
    router.close();
    router = RouterHarness.start(dir, yaml);
    assertEquals(weights(30, 70), weights());
    assertEquals(
        lines.size() + 1,
        Files.readAllLines(dir.resolve("audit.jsonl")).size(),
        "nothing more to abandon");
  }

  @Test
  void staleTemporaryStateFilesAreRemovedAtStart() throws Exception {
    router.close();
    Path stale =
        Files.writeString(dir.resolve("router-state.json8412377.tmp"), "{\"version\": 1, \"serv");
    Path other = Files.writeString(dir.resolve("notes.tmp"), "not ours");
    router = RouterHarness.start(dir, yaml);
    assertFalse(Files.exists(stale));
    assertTrue(Files.exists(other), "only the state file's temporary files are removed");
  }

  @Test
  void staleIfMatchGets409WithTheCurrentStateAndTheAuditListsChangesNewestFirst() {
    long version = asAdmin("GET", "/admin/services/iris", null).json().getLong("version");
    Http.Response first =
        Http.send(
            Http.builder(
                    router.adminUrl("/admin/services/iris/weights"),
                    "authorization",
                    "Bearer " + adminToken,
                    "If-Match",
                    Long.toString(version))
                .PUT(HttpRequest.BodyPublishers.ofString("{\"stable\": 70, \"canary\": 30}"))
                .build());
    assertEquals(200, first.status(), first.body());
    assertEquals(version + 1, first.json().getLong("version"));
    Http.Response stale =
        Http.send(
            Http.builder(
                    router.adminUrl("/admin/services/iris/weights"),
                    "authorization",
                    "Bearer " + adminToken,
                    "If-Match",
                    Long.toString(version))
                .PUT(HttpRequest.BodyPublishers.ofString("{\"stable\": 10, \"canary\": 90}"))
                .build());
    assertEquals(409, stale.status(), stale.body());
    assertEquals(weights(70, 30), stale.json().getJsonObject("current").getJsonObject("weights"));
    assertEquals(weights(70, 30), weights(), "the stale change did not apply");

    Http.Response audit = asAdmin("GET", "/admin/audit?service=iris&limit=5", null);
    assertEquals(200, audit.status(), audit.body());
    JsonObject newest = audit.json().getJsonArray("records").getJsonObject(0);
    assertEquals("ops-alice", newest.getString("subject"));
    assertEquals(weights(70, 30), newest.getJsonObject("new").getJsonObject("weights"));
    assertEquals(
        401,
        admin("GET", "/admin/audit", null, null).status(),
        "the audit needs the admin role too");
  }
}
