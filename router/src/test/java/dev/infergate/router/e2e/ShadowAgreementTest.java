package dev.infergate.router.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.router.shadow.ShadowStats;
import dev.infergate.router.testsupport.Http;
import dev.infergate.router.testsupport.ModelServerProcess;
import dev.infergate.router.testsupport.Poll;
import dev.infergate.router.testsupport.RouterHarness;
import dev.infergate.router.testsupport.ServiceYaml;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Shadow traffic on real model servers: iris/1 serves live, iris/2 gets every request as a shadow.
 * The two versions agree on some flowers and not on others (both trained from the same data with
 * different seeds), so a known set of requests gives known counts in the admin API and /metrics.
 */
class ShadowAgreementTest {
  /** Both versions say setosa. */
  private static final double[] AGREE = {5.1, 3.5, 1.4, 0.2};

  /** iris/1 and iris/2 name different species for these (found by comparing both on a grid). */
  private static final double[][] DISAGREE = {
    {5.0, 2.5, 4.5, 1.5}, {5.0, 3.0, 3.0, 0.3}, {5.0, 3.5, 3.0, 1.0}
  };

  private static ModelServerProcess stable;
  private static ModelServerProcess canary;
  private static RouterHarness router;

  @BeforeAll
  static void start() throws Exception {
    stable = ModelServerProcess.launch("shadow-e2e-stable");
    canary = ModelServerProcess.launch("shadow-e2e-canary");
    stable.awaitReady();
    canary.awaitReady();
    router =
        RouterHarness.start(
            ServiceYaml.config(
                new ServiceYaml("iris")
                    .track("stable", 100, "1", stable.url())
                    .track("canary", 0, "2", canary.url())
                    .fallback("stable")
                    .timeoutMillis(
                        30_000) // a loaded CI machine must not turn a slow shadow into a shadow
                    // error
                    .shadow("{ track: canary, percent: 100 }")));
  }

  @AfterAll
  static void stop() throws Exception {
    if (router != null) {
      router.close();
    }
    for (ModelServerProcess p : new ModelServerProcess[] {stable, canary}) {
      if (p != null) {
        p.close();
      }
    }
  }

  private static String v2(double[]... rows) {
    StringBuilder data = new StringBuilder();
    for (double[] row : rows) {
      for (double v : row) {
        data.append(data.length() == 0 ? "" : ",").append(v);
      }
    }
    return "{\"inputs\":[{\"name\":\"input\",\"shape\":["
        + rows.length
        + ",4],\"datatype\":\"FP32\",\"data\":["
        + data
        + "]}]}";
  }

  private static String v1(double[] row) {
    return "{\"instances\":[[" + row[0] + "," + row[1] + "," + row[2] + "," + row[3] + "]]}";
  }

  private static void send(String path, String body, String requestId) {
    Http.Response r = Http.post(router.url(path), body, "x-request-id", requestId);
    assertEquals(200, r.status(), r.body());
    assertEquals("stable", r.header("x-infergate-track"));
    if (path.startsWith("/v2")) {
      assertEquals(
          "1", r.json().getString("model_version"), "the client gets the live (iris/1) answer");
    }
  }

  @Test
  void countsMatchAKnownSetOfRequestsInTheAdminApiAndMetrics() {
    List<String> disagreeing = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      send("/v2/models/iris/infer", v2(AGREE), "agree-v2-" + i);
    }
    for (int i = 0; i < DISAGREE.length; i++) {
      send("/v2/models/iris/infer", v2(DISAGREE[i]), "disagree-v2-" + i);
      disagreeing.add("disagree-v2-" + i);
    }
    for (int i = 0; i < 2; i++) {
      send("/v1/models/iris:predict", v1(AGREE), "agree-v1-" + i);
    }
    send("/v1/models/iris:predict", v1(DISAGREE[0]), "disagree-v1-0");
    disagreeing.add("disagree-v1-0");
    // One large answer (over the inline limit: compared on a worker): 1,500 rows that agree.
    double[][] many = new double[1500][];
    java.util.Arrays.fill(many, AGREE);
    send("/v2/models/iris/infer", v2(many), "agree-large");

    ShadowStats expected = new ShadowStats("iris", "canary", 13, 9, 4, 0, 0, 0);
    try {
      Poll.until(
          Duration.ofSeconds(60),
          () -> ended(router.server().shadowing().stats("iris")) == 13,
          "13 copies ended");
    } catch (AssertionError e) {
      throw new AssertionError(
          e.getMessage() + "; have " + router.server().shadowing().stats("iris"), e);
    }
    assertEquals(
        expected,
        router.server().shadowing().stats("iris"),
        "last error: " + router.server().shadowing().lastError("iris"));

    JsonObject shadow = router.admin("/admin/services/iris").getJsonObject("shadow");
    assertEquals(13, shadow.getLong("compared"));
    assertEquals(9, shadow.getLong("agreed"));
    assertEquals(4, shadow.getLong("disagreed"));
    assertEquals(0, shadow.getLong("errors"));
    assertEquals(0, shadow.getLong("dropped"));
    assertEquals(100.0 * 9 / 13, shadow.getDouble("agreementPercent"), 1e-9);
    JsonArray recent = shadow.getJsonArray("recentDisagreements");
    Set<String> ids =
        recent.stream()
            .map(o -> ((JsonObject) o).getString("requestId"))
            .collect(Collectors.toSet());
    assertEquals(Set.copyOf(disagreeing), ids);
    for (Object o : recent) {
      JsonObject d = (JsonObject) o;
      assertEquals("stable", d.getString("liveTrack"));
      assertEquals("canary", d.getString("shadowTrack"));
      assertTrue(d.getString("reason").contains("vs"), d.encode());
    }

    String metrics = Http.get(router.adminUrl("/metrics")).body();
    assertEquals(9.0, sample(metrics, "agreed"), metrics);
    assertEquals(4.0, sample(metrics, "disagreed"), metrics);
    assertEquals(0.0, sample(metrics, "error"), metrics);
    assertEquals(0.0, sample(metrics, "dropped"), metrics);

    // The copies went to iris/2 (the canary's pin) on the canary's server, and only there.
    assertEquals(13, successes(canary, "2"));
    assertEquals(0, successes(canary, "1"));
    assertEquals(13, successes(stable, "1"));
  }

  /**
   * Inference requests that model version answered on that server (Triton's statistics extension).
   */
  private static long successes(ModelServerProcess server, String version) {
    JsonObject stats =
        Http.get(server.url() + "/v2/models/iris/versions/" + version + "/stats").json();
    return stats
        .getJsonArray("model_stats")
        .getJsonObject(0)
        .getJsonObject("inference_stats")
        .getJsonObject("success")
        .getLong("count");
  }

  private static long ended(ShadowStats s) {
    return s.compared() + s.notComparable() + s.errors() + s.dropped();
  }

  /**
   * The value of {@code infergate_shadow_requests_total} for iris, stable → canary and that result.
   */
  private static double sample(String metrics, String result) {
    Pattern p =
        Pattern.compile("^infergate_shadow_requests_total\\{([^}]*)\\} (\\S+)$", Pattern.MULTILINE);
    Matcher m = p.matcher(metrics);
    while (m.find()) {
      String labels = m.group(1);
      if (labels.contains("service=\"iris\"")
          && labels.contains("live_track=\"stable\"")
          && labels.contains("shadow_track=\"canary\"")
          && labels.contains("result=\"" + result + "\"")) {
        return Double.parseDouble(m.group(2));
      }
    }
    throw new AssertionError("no shadow sample for result " + result + " in:\n" + metrics);
  }
}
