package dev.infergate.router.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.router.testsupport.AuthYaml;
import dev.infergate.router.testsupport.FakeModelServer;
import dev.infergate.router.testsupport.FakeModelServer.Mode;
import dev.infergate.router.testsupport.Http;
import dev.infergate.router.testsupport.Poll;
import dev.infergate.router.testsupport.Ports;
import dev.infergate.router.testsupport.RouterHarness;
import dev.infergate.router.testsupport.ServiceYaml;
import dev.infergate.router.testsupport.TestKeys;
import dev.infergate.router.testsupport.TestTokens;
import dev.infergate.testsupport.ExternalTool;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What a real Prometheus scrapes from the router's admin {@code /metrics} is valid and clean:
 * {@code promtool check metrics} (Debian package {@code prometheus}) reports nothing after proxied
 * traffic that creates the families: answers, tries, a retry, a failover, a 404, a config reload, a
 * shadow copy.
 */
class RouterMetricsLintTest {
  private static final ExternalTool PROMTOOL =
      new ExternalTool(
          "promtool",
          "Install the Debian package 'prometheus' (apt-get install -y prometheus), which provides promtool; "
              + "CI installs it in .ci/run.");

  @Test
  void metricsPassPromtoolLintAfterProxiedTraffic() throws Exception {
    PROMTOOL.require();
    Vertx vertx = Vertx.vertx();
    String metrics;
    try {
      FakeModelServer good = FakeModelServer.start(vertx, "good");
      FakeModelServer failing = FakeModelServer.start(vertx, "failing").mode(Mode.FAIL_500);
      ServiceYaml iris =
          new ServiceYaml("iris").track("stable", 100, "1", good.url(), failing.url());
      ServiceYaml split =
          new ServiceYaml("split")
              .model("split")
              .track("stable", 100, "1", good.url())
              .track("canary", 0, "2", Ports.refusedUrl())
              .fallback("stable")
              .shadow("{ track: canary, percent: 100 }");
      try (RouterHarness router = RouterHarness.start(ServiceYaml.config(iris, split))) {
        String infer = router.url("/v2/models/iris/infer");
        for (int i = 0; i < 10; i++) {
          assertEquals(200, Http.post(infer, Http.irisV2("input")).status());
        }
        assertEquals(
            200,
            Http.post(
                    router.url("/v2/models/split/infer"),
                    Http.irisV2("input"),
                    "x-infergate-track",
                    "canary")
                .status());
        assertEquals(
            404, Http.post(router.url("/v2/models/nope/infer"), Http.irisV2("input")).status());
        Poll.until(
            Duration.ofSeconds(10),
            () -> router.server().shadowing().stats("split").errors() == 1,
            "the shadow copy to the refused canary counted");
        router.reload(ServiceYaml.config(iris.timeoutMillis(6000), split));
        Http.Response scrape = Http.get(router.adminUrl("/metrics"));
        assertEquals(200, scrape.status());
        metrics = scrape.body();
      }
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
    for (String family :
        new String[] {
          "infergate_router_requests_total",
          "infergate_router_retries_total",
          "infergate_router_upstream_requests_total",
          "infergate_router_circuit_breaker_state",
          "infergate_router_failovers_total",
          "infergate_router_config_reloads_total",
          "infergate_shadow_requests_total",
          "infergate_shadow_duration_seconds",
          "infergate_shadow_in_flight"
        }) {
      assertTrue(metrics.contains(family), family + " is missing:\n" + metrics);
    }

    assertPromtoolFindsNothing(metrics);
  }

  @Test
  void securityMetricsPassPromtoolLintToo() throws Exception {
    PROMTOOL.require();
    Vertx vertx = Vertx.vertx();
    String metrics;
    try {
      FakeModelServer good = FakeModelServer.start(vertx, "good");
      TestKeys key = TestKeys.ec("lint");
      java.nio.file.Path jwks =
          TestKeys.writeJwks(
              java.nio.file.Files.createTempDirectory("infergate-lint").resolve("jwks.json"), key);
      String limits = "rateLimits:\n  default: { perSecond: 1, burst: 2 }\n";
      try (RouterHarness router =
          RouterHarness.start(
              ServiceYaml.configWith(
                  AuthYaml.auth(jwks) + limits,
                  new ServiceYaml("iris").track("stable", 100, "1", good.url())))) {
        String infer = router.url("/v2/models/iris/infer");
        String token = "Bearer " + TestTokens.forSubject("lint").signEs256(key);
        String admin =
            "Bearer " + TestTokens.forSubject("ops").roles(AuthYaml.ADMIN_ROLE).signEs256(key);
        assertEquals(401, Http.post(infer, Http.irisV2("input")).status());
        assertEquals(
            401, Http.post(infer, Http.irisV2("input"), "authorization", "Bearer junk").status());
        int limited = 0;
        for (int i = 0; i < 5; i++) {
          limited +=
              Http.post(infer, Http.irisV2("input"), "authorization", token).status() == 429
                  ? 1
                  : 0;
        }
        assertTrue(limited > 0);
        assertEquals(
            403, Http.get(router.adminUrl("/admin/services"), "authorization", token).status());
        assertEquals(
            400,
            Http.send(
                    Http.builder(
                            router.adminUrl("/admin/services/iris/weights"), "authorization", admin)
                        .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("{\"stable\": 50}"))
                        .build())
                .status());
        metrics = Http.get(router.adminUrl("/metrics")).body();
      }
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
    for (String line :
        new String[] {
          "infergate_router_auth_failures_total{listener=\"proxy\",reason=\"missing\"} 1.0",
          "infergate_router_auth_failures_total{listener=\"proxy\",reason=\"invalid\"} 1.0",
          "infergate_router_auth_failures_total{listener=\"admin\",reason=\"forbidden\"} 1.0",
          "infergate_router_ratelimit_rejected_total{service=\"iris\"}",
          "infergate_router_admin_changes_total{action=\"weights\",result=\"rejected\"} 1.0"
        }) {
      assertTrue(metrics.contains(line), line + " is missing:\n" + metrics);
    }
    assertPromtoolFindsNothing(metrics);
  }

  private static void assertPromtoolFindsNothing(String metrics) {
    ExternalTool.Result lint = PROMTOOL.run(metrics, "check", "metrics");
    assertEquals(0, lint.exitCode(), "promtool check metrics complained:\n" + lint.describe());
    assertEquals(
        "",
        lint.stdout().strip() + lint.stderr().strip(),
        "promtool check metrics printed complaints:\n" + lint.describe());
  }
}
