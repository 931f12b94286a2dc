package dev.infergate.router.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.router.testsupport.FakeModelServer;
import dev.infergate.router.testsupport.Http;
import dev.infergate.router.testsupport.Poll;
import dev.infergate.router.testsupport.RawHttp;
import dev.infergate.router.testsupport.RedisServer;
import dev.infergate.router.testsupport.RouterHarness;
import dev.infergate.router.testsupport.ServiceYaml;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Three real routers share one real redis-server: a change through any replica reaches all within a
 * second, concurrent changes are compare-and-set (one wins, the other gets 409), the shared audit
 * is readable everywhere, and a router started later serves Redis's state rather than its own
 * file's.
 */
class SharedRoutingStateTest {
  private static final Duration PROPAGATION = Duration.ofSeconds(1);
  private static Vertx vertx;
  private static FakeModelServer stable;
  private static FakeModelServer canary;
  private RedisServer redis;
  private final List<RouterHarness> routers = new ArrayList<>();

  @BeforeAll
  static void backends() throws Exception {
    vertx = Vertx.vertx();
    stable = FakeModelServer.start(vertx, "stable");
    canary = FakeModelServer.start(vertx, "canary");
  }

  @AfterAll
  static void stopBackends() throws Exception {
    vertx.close().await();
  }

  @BeforeEach
  void startRedisAndRouters() throws Exception {
    redis = RedisServer.start();
    for (int i = 0; i < 3; i++) {
      routers.add(RouterHarness.start(yaml(90)));
    }
  }

  @AfterEach
  void stop() throws Exception {
    routers.forEach(RouterHarness::close);
    redis.close();
  }

  static String yaml(String redisUrl, int stableWeight, String extra) {
    return yaml(redisUrl, stableWeight, extra, stable, canary);
  }

  static String yaml(
      String redisUrl,
      int stableWeight,
      String extra,
      FakeModelServer stable,
      FakeModelServer canary) {
    return yaml(redisUrl, stableWeight, extra, stable, canary, "");
  }

  /**
   * @param clusterExtra more fields of the cluster block, e.g. {@code , timeoutMillis: 1000}
   */
  static String yaml(
      String redisUrl,
      int stableWeight,
      String extra,
      FakeModelServer stable,
      FakeModelServer canary,
      String clusterExtra) {
    return ServiceYaml.configWith(
        "allowTrackOverride: true\n"
            + extra
            + "cluster: { redis: "
            + redisUrl
            + ", keyPrefix: test, replicas: 3"
            + clusterExtra
            + " }\n",
        new ServiceYaml("iris")
            .track("stable", stableWeight, "1", stable.url())
            .track("canary", 100 - stableWeight, "2", canary.url()));
  }

  private String yaml(int stableWeight) {
    return yaml(redis.url(), stableWeight, "");
  }

  static Http.Response put(RouterHarness router, String body, String... headers) {
    return Http.send(
        Http.builder(router.adminUrl("/admin/services/iris/weights"), headers)
            .header("content-type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(body))
            .build());
  }

  static void awaitWeights(
      List<RouterHarness> routers, int stableWeight, long version, Duration within) {
    for (RouterHarness router : routers) {
      Poll.until(
          within,
          () -> {
            JsonObject s = router.admin("/admin/services/iris");
            return s.getJsonObject("weights").getInteger("stable") == stableWeight
                && s.getLong("version") == version
                && router.routing().service("iris").tracks().get(0).config().weight()
                    == stableWeight;
          },
          "router on port "
              + router.server().port()
              + " to serve stable "
              + stableWeight
              + " at version "
              + version);
    }
  }

  @Test
  void changeThroughOneReplicaIsServedByAllThreeWithinOneSecond() {
    long before = routers.get(0).admin("/admin/services/iris").getLong("version");
    for (RouterHarness router : routers) {
      assertEquals(
          before,
          router.admin("/admin/services/iris").getLong("version"),
          "one version everywhere at start");
    }
    Http.Response r = put(routers.get(1), "{\"stable\": 30, \"canary\": 70}");
    assertEquals(200, r.status(), r.body());
    assertEquals(30, r.json().getJsonObject("weights").getInteger("stable"));
    assertEquals(before + 1, r.json().getLong("version"));
    awaitWeights(routers, 30, before + 1, PROPAGATION);
  }

  @Test
  void concurrentChangesOnTheSameVersionOneWinsTheOtherGets409AndBothAreAudited() throws Exception {
    long version = routers.get(0).admin("/admin/services/iris").getLong("version");
    CountDownLatch go = new CountDownLatch(1);
    CompletableFuture<Http.Response> a =
        CompletableFuture.supplyAsync(
            () -> {
              await(go);
              return put(
                  routers.get(0),
                  "{\"stable\": 20, \"canary\": 80}",
                  "If-Match",
                  Long.toString(version));
            });
    CompletableFuture<Http.Response> b =
        CompletableFuture.supplyAsync(
            () -> {
              await(go);
              return put(
                  routers.get(1),
                  "{\"stable\": 60, \"canary\": 40}",
                  "If-Match",
                  Long.toString(version));
            });
    go.countDown();
    Http.Response ra = a.get();
    Http.Response rb = b.get();
    List<Integer> statuses = new ArrayList<>(List.of(ra.status(), rb.status()));
    statuses.sort(null);
    assertEquals(List.of(200, 409), statuses, ra.body() + " / " + rb.body());
    Http.Response won = ra.status() == 200 ? ra : rb;
    Http.Response lost = ra.status() == 200 ? rb : ra;
    int winner = won.json().getJsonObject("weights").getInteger("stable");
    JsonObject conflict = lost.json();
    assertEquals(version + 1, conflict.getLong("version"), conflict.encode());
    assertEquals(
        winner,
        conflict.getJsonObject("current").getJsonObject("weights").getInteger("stable"),
        "the loser sees the winner's state: " + conflict.encode());
    assertTrue(conflict.getString("error").contains("changed meanwhile"), conflict.encode());
    awaitWeights(routers, winner, version + 1, PROPAGATION);

    // The loser retries on the version it was told: applied on top, nothing lost.
    Http.Response retry =
        put(
            lost == ra ? routers.get(0) : routers.get(1),
            winner == 20 ? "{\"stable\": 60, \"canary\": 40}" : "{\"stable\": 20, \"canary\": 80}",
            "If-Match",
            "\"" + (version + 1) + "\"");
    assertEquals(200, retry.status(), retry.body());
    int last = winner == 20 ? 60 : 20;
    awaitWeights(routers, last, version + 2, PROPAGATION);

    JsonArray audit =
        routers.get(2).admin("/admin/audit?service=iris&limit=10").getJsonArray("records");
    List<String> outcomes = new ArrayList<>();
    for (int i = 0; i < audit.size(); i++) {
      outcomes.add(audit.getJsonObject(i).getString("outcome"));
    }
    assertEquals(
        List.of("applied", "conflict", "applied"), outcomes.subList(0, 3), audit.encodePrettily());
    JsonObject newest = audit.getJsonObject(0);
    assertEquals(version + 2, newest.getLong("version"));
    assertEquals(last, newest.getJsonObject("new").getJsonObject("weights").getInteger("stable"));
    assertEquals(winner, newest.getJsonObject("old").getJsonObject("weights").getInteger("stable"));
    assertEquals("weights", newest.getString("action"));
    JsonObject refused = audit.getJsonObject(1);
    assertEquals(version, refused.getLong("basedOn"));
    assertEquals(
        last, refused.getJsonObject("requested").getJsonObject("weights").getInteger("stable"));
  }

  @Test
  void staleIfMatchGets409AndChangesNothing() {
    long version = routers.get(0).admin("/admin/services/iris").getLong("version");
    assertEquals(200, put(routers.get(0), "{\"stable\": 50, \"canary\": 50}").status());
    Http.Response stale =
        put(routers.get(2), "{\"stable\": 10, \"canary\": 90}", "If-Match", Long.toString(version));
    assertEquals(409, stale.status(), stale.body());
    assertEquals(
        50, stale.json().getJsonObject("current").getJsonObject("weights").getInteger("stable"));
    awaitWeights(routers, 50, version + 1, PROPAGATION);
    Http.Response garbage =
        put(routers.get(2), "{\"stable\": 10, \"canary\": 90}", "If-Match", "W/\"abc\"");
    assertEquals(400, garbage.status(), garbage.body());
    assertTrue(garbage.json().getString("error").contains("If-Match"));
  }

  @Test
  void invalidChangeIsRejectedWith400OnEveryReplicaAndNothingMoves() {
    long version = routers.get(0).admin("/admin/services/iris").getLong("version");
    Http.Response bad = put(routers.get(0), "{\"stable\": 30, \"canary\": 30}");
    assertEquals(400, bad.status(), bad.body());
    assertTrue(bad.json().getString("error").contains("sum to 100"), bad.body());
    for (RouterHarness router : routers) {
      assertEquals(version, router.admin("/admin/services/iris").getLong("version"));
    }
  }

  @Test
  void auditQueryParametersAreValidated() {
    RouterHarness router = routers.get(0);
    for (String query :
        List.of(
            "limit=0",
            "limit=1001",
            "limit=abc",
            "limit=-1",
            "service=../etc",
            "other=1",
            "limit=1&limit=2",
            "service=%zz",
            "limit=99999999999999999999")) {
      RawHttp.Answer r =
          RawHttp.send(router.server().adminPort(), "GET", "/admin/audit?" + query, null);
      assertEquals(400, r.status(), query + ": " + r.body());
      assertTrue(r.json().containsKey("error"), query);
    }
    assertEquals(405, Http.post(router.adminUrl("/admin/audit"), "{}").status());
    assertEquals(200, Http.get(router.adminUrl("/admin/audit?service=nosuch&limit=5")).status());
  }

  @Test
  void routerStartedWhileRedisHoldsStateServesThatStateNotItsFiles() throws Exception {
    assertEquals(200, put(routers.get(0), "{\"stable\": 40, \"canary\": 60}").status());
    long version = routers.get(0).admin("/admin/services/iris").getLong("version");
    // Its own file says otherwise twice over: 70 in the config, 55 in its state file.
    Path dir = Files.createTempDirectory("infergate-late-replica");
    Files.writeString(
        dir.resolve("router-state.json"),
        "{\"version\": 1, \"auditSeq\": 0, \"services\": {\"iris\": "
            + "{\"override\": {\"weights\": {\"stable\": 55, \"canary\": 45}}, \"history\": [null]}}}");
    try (RouterHarness late = RouterHarness.start(dir, yaml(70))) {
      JsonObject s = late.admin("/admin/services/iris");
      assertEquals(40, s.getJsonObject("weights").getInteger("stable"), s.encode());
      assertEquals(version, s.getLong("version"));
      assertEquals(40, late.routing().service("iris").tracks().get(0).config().weight());
    }
  }

  @Test
  void firstRouterSeedsAnEmptyRedisFromItsStateFile() throws Exception {
    routers.forEach(RouterHarness::close);
    routers.clear();
    redis.close();
    redis = RedisServer.start();
    Path dir = Files.createTempDirectory("infergate-seeding-replica");
    Files.writeString(
        dir.resolve("router-state.json"),
        "{\"version\": 1, \"auditSeq\": 0, \"services\": {\"iris\": "
            + "{\"override\": {\"weights\": {\"stable\": 55, \"canary\": 45}}, \"history\": [null]}}}");
    routers.add(RouterHarness.start(dir, yaml(90)));
    routers.add(RouterHarness.start(yaml(90)));
    for (RouterHarness router : routers) {
      JsonObject s = router.admin("/admin/services/iris");
      assertEquals(55, s.getJsonObject("weights").getInteger("stable"), s.encode());
      assertEquals(1, s.getLong("version"));
    }
    assertEquals(
        "seeded",
        routers
            .get(1)
            .admin("/admin/audit")
            .getJsonArray("records")
            .getJsonObject(0)
            .getString("outcome"));
  }

  @Test
  void garbageWrittenIntoRedisIsNeverServedChangesGetAClearAnswerAndDeletingItRecovers()
      throws Exception {
    assertEquals(200, put(routers.get(0), "{\"stable\": 40, \"canary\": 60}").status());
    long version = routers.get(0).admin("/admin/services/iris").getLong("version");
    awaitWeights(routers, 40, version, PROPAGATION);

    // Someone writes over the state by hand: a newer version with JSON that is not a state.
    redis.command("HSET test:{state} version " + (version + 5) + " json {not-json");
    redis.command("PUBLISH test:state-changed " + (version + 5));
    Http.Response refused = put(routers.get(1), "{\"stable\": 30, \"canary\": 70}");
    assertEquals(503, refused.status(), refused.body());
    assertTrue(
        refused.json().getString("error").contains("cannot read (redis test:{state}: not a JSON"),
        refused.body());
    // A version that is not a number.
    redis.command("HSET test:{state} version abc");
    redis.command("PUBLISH test:state-changed abc");
    Http.Response odd = put(routers.get(2), "{\"stable\": 30, \"canary\": 70}");
    assertEquals(503, odd.status(), odd.body());
    assertTrue(odd.json().getString("error").contains("version: must be a number"), odd.body());
    // A replica started meanwhile serves its own state, not the garbage.
    try (RouterHarness late = RouterHarness.start(yaml(70))) {
      assertEquals(
          70, late.admin("/admin/services/iris").getJsonObject("weights").getInteger("stable"));
    }
    for (RouterHarness router : routers) {
      JsonObject s = router.admin("/admin/services/iris");
      assertEquals(40, s.getJsonObject("weights").getInteger("stable"), s.encode());
      assertEquals(40, router.routing().service("iris").tracks().get(0).config().weight());
    }

    // Ops delete the key: a replica seeds Redis again with what it serves, and changes work.
    redis.command("DEL test:{state}");
    Poll.until(
        Duration.ofSeconds(10),
        () -> put(routers.get(0), "{\"stable\": 20, \"canary\": 80}").status() == 200,
        "a change applies once Redis holds a valid state again");
    long after = routers.get(0).admin("/admin/services/iris").getLong("version");
    awaitWeights(routers, 20, after, Duration.ofSeconds(5));
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
