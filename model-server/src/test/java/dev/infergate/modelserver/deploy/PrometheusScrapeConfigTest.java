package dev.infergate.modelserver.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.infergate.testsupport.ExternalTool;
import org.junit.jupiter.api.Test;

/** The scrape configuration example under k8s/monitoring is one that Prometheus accepts. */
class PrometheusScrapeConfigTest {
  @Test
  void scrapeConfigExamplePassesPromtoolCheckConfig() {
    String file = Overlays.k8s().resolve("monitoring/prometheus-scrape.yaml").toString();

    ExternalTool.Result check =
        ModelServerMetricsLintTest.PROMTOOL.run(null, "check", "config", file);

    assertEquals(0, check.exitCode(), "promtool check config " + file + ":\n" + check.describe());
  }
}
