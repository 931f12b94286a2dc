package dev.infergate.modelserver.deploy;

import static dev.infergate.modelserver.testsupport.RunningServer.v2Body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.modelserver.testsupport.RunningServer;
import dev.infergate.modelserver.testsupport.TestModels;
import dev.infergate.testsupport.ExternalTool;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * What a real Prometheus scrapes from a model server is valid and clean: {@code promtool check
 * metrics} (Debian package {@code prometheus}) reports nothing on the live {@code /metrics} output
 * after real inferences, good and bad, so every metric family and label set exists.
 */
class ModelServerMetricsLintTest {
  static final ExternalTool PROMTOOL =
      new ExternalTool(
          "promtool",
          "Install the Debian package 'prometheus' (apt-get install -y prometheus), which provides promtool; "
              + "CI installs it in .ci/run.");

  @Test
  void metricsPassPromtoolLintAfterInferences() {
    PROMTOOL.require();
    String metrics;
    try (RunningServer server = RunningServer.start(TestModels.bundled())) {
      for (int i = 0; i < 5; i++) {
        assertEquals(
            200,
            server
                .post("/v2/models/iris/infer", v2Body(TestModels.SETOSA, TestModels.VIRGINICA))
                .statusCode());
        assertEquals(
            200,
            server
                .post(
                    "/v1/models/iris/versions/2:predict", "{\"instances\": [[6.4, 3.2, 4.5, 1.5]]}")
                .statusCode());
      }
      assertEquals(400, server.post("/v2/models/iris/infer", "{\"inputs\": []}").statusCode());
      HttpResponse<String> scrape = server.adminGet("/metrics");
      assertEquals(200, scrape.statusCode());
      metrics = scrape.body();
    }
    assertTrue(
        metrics.contains("infergate_model_requests_total"),
        "model metrics are missing:\n" + metrics);

    ExternalTool.Result lint = PROMTOOL.run(metrics, "check", "metrics");

    assertEquals(0, lint.exitCode(), "promtool check metrics complained:\n" + lint.describe());
    assertEquals(
        "",
        lint.stdout().strip() + lint.stderr().strip(),
        "promtool check metrics printed complaints:\n" + lint.describe());
  }
}
