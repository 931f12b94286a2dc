package dev.infergate.router.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.router.testsupport.AuthYaml;
import dev.infergate.router.testsupport.FakeModelServer;
import dev.infergate.router.testsupport.FakeModelServer.Mode;
import dev.infergate.router.testsupport.Http;
import dev.infergate.router.testsupport.ModelServerProcess;
import dev.infergate.router.testsupport.Poll;
import dev.infergate.router.testsupport.Ports;
import dev.infergate.router.testsupport.RouterHarness;
import dev.infergate.router.testsupport.ServiceYaml;
import dev.infergate.router.testsupport.TestKeys;
import dev.infergate.router.testsupport.TestTokens;
import dev.infergate.testsupport.ExternalTool;
import io.vertx.core.Vertx;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The Grafana dashboard and the Prometheus alert rules in {@code config/observability/} cannot
 * drift from the code: a real router in front of a real model server (plus a failing fake replica
 * for retries and breakers, and a service with a shadow and a rollout on fake replicas) takes
 * traffic and a rollout that create every metric family, a second router in a cluster whose Redis
 * is unreachable adds the cluster's, all {@code /metrics} are scraped, and every metric that any
 * panel expression or alert rule names must be in them. The rules pass {@code promtool check
 * rules}, and so do the panels' expressions; the k8s ConfigMaps carry the same bytes.
 */
class ObservabilityFilesTest {
  private static final Path OBSERVABILITY = Path.of("..", "config", "observability");
  private static final Pattern METRIC = Pattern.compile("\\binfergate_[a-z0-9_]+");
  private static final ExternalTool PROMTOOL =
      new ExternalTool(
          "promtool",
          "Install the Debian package 'prometheus' (apt-get install -y prometheus), which provides promtool; "
              + "CI installs it in .ci/run.");
  private static final ExternalTool KUBECTL =
      new ExternalTool(
          "kubectl", "kubectl >= 1.27 (kustomize v5) renders k8s/monitoring; .ci/run installs it.");

  private static Vertx vertx;
  private static ModelServerProcess modelServer;
  private static RouterHarness router;
  private static RouterHarness clusterRouter;
  private static String routerMetrics;
  private static String clusterRouterMetrics;
  private static String modelServerMetrics;

  @BeforeAll
  static void runTrafficAndScrape() throws Exception {
    vertx = Vertx.vertx();
    modelServer = ModelServerProcess.launch("model-server-observability").awaitReady();
    FakeModelServer failing = FakeModelServer.start(vertx, "failing").mode(Mode.FAIL_500);
    FakeModelServer shadowStable = FakeModelServer.start(vertx, "shadowed-stable");
    FakeModelServer shadowCanary = FakeModelServer.start(vertx, "shadowed-canary");
    TestKeys key = TestKeys.ec("observability");
    Path jwks =
        TestKeys.writeJwks(
            Files.createTempDirectory("infergate-observability").resolve("jwks.json"), key);
    String limits =
        "rateLimits:\n  default: { perSecond: 1000, burst: 1000 }\n"
            + "  services:\n    flaky: { perSecond: 1, burst: 2 }\n";
    router =
        RouterHarness.start(
            ServiceYaml.configWith(
                AuthYaml.auth(jwks) + limits,
                new ServiceYaml("iris")
                    .track("stable", 100, "1", modelServer.url(), failing.url())
                    .track("canary", 0, "2", Ports.refusedUrl())
                    .fallback("stable")
                    .timeoutMillis(15_000) // a loaded CI machine: the first inferences are slow
                    // Only failures open a breaker here: slow first inferences on a loaded machine
                    // must not close
                    // off the one real replica (the failing fake's breaker still opens).
                    .breaker(
                        "{ failureRatePercent: 50, slowCallMillis: 30000, window: 4, openMillis: 60000 }"),
                new ServiceYaml("flaky")
                    .model("flaky")
                    .track("stable", 100, "1", failing.url())
                    .retry("{ attempts: 3, budgetPercent: 0, minConcurrent: 0 }"),
                // With no traffic during the rollout its one window is inconclusive (minRequests
                // unreached), which pauses it at once (maxInconclusive 1).
                new ServiceYaml("shadowed")
                    .track("stable", 100, "1", shadowStable.url())
                    .track("canary", 0, "2", shadowCanary.url())
                    .shadow("{ track: canary, percent: 100 }")
                    .rollout(
                        "{ candidate: canary, baseline: stable, steps: [50], stepSeconds: 1, "
                            + "minRequests: 1000, maxInconclusive: 1, warmup: { shadowRequests: 0 } }")));
    String token =
        "Bearer "
            + TestTokens.forSubject("ops")
                .roles(AuthYaml.ADMIN_ROLE, AuthYaml.OVERRIDE_ROLE)
                .signEs256(key);
    String infer = router.url("/v2/models/iris/infer");
    // The first health checks have to pass before the router sends to an endpoint (slow on a loaded
    // machine).
    Poll.until(
        Duration.ofSeconds(30),
        () -> Http.post(infer, Http.irisV2("input"), "authorization", token).status() == 200,
        "the router to serve iris");
    // Traffic for the metrics, not an availability check: on a loaded machine a slow health check
    // can take
    // the real replica out for a moment (503), so each request is sent until it is served.
    for (int i = 0; i < 10; i++) {
      Poll.until(
          Duration.ofSeconds(30),
          () -> Http.post(infer, Http.irisV2("input"), "authorization", token).status() == 200,
          "the router to serve iris again");
    }
    assertEquals(
        200,
        Http.post(
                infer, Http.irisV2("input"), "authorization", token, "x-infergate-track", "canary")
            .status(),
        "failover from the unreachable canary");
    assertEquals(401, Http.post(infer, Http.irisV2("input")).status());
    int limited = 0;
    for (int i = 0; i < 6; i++) {
      int status =
          Http.post(
                  router.url("/v2/models/flaky/infer"),
                  Http.irisV2("input"),
                  "authorization",
                  token)
              .status();
      assertTrue(status == 500 || status == 503 || status == 429, "flaky answered " + status);
      limited += status == 429 ? 1 : 0;
    }
    assertTrue(limited > 0, "the per-service bucket never refused");
    assertEquals(
        200,
        Http.send(
                Http.builder(
                        router.adminUrl("/admin/services/iris/weights"), "authorization", token)
                    .PUT(HttpRequest.BodyPublishers.ofString("{\"stable\": 80, \"canary\": 20}"))
                    .build())
            .status());
    shadowCopiesAndARollout(token);
    routerMetrics = Http.get(router.adminUrl("/metrics")).body();
    modelServerMetrics = Http.get(modelServer.adminUrl() + "/metrics").body();
    clusterRouterMetrics = clusterRouterWithRedisUnreachable(shadowStable);
  }

  /**
   * Shadow copies that are compared, then a rollout started through the admin API that pauses after
   * its one inconclusive window and is aborted.
   */
  private static void shadowCopiesAndARollout(String token) {
    String infer = router.url("/v2/models/shadowed/infer");
    Poll.until(
        Duration.ofSeconds(30),
        () -> {
          Http.post(infer, Http.irisV2("input"), "authorization", token);
          return shadow(token).getLong("agreed", 0L) >= 3;
        },
        "three shadow copies compared");
    String rollout = router.adminUrl("/admin/services/shadowed/rollout");
    Http.Response started = Http.post(rollout, "", "authorization", token);
    assertEquals(200, started.status(), started.body());
    Poll.until(
        Duration.ofSeconds(30),
        () -> "paused".equals(Http.get(rollout, "authorization", token).json().getString("phase")),
        "the rollout to pause after an inconclusive window");
    Http.Response aborted = Http.post(rollout + "/abort", "", "authorization", token);
    assertEquals(200, aborted.status(), aborted.body());
  }

  private static JsonObject shadow(String token) {
    Http.Response service =
        Http.get(router.adminUrl("/admin/services/shadowed"), "authorization", token);
    assertEquals(200, service.status(), service.body());
    return service.json().getJsonObject("shadow");
  }

  /**
   * A router whose cluster's Redis refuses connections (it starts on its file's state) and serves
   * one request whose rate limit its local bucket decides; its {@code /metrics}.
   */
  private static String clusterRouterWithRedisUnreachable(FakeModelServer backend)
      throws Exception {
    clusterRouter =
        RouterHarness.start(
            ServiceYaml.configWith(
                "rateLimits: { default: { perSecond: 1000, burst: 1000 } }\n"
                    + "cluster: { redis: \"redis://127.0.0.1:"
                    + Ports.refused()
                    + "\", replicas: 2 }\n",
                new ServiceYaml("iris").track("stable", 100, "1", backend.url())));
    Poll.until(
        Duration.ofSeconds(30),
        () ->
            Http.post(
                        clusterRouter.url("/v2/models/iris/infer"),
                        Http.irisV2("input"),
                        "x-infergate-consumer",
                        "ops")
                    .status()
                == 200,
        "the cluster router to serve iris");
    return Http.get(clusterRouter.adminUrl("/metrics")).body();
  }

  @AfterAll
  static void stop() throws Exception {
    if (router != null) {
      router.close();
    }
    if (clusterRouter != null) {
      clusterRouter.close();
    }
    if (modelServer != null) {
      modelServer.close();
    }
    if (vertx != null) {
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void everyMetricThatADashboardPanelNamesIsExposedByARunningService() throws IOException {
    Map<String, List<String>> panels = panelExpressions();
    assertTrue(panels.size() >= 12, "panels: " + panels.keySet());
    for (Map.Entry<String, List<String>> panel : panels.entrySet()) {
      Set<String> named = metricsIn(panel.getValue());
      assertFalse(
          named.isEmpty(), panel.getKey() + " names no infergate metric: " + panel.getValue());
      assertExposed("panel '" + panel.getKey() + "'", named);
    }
  }

  @Test
  void everyMetricThatAnAlertRuleNamesIsExposedAndTheRulesPassPromtool() {
    Map<String, String> alerts = alertExpressions();
    assertEquals(
        Set.of(
            "InfergateHighErrorRate",
            "InfergateHighP99Latency",
            "InfergateCircuitBreakerOpen",
            "InfergateNoReadyEndpoint",
            "InfergateModelQueueFull",
            "InfergateShadowAgreementLow",
            "InfergateShadowCopiesDropped",
            "InfergateRolloutAborted",
            "InfergateRolloutPaused",
            "InfergateRolloutAnalysisFailed",
            "InfergateRouterClusterOnLocalFallback"),
        alerts.keySet());
    alerts.forEach((alert, expr) -> assertExposed("alert " + alert, metricsIn(List.of(expr))));

    ExternalTool.Result check =
        PROMTOOL.run("", "check", "rules", OBSERVABILITY.resolve("alerts.yaml").toString());
    assertEquals(0, check.exitCode(), check.describe());
  }

  @Test
  void everyPanelExpressionIsValidPromql() throws IOException {
    // promtool has no expression check of its own: each expression becomes a recording rule, with
    // Grafana's variables replaced by what they expand to.
    StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
    int i = 0;
    for (List<String> exprs : panelExpressions().values()) {
      for (String expr : exprs) {
        String promql =
            expr.replace("$__rate_interval", "5m")
                .replace("$service", ".*")
                .replace("$model", ".*");
        rules
            .append("      - record: dashboard:expr")
            .append(i++)
            .append('\n')
            .append("        expr: ")
            .append(Json.encode(promql))
            .append('\n'); // a JSON string is a YAML scalar
      }
    }
    Path file = Files.createTempFile("infergate-dashboard-rules", ".yaml");
    try {
      Files.writeString(file, rules);
      ExternalTool.Result check = PROMTOOL.run("", "check", "rules", file.toString());
      assertEquals(0, check.exitCode(), rules + "\n" + check.describe());
    } finally {
      Files.delete(file);
    }
  }

  @Test
  void trackWeightAndQueueGaugesShowTheLiveValues() {
    assertExposes(
        routerMetrics,
        "infergate_router_track_weight{service=\"iris\",track=\"canary\"} 20.0",
        "track_weight",
        "the canary weight set through the admin API: ");
    assertExposes(
        routerMetrics,
        "infergate_router_track_weight{service=\"iris\",track=\"stable\"} 80.0",
        "track_weight",
        "");
    assertExposes(
        modelServerMetrics,
        "infergate_model_queue_capacity{model=\"iris\",version=\"1\"} 1024.0",
        "queue_capacity",
        "");
    assertExposes(
        modelServerMetrics,
        "infergate_model_queue_depth{model=\"iris\",version=\"1\"} 0.0",
        "queue_depth",
        "");
  }

  @Test
  void shadowRolloutAndClusterGaugesShowTheLiveValues() {
    assertExposes(
        routerMetrics,
        "infergate_router_rollout_phase{phase=\"aborted\",service=\"shadowed\"} 1.0",
        "rollout_phase",
        "");
    assertExposes(
        routerMetrics,
        "infergate_router_rollout_phase{phase=\"paused\",service=\"shadowed\"} 0.0",
        "rollout_phase",
        "");
    assertExposes(
        routerMetrics,
        "infergate_router_rollout_step{service=\"shadowed\"} 1.0",
        "rollout_step",
        "");
    assertExposes(
        routerMetrics,
        "infergate_router_rollout_weight{service=\"shadowed\",track=\"canary\"} 0.0",
        "rollout_weight",
        "the aborted candidate's weight: ");
    assertExposes(
        routerMetrics,
        "infergate_router_rollout_analyses_total{service=\"shadowed\",verdict=\"inconclusive\"} 1.0",
        "rollout_analyses",
        "");
    assertExposes(
        routerMetrics,
        "infergate_shadow_requests_total{live_track=\"stable\",result=\"dropped\",service=\"shadowed\",shadow_track=\"canary\"} 0.0",
        "shadow_requests",
        "");
    assertExposes(
        routerMetrics, "infergate_shadow_in_flight{service=\"shadowed\"}", "shadow_in_flight", "");
    assertExposes(clusterRouterMetrics, "infergate_router_cluster_redis_up 0.0", "cluster", "");
    // At least the one request served; more when the first ones met no healthy endpoint yet.
    assertTrue(
        clusterRouterMetrics
            .lines()
            .filter(
                l -> l.startsWith("infergate_router_ratelimit_fallback_total{reason=\"down\"} "))
            .anyMatch(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)) >= 1),
        "limits decided locally while Redis is down:\n" + grep(clusterRouterMetrics, "fallback"));
  }

  @Test
  void kubernetesConfigMapsCarryTheSameDashboardAndRules() throws IOException {
    ExternalTool.Result render =
        KUBECTL.run("", "kustomize", Path.of("..", "k8s", "monitoring").toString());
    assertEquals(0, render.exitCode(), render.describe());
    Map<String, Map<String, Object>> configMaps = new LinkedHashMap<>();
    for (Object doc : new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(render.stdout())) {
      Map<?, ?> m = (Map<?, ?>) doc;
      if ("ConfigMap".equals(m.get("kind"))) {
        @SuppressWarnings("unchecked")
        Map<String, Object> data = (Map<String, Object>) m.get("data");
        configMaps.put(String.valueOf(((Map<?, ?>) m.get("metadata")).get("name")), data);
      }
    }
    assertEquals(
        Files.readString(OBSERVABILITY.resolve("grafana-dashboard.json")),
        configMaps.get("infergate-grafana-dashboards").get("infergate.json"));
    assertEquals(
        Files.readString(OBSERVABILITY.resolve("alerts.yaml")),
        configMaps.get("infergate-prometheus-rules").get("infergate-alerts.yaml"));
  }

  private static void assertExposed(String where, Set<String> named) {
    Set<String> exposed = new TreeSet<>();
    exposed.addAll(families(routerMetrics));
    exposed.addAll(families(modelServerMetrics));
    exposed.addAll(families(clusterRouterMetrics));
    Set<String> missing = new TreeSet<>(named);
    missing.removeAll(exposed);
    assertTrue(missing.isEmpty(), where + " names metrics no service exposes: " + missing);
  }

  /** Every sample name in a Prometheus text exposition. */
  private static Set<String> families(String text) {
    return text.lines()
        .filter(l -> !l.startsWith("#") && !l.isBlank())
        .map(l -> l.split("[{ ]", 2)[0])
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static Set<String> metricsIn(List<String> exprs) {
    Set<String> names = new TreeSet<>();
    for (String expr : exprs) {
      Matcher m = METRIC.matcher(expr);
      while (m.find()) {
        names.add(m.group());
      }
    }
    return names;
  }

  /** Panel title → its query expressions, rows' nested panels included. */
  private static Map<String, List<String>> panelExpressions() throws IOException {
    JsonObject dashboard =
        new JsonObject(Files.readString(OBSERVABILITY.resolve("grafana-dashboard.json")));
    Map<String, List<String>> out = new LinkedHashMap<>();
    collect(dashboard.getJsonArray("panels"), out);
    return out;
  }

  private static void collect(JsonArray panels, Map<String, List<String>> out) {
    for (Object p : panels) {
      JsonObject panel = (JsonObject) p;
      if ("row".equals(panel.getString("type"))) {
        collect(panel.getJsonArray("panels", new JsonArray()), out);
        continue;
      }
      List<String> exprs = new ArrayList<>();
      for (Object t : panel.getJsonArray("targets", new JsonArray())) {
        exprs.add(((JsonObject) t).getString("expr"));
      }
      out.put(panel.getString("title"), exprs);
    }
  }

  /** Alert name → expression. */
  private static Map<String, String> alertExpressions() {
    try {
      Map<?, ?> file =
          new Yaml(new SafeConstructor(new LoaderOptions()))
              .load(Files.readString(OBSERVABILITY.resolve("alerts.yaml")));
      Map<String, String> out = new LinkedHashMap<>();
      for (Object group : (List<?>) file.get("groups")) {
        for (Object rule : (List<?>) ((Map<?, ?>) group).get("rules")) {
          Map<?, ?> r = (Map<?, ?>) rule;
          out.put(String.valueOf(r.get("alert")), String.valueOf(r.get("expr")));
        }
      }
      return out;
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  /**
   * {@code metrics} has the line {@code sample}; else the failure shows the lines about {@code
   * family}.
   */
  private static void assertExposes(String metrics, String sample, String family, String why) {
    assertTrue(
        metrics.contains(sample), why + "expected " + sample + " in:\n" + grep(metrics, family));
  }

  private static String grep(String text, String word) {
    return text.lines().filter(l -> l.contains(word)).collect(Collectors.joining("\n"));
  }
}
