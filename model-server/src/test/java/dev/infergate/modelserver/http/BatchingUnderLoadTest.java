package dev.infergate.modelserver.http;

import static dev.infergate.modelserver.testsupport.RunningServer.json;
import static dev.infergate.modelserver.testsupport.RunningServer.v2Body;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.modelserver.testsupport.RunningServer;
import dev.infergate.modelserver.testsupport.TestModels;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Concurrent requests are batched together and every client still gets the answer for its own row.
 */
class BatchingUnderLoadTest {
  private static final int CLIENTS = 64;

  @Test
  void sixtyFourConcurrentRequestsEachGetTheirOwnAnswerWhileBatchesForm(@TempDir Path dir)
      throws Exception {
    // A long queue delay makes batching certain rather than a matter of timing.
    Path models = TestModels.copyWithConfig(dir, "maxQueueDelayMicros: 50000");
    try (RunningServer server = RunningServer.start(models)) {
      float[][] rows = distinctRows(CLIENTS);
      JsonObject expected = json(server.post("/v2/models/iris/versions/1/infer", v2Body(rows)));
      JsonArray expectedProbabilities =
          expected.getJsonArray("outputs").getJsonObject(0).getJsonArray("data");
      JsonArray expectedLabels =
          expected.getJsonArray("outputs").getJsonObject(1).getJsonArray("data");

      List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
      for (int i = 0; i < CLIENTS; i++) {
        responses.add(
            server.postAsync(
                "/v2/models/iris/versions/1/infer",
                "{\"id\":\"client-" + i + "\"," + v2Body(rows[i]).substring(1)));
      }
      for (int i = 0; i < CLIENTS; i++) {
        HttpResponse<String> response = responses.get(i).get(30, TimeUnit.SECONDS);
        assertEquals(200, response.statusCode(), response.body());
        JsonObject body = json(response);
        assertEquals("client-" + i, body.getString("id"));
        JsonArray probabilities =
            body.getJsonArray("outputs").getJsonObject(0).getJsonArray("data");
        for (int column = 0; column < 3; column++) {
          assertEquals(
              expectedProbabilities.getDouble(i * 3 + column),
              probabilities.getDouble(column),
              1e-6,
              "client " + i + " column " + column);
        }
        assertEquals(
            expectedLabels.getString(i),
            body.getJsonArray("outputs").getJsonObject(1).getJsonArray("data").getString(0));
      }

      String metrics = server.adminGet("/metrics").body();
      double batches = metric(metrics, "infergate_model_batch_size_count");
      double rowsRun = metric(metrics, "infergate_model_batch_size_sum");
      double largest = metric(metrics, "infergate_model_batch_size_max");
      assertEquals(2 * CLIENTS, rowsRun, "one batch of 64 rows plus 64 single-row requests");
      assertTrue(
          batches < CLIENTS,
          "requests were batched: " + batches + " batches for " + (CLIENTS + 1) + " requests");
      assertTrue(largest > 1);
    }
  }

  /** Rows around the three class prototypes, each different, so a mixed-up answer is visible. */
  private static float[][] distinctRows(int count) {
    float[][] prototypes = {TestModels.SETOSA, TestModels.VERSICOLOR, TestModels.VIRGINICA};
    Random random = new Random(7);
    float[][] rows = new float[count][4];
    for (int i = 0; i < count; i++) {
      for (int j = 0; j < 4; j++) {
        rows[i][j] = prototypes[i % 3][j] + (random.nextFloat() - 0.5f) * 0.4f;
      }
    }
    return rows;
  }

  private static double metric(String text, String name) {
    Matcher matcher =
        Pattern.compile("(?m)^" + name + "\\{model=\"iris\",version=\"1\"} (\\S+)$").matcher(text);
    assertTrue(matcher.find(), name + " not in metrics");
    return Double.parseDouble(matcher.group(1));
  }
}
