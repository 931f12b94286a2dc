package dev.infergate.router.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.router.testsupport.FakeModelServer;
import dev.infergate.router.testsupport.Http;
import dev.infergate.router.testsupport.LoadLoop;
import dev.infergate.router.testsupport.Poll;
import dev.infergate.router.testsupport.RedisServer;
import dev.infergate.router.testsupport.RouterHarness;
import dev.infergate.router.testsupport.ServiceYaml;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * One rollout driver for a fleet: two real routers share a real redis-server; a rollout started
 * through one is followed by both (same state, same weights in force), driven by exactly one of
 * them (the lease holder), and goes on from the persisted step on the other when the driver stops.
 */
class ClusterRolloutTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final long LEASE_MILLIS = 1000;
  private Vertx vertx;
  private FakeModelServer stable;
  private FakeModelServer canary;
  private RedisServer redis;
  private final List<RouterHarness> routers = new ArrayList<>();
  private final List<LoadLoop> loads = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    vertx = Vertx.vertx();
    stable = FakeModelServer.start(vertx, "stable");
    canary = FakeModelServer.start(vertx, "canary");
    redis = RedisServer.start();
    // Windows grow while a step has too few requests: each step lasts a few seconds under this
    // load.
    String yaml =
        ServiceYaml.configWith(
            "cluster: { redis: "
                + redis.url()
                + ", keyPrefix: test, replicas: 2, "
                + "leaseMillis: "
                + LEASE_MILLIS
                + " }\n",
            new ServiceYaml("iris")
                .track("stable", 90, "1", stable.url())
                .track("canary", 10, "2", canary.url())
                .fallback("stable")
                .rollout(
                    "{ candidate: canary, baseline: stable, steps: [10, 20, 40, 60], stepSeconds: 1, minRequests: 20, "
                        + "maxP99Ratio: 20, maxInconclusive: 100 }"));
    for (int i = 0; i < 2; i++) {
      RouterHarness router = RouterHarness.start(yaml);
      routers.add(router);
      HttpRequest infer =
          Http.builder(router.url("/v2/models/iris/infer"), "content-type", "application/json")
              .POST(HttpRequest.BodyPublishers.ofString(Http.irisV2("input")))
              .build();
      loads.add(LoadLoop.start(1, 200_000, WAIT, n -> infer));
    }
  }

  @AfterEach
  void stop() throws Exception {
    loads.forEach(LoadLoop::close);
    routers.forEach(RouterHarness::close);
    redis.close();
    vertx.close().await();
  }

  private static JsonObject rollout(RouterHarness router) {
    return router.admin("/admin/services/iris/rollout");
  }

  private static String replica(RouterHarness router) {
    return ((RedisLease) router.server().rolloutLeadership()).replica();
  }

  private static int canaryWeightInForce(RouterHarness router) {
    return router.routing().service("iris").track("canary").config().weight();
  }

  @Test
  void oneReplicaDrivesBothServeItsWeightsAndTheOtherTakesOverFromThePersistedStepWhenItStops() {
    Http.Response started = Http.post(routers.get(0).adminUrl("/admin/services/iris/rollout"), "");
    assertEquals(200, started.status(), started.body());

    // Both replicas serve the rollout's state and weights (the step the driver persisted), not
    // their own.
    Poll.until(
        WAIT,
        () -> {
          JsonObject a = rollout(routers.get(0));
          JsonObject b = rollout(routers.get(1));
          return a.getInteger("step") >= 2
              && a.getInteger("step").equals(b.getInteger("step"))
              && a.getJsonObject("weights").equals(b.getJsonObject("weights"))
              && canaryWeightInForce(routers.get(0))
                  == a.getJsonObject("weights").getInteger("canary")
              && canaryWeightInForce(routers.get(1))
                  == a.getJsonObject("weights").getInteger("canary");
        },
        "both replicas at the same step >= 2 with the same weights in force");

    // Exactly one drives.
    Poll.until(
        WAIT,
        () ->
            rollout(routers.get(0)).getBoolean("leader")
                != rollout(routers.get(1)).getBoolean("leader"),
        "exactly one leader");
    int driver = rollout(routers.get(0)).getBoolean("leader") ? 0 : 1;
    RouterHarness leader = routers.get(driver);
    RouterHarness other = routers.get(1 - driver);
    String leaderId = replica(leader);
    String otherId = replica(other);
    // Each replica's state file keeps the shared rollout too (what reseeds a Redis that lost it).
    Poll.until(
        WAIT,
        () -> {
          try {
            return new JsonObject(Files.readString(other.dir().resolve("router-state.json")))
                .toString()
                .contains("\"rollout\"");
          } catch (Exception e) {
            return false;
          }
        },
        "the rollout in the other replica's state file");
    int stepAtStop = rollout(other).getInteger("step");
    assertTrue(stepAtStop < 5, "still mid-rollout: " + rollout(other).encode());

    // The driver stops mid-rollout: the other takes over and goes on from the persisted step.
    loads.get(driver).stop();
    leader.close();
    Poll.until(
        Duration.ofMillis(5 * LEASE_MILLIS),
        () -> rollout(other).getBoolean("leader"),
        "the other replica leads within the lease");
    // The state is visible a moment before the routing built from it is in force: poll for both.
    Poll.until(
        WAIT,
        () ->
            "succeeded".equals(rollout(other).getString("phase"))
                && canaryWeightInForce(other) == 100,
        "rollout succeeded on the replica that took over (now " + rollout(other).encode() + ")");
    loads.get(1 - driver).stop();
    assertEquals(
        0,
        loads.get(1 - driver).failed(),
        () -> "client requests failed: " + loads.get(1 - driver).failures());
    assertEquals(100, canaryWeightInForce(other));
    assertEquals(
        new JsonObject().put("stable", 0).put("canary", 100),
        rollout(other).getJsonObject("weights"));

    // The shared audit: automatic transitions came from the driver, then (after the stop) from the
    // other only.
    JsonArray audit = other.admin("/admin/audit?service=iris&limit=200").getJsonArray("records");
    List<String> drivers = new ArrayList<>();
    for (int i = audit.size() - 1; i >= 0; i--) { // oldest first
      JsonObject r = audit.getJsonObject(i);
      if ("rollout".equals(r.getString("subject")) && "applied".equals(r.getString("outcome"))) {
        drivers.add(r.getString("replica"));
      }
    }
    assertTrue(
        drivers.contains(leaderId) && drivers.contains(otherId),
        drivers + " " + audit.encodePrettily());
    int firstOther = drivers.indexOf(otherId);
    assertEquals(
        List.of(leaderId),
        drivers.subList(0, firstOther).stream().distinct().toList(),
        "before the stop only the driver committed: " + drivers);
    assertEquals(
        List.of(otherId),
        drivers.subList(firstOther, drivers.size()).stream().distinct().toList(),
        "after it only the replica that took over: " + drivers);
    assertNotEquals(leaderId, otherId);
  }
}
