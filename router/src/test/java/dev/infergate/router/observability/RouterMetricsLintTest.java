package dev.infergate.router.observability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.router.testsupport.ExternalTool;
import dev.infergate.router.testsupport.FakeModelServer;
import dev.infergate.router.testsupport.FakeModelServer.Mode;
import dev.infergate.router.testsupport.Http;
import dev.infergate.router.testsupport.Ports;
import dev.infergate.router.testsupport.RouterHarness;
import dev.infergate.router.testsupport.ServiceYaml;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What a real Prometheus scrapes from the router's admin {@code /metrics} is valid and clean:
 * {@code promtool check metrics} (Debian package {@code prometheus}) reports nothing after proxied
 * traffic that creates the families: answers, tries, a retry, a failover, a 404, a config reload.
 */
class RouterMetricsLintTest {
  private static final ExternalTool PROMTOOL = new ExternalTool("promtool",
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
      ServiceYaml iris = new ServiceYaml("iris").track("stable", 100, "1", good.url(), failing.url());
      ServiceYaml split = new ServiceYaml("split").model("split")
          .track("stable", 100, "1", good.url()).track("canary", 0, "2", Ports.refusedUrl()).fallback("stable");
      try (RouterHarness router = RouterHarness.start(ServiceYaml.config(iris, split))) {
        String infer = router.url("/v2/models/iris/infer");
        for (int i = 0; i < 10; i++) {
          assertEquals(200, Http.post(infer, Http.irisV2("input")).status());
        }
        assertEquals(200, Http.post(router.url("/v2/models/split/infer"), Http.irisV2("input"),
            "x-infergate-track", "canary").status());
        assertEquals(404, Http.post(router.url("/v2/models/nope/infer"), Http.irisV2("input")).status());
        router.reload(ServiceYaml.config(iris.timeoutMillis(6000), split));
        Http.Response scrape = Http.get(router.adminUrl("/metrics"));
        assertEquals(200, scrape.status());
        metrics = scrape.body();
      }
    } finally {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
    for (String family : new String[] {"infergate_router_requests_total", "infergate_router_retries_total",
        "infergate_router_upstream_requests_total", "infergate_router_circuit_breaker_state",
        "infergate_router_failovers_total", "infergate_router_config_reloads_total"}) {
      assertTrue(metrics.contains(family), family + " is missing:\n" + metrics);
    }

    ExternalTool.Result lint = PROMTOOL.run(metrics, "check", "metrics");

    assertEquals(0, lint.exitCode(), "promtool check metrics complained:\n" + lint.describe());
    assertEquals("", lint.stdout().strip() + lint.stderr().strip(),
        "promtool check metrics printed complaints:\n" + lint.describe());
  }
}
