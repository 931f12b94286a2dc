package dev.infergate.modelserver.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.modelserver.config.CommandLine;
import dev.infergate.modelserver.config.ModelServerConfig;
import dev.infergate.testsupport.ExternalTool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The one-host stack in {@code config/compose.yaml} is one that Compose accepts and that fits the
 * rest of the repository: images come from its Dockerfiles or are pinned, ports are those the
 * mounted service configs listen on, and the mounted Prometheus config scrapes every infergate
 * container. Checked on {@code docker-compose config}'s resolved form, without a Docker engine.
 */
class ComposeStackTest {
  private static final String ROUTER_DOCKERFILE = "router/Dockerfile";
  private static final String MODEL_SERVER_DOCKERFILE = "model-server/Dockerfile";
  private static final Pattern VERSION_TAG = Pattern.compile(":v?\\d+(\\.\\d+)+[^:/@]*$");
  private static final Pattern DEV_TCP_PORT = Pattern.compile("/dev/tcp/127\\.0\\.0\\.1/(\\d+)");

  @Test
  void dockerComposeConfigAcceptsTheStackWithRouterThreeModelServersAndObservability() {
    ComposeStack stack = ComposeStack.get();

    assertEquals(List.of("router"), stack.builtFrom(ROUTER_DOCKERFILE));
    assertEquals(
        List.of("model-server-canary", "model-server-stable-1", "model-server-stable-2"),
        stack.builtFrom(MODEL_SERVER_DOCKERFILE));
    assertTrue(
        stack.services().keySet().containsAll(List.of("prometheus", "grafana", "jaeger")),
        "services: " + stack.services().keySet());
  }

  @Test
  void everyImageIsBuiltFromARepositoryDockerfileOrPinnedToAVersionOrDigest() {
    ComposeStack.get()
        .services()
        .forEach(
            (name, service) -> {
              if (service.get("build") instanceof Map<?, ?> build) {
                Path dockerfile =
                    Path.of(String.valueOf(build.get("context")))
                        .resolve(String.valueOf(build.get("dockerfile")));
                assertTrue(
                    dockerfile.normalize().startsWith(ComposeStack.config().getParent()),
                    name + ": " + dockerfile);
                Dockerfile parsed = Dockerfile.read(dockerfile);
                if (build.get("target") != null) {
                  assertTrue(
                      parsed.isStage(String.valueOf(build.get("target"))),
                      name + ": no stage " + build.get("target"));
                }
                return;
              }
              String image = String.valueOf(service.get("image"));
              assertTrue(
                  image.contains("@sha256:") || VERSION_TAG.matcher(image).find(),
                  name
                      + ": image "
                      + image
                      + " is neither built here nor pinned to a version or digest");
            });
  }

  @Test
  void publishedExposedAndHealthCheckedPortsAreTheOnesTheMountedConfigsListenOn() {
    ComposeStack stack = ComposeStack.get();
    for (String name : stack.builtFrom(ROUTER_DOCKERFILE)) {
      Map<String, Object> service = stack.service(name);
      Map<String, Object> config = configOf(service);
      int listen = port(config, "listen");
      int admin = port(config, "admin");
      List<Integer> published = ComposeStack.publishedContainerPorts(service);
      assertTrue(
          published.contains(listen),
          name + " does not publish its listen port " + listen + ": " + published);
      assertTrue(
          Set.of(listen, admin).containsAll(published),
          name + " publishes " + published + " but listens on " + listen + " and " + admin);
      assertEquals(listen, healthCheckPort(name, service));
    }
    Set<String> modelServerAddresses = new HashSet<>();
    for (String name : stack.builtFrom(MODEL_SERVER_DOCKERFILE)) {
      Map<String, Object> service = stack.service(name);
      Map<String, Object> config = configOf(service);
      int port = ((Number) config.get("port")).intValue();
      int admin = port(config, "admin");
      assertEquals(
          "0.0.0.0",
          String.valueOf(ComposeStack.map(config, "admin").get("host")),
          name + ": Prometheus scrapes the admin listener from another container");
      Set<Integer> exposed = new TreeSet<>();
      ComposeStack.list(service, "expose")
          .forEach(p -> exposed.add(Integer.parseInt(String.valueOf(p))));
      exposed.addAll(ComposeStack.publishedContainerPorts(service));
      assertEquals(
          new TreeSet<>(Set.of(port, admin)),
          exposed,
          name + " exposes other ports than it listens on");
      assertEquals(port, healthCheckPort(name, service));
      modelServerAddresses.add("http://" + name + ":" + port);
    }
    Map<String, Object> router = configOf(stack.service("router"));
    List<String> endpoints = new ArrayList<>();
    ComposeStack.map(router, "services")
        .values()
        .forEach(
            svc ->
                ComposeStack.map(svc, "tracks")
                    .values()
                    .forEach(
                        track ->
                            ComposeStack.list(track, "endpoints")
                                .forEach(e -> endpoints.add(String.valueOf(e)))));
    assertEquals(
        modelServerAddresses,
        new HashSet<>(endpoints),
        "the router's endpoints are not exactly the stack's model servers on their ports");
  }

  @Test
  void mountedPrometheusConfigScrapesEveryInfergateServiceOnItsMetricsPortAndPassesPromtool()
      throws IOException {
    ComposeStack stack = ComposeStack.get();
    Path prometheusYml =
        ComposeStack.mountedAt(stack.service("prometheus"), "/etc/prometheus/prometheus.yml");
    Map<String, Object> prometheus = ComposeStack.parse(Files.readString(prometheusYml));
    Set<String> targets = new HashSet<>();
    for (Object job : ComposeStack.list(prometheus, "scrape_configs")) {
      @SuppressWarnings("unchecked")
      Map<String, Object> scrape = (Map<String, Object>) job;
      assertEquals("/metrics", scrape.getOrDefault("metrics_path", "/metrics"));
      for (Object group : ComposeStack.list(scrape, "static_configs")) {
        @SuppressWarnings("unchecked")
        Map<String, Object> g = (Map<String, Object>) group;
        ComposeStack.list(g, "targets").forEach(t -> targets.add(String.valueOf(t)));
      }
    }
    Set<String> expected = new HashSet<>();
    for (String name : stack.builtFrom(ROUTER_DOCKERFILE)) {
      expected.add(name + ":" + port(configOf(stack.service(name)), "admin"));
    }
    for (String name : stack.builtFrom(MODEL_SERVER_DOCKERFILE)) {
      expected.add(name + ":" + port(configOf(stack.service(name)), "admin"));
    }
    assertEquals(expected, targets, "Prometheus targets vs the stack's services' admin listeners");

    ExternalTool.Result check =
        ModelServerMetricsLintTest.PROMTOOL.run(null, "check", "config", prometheusYml.toString());
    assertEquals(0, check.exitCode(), check.describe());
  }

  @Test
  void everyServiceRestartsRunsAsNonRootWithLimitsAndWaitsOnlyForHealthChecksThatExist() {
    Map<String, Map<String, Object>> services = ComposeStack.get().services();
    services.forEach(
        (name, service) -> {
          assertEquals("unless-stopped", service.get("restart"), name);
          String user = String.valueOf(service.get("user"));
          assertTrue(user.matches("\\d+(:\\d+)?"), name + ": user " + user + " is not numeric");
          assertNotEquals("0", user.split(":")[0], name + " runs as root");
          assertEquals(
              Boolean.TRUE, service.get("read_only"), name + ": root filesystem is writable");
          Object limits =
              ComposeStack.map(
                  ComposeStack.map(service, "deploy").getOrDefault("resources", Map.of()),
                  "limits");
          assertTrue(
              String.valueOf(limits).contains("memory") && String.valueOf(limits).contains("cpus"),
              name + ": no cpu and memory limits: " + limits);
          ComposeStack.map(service, "depends_on")
              .forEach(
                  (dependency, condition) -> {
                    assertTrue(
                        services.containsKey(dependency),
                        name + " depends on unknown " + dependency);
                    if ("service_healthy".equals(condition.get("condition"))) {
                      assertTrue(
                          services.get(dependency).containsKey("healthcheck"),
                          name
                              + " waits for "
                              + dependency
                              + " to be healthy, which has no health check");
                    }
                  });
        });
    Map<String, Object> router = services.get("router");
    assertFalse(
        ComposeStack.list(router, "secrets").isEmpty(), "the router's JWKS comes as a secret");
    assertTrue(
        String.valueOf(configOf(router).get("auth")).contains("/run/secrets/"),
        "the router reads its JWKS from the secret");
  }

  @Test
  void modelServersConfigIsOneTheModelServerLoads() {
    ComposeStack stack = ComposeStack.get();
    for (String name : stack.builtFrom(MODEL_SERVER_DOCKERFILE)) {
      Map<String, Object> service = stack.service(name);
      Path file = ComposeStack.mountedAt(service, "/etc/infergate/model-server/model-server.yaml");
      ModelServerConfig config =
          ModelServerConfig.load(CommandLine.parse("--config", file.toString()));
      assertEquals(((Number) configOf(service).get("port")).intValue(), config.port());
      assertEquals("0.0.0.0", config.admin().host());
    }
  }

  /** The config file a service runs: followed from its --config argument through the bind mount. */
  private static Map<String, Object> configOf(Map<String, Object> service) {
    List<Object> command = ComposeStack.list(service, "command");
    int flag = command.indexOf("--config");
    assertTrue(flag >= 0 && flag + 1 < command.size(), "no --config FILE in " + command);
    try {
      return ComposeStack.parse(
          Files.readString(ComposeStack.mountedAt(service, String.valueOf(command.get(flag + 1)))));
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  private static int port(Map<String, Object> config, String listener) {
    return ((Number) ComposeStack.map(config, listener).get("port")).intValue();
  }

  private static int healthCheckPort(String name, Map<String, Object> service) {
    String test = String.valueOf(ComposeStack.map(service, "healthcheck").get("test"));
    Matcher m = DEV_TCP_PORT.matcher(test);
    assertTrue(m.find(), name + ": health check " + test + " names no port");
    return Integer.parseInt(m.group(1));
  }
}
