package dev.infergate.router.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.router.testsupport.FakeModelServer;
import dev.infergate.router.testsupport.Http;
import dev.infergate.router.testsupport.RouterHarness;
import dev.infergate.router.testsupport.ServiceYaml;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class AdminApiTest {
  private static Vertx vertx;
  private static FakeModelServer a;
  private static FakeModelServer b;
  private static RouterHarness router;

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    a = FakeModelServer.start(vertx, "a");
    b = FakeModelServer.start(vertx, "b");
    router =
        RouterHarness.start(
            ServiceYaml.config(
                new ServiceYaml("iris")
                    .track("stable", 90, "1", a.url())
                    .track("canary", 10, "2", b.url())
                    .fallback("stable"),
                new ServiceYaml("wine")
                    .blueGreen("green")
                    .track("blue", "1", a.url())
                    .track("green", "2", b.url())));
    Http.post(router.url("/v2/models/iris/infer"), Http.irisV2("input"));
  }

  @AfterAll
  static void stop() throws Exception {
    router.close();
    vertx.close().await();
  }

  @Test
  void listsServicesWithWeightsOrActiveTrack() {
    JsonArray services = router.admin("/admin/services").getJsonArray("services");
    assertEquals(2, services.size());
    JsonObject iris = services.getJsonObject(0);
    assertEquals("canary", iris.getString("strategy"));
    assertEquals(
        new JsonObject().put("stable", 90).put("canary", 10), iris.getJsonObject("weights"));
    assertEquals("green", services.getJsonObject(1).getString("active"));
  }

  @Test
  void showsEveryEndpointWithHealthAndBreakerState() {
    JsonObject iris = router.admin("/admin/services/iris");
    assertEquals("stable", iris.getString("fallbackTrack"));
    JsonObject stable = iris.getJsonArray("tracks").getJsonObject(0);
    assertEquals("stable", stable.getString("name"));
    assertEquals("1", stable.getString("modelVersion"));
    assertEquals(new JsonArray().add(0).add(9000), stable.getJsonArray("buckets"));
    JsonObject endpoint = stable.getJsonArray("endpoints").getJsonObject(0);
    assertEquals(a.url(), endpoint.getString("url"));
    assertEquals(true, endpoint.getBoolean("healthy"));
    assertEquals("CLOSED", endpoint.getString("breaker"));
    assertEquals(4, router.admin("/admin/upstreams").getJsonArray("endpoints").size());
  }

  @Test
  void unknownServiceAndWritesAreRefusedWithJson() {
    Http.Response missing = Http.get(router.adminUrl("/admin/services/nope"));
    assertEquals(404, missing.status());
    assertEquals("unknown service 'nope'", missing.json().getString("error"));
    Http.Response wrongMethod = Http.get(router.adminUrl("/admin/services/iris/promote"));
    assertEquals(405, wrongMethod.status());
    assertEquals("POST", wrongMethod.header("allow"));
    Http.Response badWeights =
        Http.send(
            Http.builder(router.adminUrl("/admin/services/iris/weights"))
                .PUT(
                    java.net.http.HttpRequest.BodyPublishers.ofString(
                        "{\"stable\": 80, \"canary\": 30}"))
                .build());
    assertEquals(400, badWeights.status());
    assertEquals("weights must sum to 100, they sum to 110", badWeights.json().getString("error"));
  }

  @Test
  void exposesPrometheusMetricsNamedInOnePlace() {
    Http.Response r = Http.get(router.adminUrl("/metrics"));
    assertEquals(200, r.status());
    assertTrue(r.header("content-type").startsWith("text/plain"));
    String m = r.body();
    for (String name :
        new String[] {
          "infergate_router_requests_total{service=\"iris\"",
          "infergate_router_request_duration_seconds_bucket{service=\"iris\"",
          "infergate_router_upstream_requests_total",
          "infergate_router_upstream_duration_seconds_bucket",
          "infergate_router_circuit_breaker_state",
          "infergate_router_endpoint_healthy",
          "infergate_router_endpoint_outstanding"
        }) {
      assertTrue(m.contains(name), name + " missing from\n" + m);
    }
  }
}
