package dev.infergate.router.upstream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.router.testsupport.FakeModelServer;
import dev.infergate.router.testsupport.FakeModelServer.Mode;
import dev.infergate.router.testsupport.FixtureHostResolver;
import dev.infergate.router.testsupport.Http;
import dev.infergate.router.testsupport.Poll;
import dev.infergate.router.testsupport.RouterHarness;
import dev.infergate.router.testsupport.ServiceYaml;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code dns://} endpoints through a real router: the name resolves (through {@link
 * FixtureHostResolver}) to a changing set of loopback addresses, each with a fake model server on
 * the same port, as the pods behind a Kubernetes headless Service.
 */
class DnsDiscoveryTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String[] IPS = {"127.0.0.1", "127.0.0.2", "127.0.0.3"};

  private Vertx vertx;
  private List<FakeModelServer> pods;
  private RouterHarness router;

  @BeforeEach
  void startPods() throws Exception {
    vertx = Vertx.vertx();
    pods = startPodsOnOnePort(vertx);
  }

  @AfterEach
  void stop() throws Exception {
    if (router != null) {
      router.close();
    }
    vertx.close().await(10, TimeUnit.SECONDS);
  }

  @Test
  void sendsTrafficToEveryPodAndShowsEachInTheAdminApi() {
    FixtureHostResolver.Name name = FixtureHostResolver.name("all").answer(IPS);
    router =
        startRouter(
            new ServiceYaml("iris").track("stable", 100, "1", dns(name)).dnsRefreshMillis(100));

    Poll.until(
        WAIT,
        () -> {
          assertEquals(200, infer().status());
          return pods.stream().allMatch(p -> p.inferences() > 0);
        },
        "every pod served a request");

    JsonObject track = router.admin("/admin/services/iris").getJsonArray("tracks").getJsonObject(0);
    Set<String> shown = new HashSet<>();
    for (Object o : track.getJsonArray("endpoints")) {
      JsonObject e = (JsonObject) o;
      shown.add(e.getString("url"));
      assertTrue(e.getBoolean("healthy"), e.encode());
      assertEquals("CLOSED", e.getString("breaker"), e.encode());
    }
    assertEquals(urls(pods), shown);
    Set<String> upstreams =
        router.admin("/admin/upstreams").getJsonArray("endpoints").stream()
            .map(o -> ((JsonObject) o).getString("url"))
            .collect(Collectors.toSet());
    assertEquals(urls(pods), upstreams);
  }

  @Test
  void aPodThatJoinsTheNameGetsTraffic() {
    FixtureHostResolver.Name name = FixtureHostResolver.name("join").answer(IPS[0], IPS[1]);
    router =
        startRouter(
            new ServiceYaml("iris").track("stable", 100, "1", dns(name)).dnsRefreshMillis(100));
    assertEquals(urls(pods.subList(0, 2)), routed());

    name.answer(IPS);
    Poll.until(WAIT, () -> routed().equals(urls(pods)), "the third pod in the routing table");
    Poll.until(
        WAIT,
        () -> {
          assertEquals(200, infer().status());
          return pods.get(2).inferences() > 0;
        },
        "the new pod served a request");
  }

  @Test
  void aPodThatLeavesTheNameGetsNoNewRequestsButFinishesTheOneInFlight() throws Exception {
    FixtureHostResolver.Name name = FixtureHostResolver.name("leave").answer(IPS[2]);
    FakeModelServer leaving = pods.get(2).mode(Mode.HOLD);
    router =
        startRouter(
            new ServiceYaml("iris")
                .track("stable", 100, "1", dns(name))
                .dnsRefreshMillis(100)
                .timeoutMillis(30_000));
    CompletableFuture<Http.Response> inFlight = CompletableFuture.supplyAsync(this::infer);
    Poll.until(WAIT, () -> leaving.held() == 1, "a request held by the leaving pod");

    name.answer(IPS[0], IPS[1]);
    Poll.until(
        WAIT,
        () -> routed().equals(urls(pods.subList(0, 2))),
        "the leaving pod out of the routing table");
    for (int i = 0; i < 10; i++) {
      Http.Response r = infer();
      assertEquals(200, r.status(), r.body());
      assertFalse(r.body().contains(leaving.name()), r.body());
    }
    assertEquals(1, leaving.inferences());
    String leavingTag = "endpoint=\"" + IPS[2] + ":" + leaving.port() + "\"";
    assertFalse(metrics().contains(leavingTag), "meters of the gone pod are still registered");
    assertFalse(
        inFlight.isDone(),
        "the request in flight was cut short: " + (inFlight.isDone() ? inFlight.get() : ""));

    leaving.release();
    Http.Response held = inFlight.get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertEquals(200, held.status(), held.body());
    assertEquals(leaving.name(), held.json().getString("served_by"));
    assertFalse(
        metrics().contains(leavingTag), "the finished request brought the gone pod's meters back");
  }

  @Test
  void keepsTheLastKnownPodsWhenTheNameFailsOrAnswersNothing() {
    FixtureHostResolver.Name name = FixtureHostResolver.name("outage").answer(IPS[0], IPS[1]);
    router =
        startRouter(
            new ServiceYaml("iris").track("stable", 100, "1", dns(name)).dnsRefreshMillis(100));
    Set<String> known = urls(pods.subList(0, 2));
    assertEquals(known, routed());

    name.fail();
    awaitLookups(name, 3);
    assertEquals(known, routed());
    assertEquals(200, infer().status());

    name.answer();
    awaitLookups(name, 3);
    assertEquals(known, routed());
    assertEquals(200, infer().status());

    name.answer(IPS);
    Poll.until(WAIT, () -> routed().equals(urls(pods)), "the pool to follow the name again");
  }

  @Test
  void aNameThatDoesNotResolveYetLeavesItsTrackEmptyUntilItDoes() {
    FixtureHostResolver.Name name = FixtureHostResolver.name("late").fail();
    router =
        startRouter(
            new ServiceYaml("iris").track("stable", 100, "1", dns(name)).dnsRefreshMillis(100));
    assertEquals(Set.of(), routed());
    Http.Response refused = infer();
    assertEquals(503, refused.status(), refused.body());

    name.answer(IPS[0]);
    Poll.until(WAIT, () -> infer().status() == 200, "the track to serve once its name resolves");
  }

  @Test
  void aPodAnswering500OpensOnlyItsOwnBreakerWhileClientsSeeNoFailures() {
    FixtureHostResolver.Name name = FixtureHostResolver.name("breaker").answer(IPS);
    FakeModelServer failing = pods.get(1).mode(Mode.FAIL_500);
    router =
        startRouter(
            new ServiceYaml("iris").track("stable", 100, "1", dns(name)).dnsRefreshMillis(100));

    Poll.until(
        WAIT,
        () -> {
          Http.Response r = infer();
          assertEquals(200, r.status(), r.body());
          return router.breakerState("iris", failing.url()).equals("OPEN");
        },
        "the failing pod's breaker to open");
    assertEquals("CLOSED", router.breakerState("iris", pods.get(0).url()));
    assertEquals("CLOSED", router.breakerState("iris", pods.get(2).url()));
  }

  @Test
  void resolvesThroughTheJdkResolver() throws Exception {
    List<InetAddress> localhost = HostResolver.system().resolve("localhost");
    assertTrue(localhost.stream().anyMatch(InetAddress::isLoopbackAddress), localhost.toString());

    FakeModelServer pod = pods.get(0);
    router =
        startRouter(
            new ServiceYaml("iris").track("stable", 100, "1", "dns://localhost:" + pod.port()));
    assertTrue(routed().contains(pod.url()), routed().toString());
    for (int i = 0; i < 5; i++) {
      Http.Response r = infer();
      assertEquals(200, r.status(), r.body());
      assertEquals(pod.name(), r.json().getString("served_by"));
    }
  }

  private Http.Response infer() {
    return Http.post(router.url("/v2/models/iris/infer"), Http.irisV2("input"));
  }

  private String metrics() {
    return Http.get(router.adminUrl("/metrics")).body();
  }

  /** The endpoint URLs of the stable track in the router's current snapshot. */
  private Set<String> routed() {
    return router.routing().service("iris").track("stable").endpoints().endpoints().stream()
        .map(e -> e.address().url())
        .collect(Collectors.toSet());
  }

  private void awaitLookups(FixtureHostResolver.Name name, int more) {
    int target = name.lookups() + more;
    Poll.until(WAIT, () -> name.lookups() >= target, more + " more lookups of " + name.host());
  }

  private String dns(FixtureHostResolver.Name name) {
    return "dns://" + name.host() + ":" + pods.get(0).port();
  }

  private static RouterHarness startRouter(ServiceYaml service) {
    try {
      return RouterHarness.start(ServiceYaml.config(service));
    } catch (Exception e) {
      throw new AssertionError("router did not start", e);
    }
  }

  private static Set<String> urls(List<FakeModelServer> servers) {
    return servers.stream().map(FakeModelServer::url).collect(Collectors.toSet());
  }

  /** One fake model server per address of {@link #IPS}, all on one free port. */
  private static List<FakeModelServer> startPodsOnOnePort(Vertx vertx) throws Exception {
    Exception last = null;
    for (int attempt = 0; attempt < 5; attempt++) {
      List<FakeModelServer> started = new ArrayList<>();
      try {
        started.add(FakeModelServer.start(vertx, "pod-1", IPS[0], 0));
        int port = started.get(0).port();
        for (int i = 1; i < IPS.length; i++) {
          started.add(FakeModelServer.start(vertx, "pod-" + (i + 1), IPS[i], port));
        }
        return started;
      } catch (Exception e) {
        // The port was free on 127.0.0.1 but taken on another loopback address: take another one.
        last = e;
        for (FakeModelServer s : started) {
          s.close();
        }
      }
    }
    throw last;
  }
}
