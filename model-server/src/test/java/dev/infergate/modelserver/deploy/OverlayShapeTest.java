package dev.infergate.modelserver.deploy;

import static dev.infergate.modelserver.deploy.AvailabilityPolicyTest.args;
import static dev.infergate.modelserver.deploy.RenderedManifests.MODEL_SERVER_IMAGE;
import static dev.infergate.modelserver.deploy.RenderedManifests.ROUTER_IMAGE;
import static dev.infergate.modelserver.deploy.RenderedManifests.allContainers;
import static dev.infergate.modelserver.deploy.RenderedManifests.container;
import static dev.infergate.modelserver.deploy.RenderedManifests.pod;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/** What makes each overlay what it is, and the router's config wired to the manifests around it. */
class OverlayShapeTest {
  static final List<String> RENDERS = Overlays.RENDERS;
  static final List<String> CPU_RENDERS =
      List.of("dev", "prod", "sidecar", "ha", Overlays.PROD_WITH_MODELS_INIT);
  static final String GPU = "nvidia.com/gpu";
  private static final Pattern DNS_ENDPOINT =
      Pattern.compile("dns://([a-z0-9-]+)\\.([a-z0-9-]+)\\.svc\\.cluster\\.local:(\\d+)");

  /** A subPath mount never sees ConfigMap updates, and the router hot-reloads only what it sees. */
  @ParameterizedTest
  @FieldSource("RENDERS")
  void routerConfigComesFromAConfigMapDirectoryMount(String render) {
    RenderedManifests manifests = Overlays.get(render);
    List<Deployment> routers = manifests.running(ROUTER_IMAGE);
    assertFalse(routers.isEmpty(), render + " runs no router");
    for (Deployment deployment : routers) {
      RouterConfigs config = RouterConfigs.of(manifests, deployment);
      assertNull(
          config.configMount().getSubPath(), render + ": router.yaml is mounted with a subPath");
      assertEquals(
          Boolean.TRUE, config.configMount().getReadOnly(), render + ": config mount is writable");
    }
  }

  @ParameterizedTest
  @FieldSource("RENDERS")
  void routerStateFileIsOnAWritableEmptyDir(String render) {
    RenderedManifests manifests = Overlays.get(render);
    for (Deployment deployment : manifests.running(ROUTER_IMAGE)) {
      RouterConfigs config = RouterConfigs.of(manifests, deployment);
      String state = config.stateFile();
      assertNotNull(state, render + ": no stateFile");
      assertTrue(
          Path.of(state).isAbsolute(),
          render + ": stateFile " + state + " is relative to a read-only workdir");
      VolumeMount mount =
          config
              .mountHolding(state)
              .orElseThrow(() -> new AssertionError(render + ": nothing writable holds " + state));
      assertNotEquals(
          Boolean.TRUE,
          mount.getReadOnly(),
          render + ": " + mount.getMountPath() + " is read-only");
      assertNotNull(
          config.volume(mount.getName()).getEmptyDir(),
          render + ": the state volume is not an emptyDir");
    }
  }

  @ParameterizedTest
  @FieldSource("RENDERS")
  void routerReadsItsJwksFromTheSecretItMounts(String render) {
    RenderedManifests manifests = Overlays.get(render);
    for (Deployment deployment : manifests.running(ROUTER_IMAGE)) {
      RouterConfigs config = RouterConfigs.of(manifests, deployment);
      if (!config.hasAuth()) {
        assertTrue(
            List.of("dev", "sidecar").contains(render), render + ": runs the router without auth");
        assertTrue(
            Set.of("127.0.0.1", "localhost", "::1").contains(config.adminHost()),
            render + ": without auth the admin API must stay on loopback");
        continue;
      }
      String jwks =
          config.jwks().orElseThrow(() -> new AssertionError(render + ": auth without jwks"));
      if (!jwks.startsWith("file:")) {
        continue;
      }
      String file = jwks.substring("file:".length());
      VolumeMount mount =
          config
              .mountHolding(file)
              .orElseThrow(() -> new AssertionError(render + ": nothing mounted holds " + file));
      Volume volume = config.volume(mount.getName());
      assertNotNull(volume.getSecret(), render + ": " + file + " is not from a Secret");
      Secret secret = manifests.get(Secret.class, volume.getSecret().getSecretName());
      String key = Path.of(mount.getMountPath()).relativize(Path.of(file)).toString();
      assertTrue(
          secret.getData() != null && secret.getData().containsKey(key)
              || secret.getStringData() != null && secret.getStringData().containsKey(key),
          render + ": Secret " + secret.getMetadata().getName() + " has no key " + key);
    }
  }

  /** The router discovers pods through the headless Services' DNS names: every track has one. */
  @ParameterizedTest
  @FieldSource("RENDERS")
  void routerEndpointsNameTheHeadlessModelServerServices(String render) {
    RenderedManifests manifests = Overlays.get(render);
    for (Deployment deployment : manifests.running(ROUTER_IMAGE)) {
      Set<String> named = new HashSet<>();
      for (String endpoint : RouterConfigs.of(manifests, deployment).endpoints()) {
        Matcher dns = DNS_ENDPOINT.matcher(endpoint);
        assertTrue(
            dns.matches(),
            render
                + ": endpoint "
                + endpoint
                + " is not dns://<service>.<namespace>.svc.cluster.local:<port>");
        Service service = manifests.get(Service.class, dns.group(1));
        assertEquals(service.getMetadata().getNamespace(), dns.group(2), render + ": " + endpoint);
        assertEquals(
            "None",
            service.getSpec().getClusterIP(),
            render + ": " + endpoint + " is not headless");
        int port = Integer.parseInt(dns.group(3));
        assertTrue(
            service.getSpec().getPorts().stream().anyMatch(p -> p.getPort() == port),
            render + ": " + endpoint + " port is not a port of the Service");
        // A headless name resolves to pod IPs: the router connects to the container port itself,
        // with no Service port mapping in between.
        Deployment pool = manifests.get(Deployment.class, dns.group(1));
        Container server =
            container(pool, MODEL_SERVER_IMAGE)
                .orElseThrow(
                    () ->
                        new AssertionError(render + ": " + dns.group(1) + " runs no model server"));
        assertTrue(
            server.getPorts().stream().anyMatch(p -> p.getContainerPort() == port),
            render
                + ": "
                + endpoint
                + " port is not a container port of the "
                + dns.group(1)
                + " pods");
        named.add(dns.group(1));
      }
      for (Deployment pool : manifests.running(MODEL_SERVER_IMAGE)) {
        assertTrue(
            named.contains(pool.getMetadata().getName()),
            render + ": no router track sends to " + pool.getMetadata().getName());
      }
    }
  }

  @Test
  void gpuOverlayGivesEveryModelServerOneGpuOnAGpuNode() {
    RenderedManifests gpu = Overlays.get("gpu");
    List<Deployment> pools = gpu.running(MODEL_SERVER_IMAGE);
    assertEquals(2, pools.size());
    for (Deployment deployment : pools) {
      String where = "gpu " + deployment.getMetadata().getName();
      PodSpec pod = pod(deployment);
      Container server = container(deployment, MODEL_SERVER_IMAGE).orElseThrow();
      assertEquals(
          new Quantity("1"), server.getResources().getLimits().get(GPU), where + ": GPU limit");
      Quantity request = server.getResources().getRequests().get(GPU);
      assertTrue(
          request == null || request.equals(new Quantity("1")),
          where + ": GPU request must equal the limit");
      assertEquals(
          "true",
          pod.getNodeSelector() == null
              ? null
              : pod.getNodeSelector().get("nvidia.com/gpu.present"),
          where + ": node selector");
      assertTrue(
          pod.getTolerations() != null
              && pod.getTolerations().stream()
                  .anyMatch(t -> GPU.equals(t.getKey()) && "NoSchedule".equals(t.getEffect())),
          where + ": no toleration for the GPU taint");
      assertEquals("cuda", flag(server, "--device"), where + ": --device");
      assertTrue(
          server.getImage().endsWith("-gpu"),
          where + ": image " + server.getImage() + " is not the GPU build");
    }
    for (Deployment router : gpu.running(ROUTER_IMAGE)) {
      assertFalse(requestsGpu(router), "gpu: the router must not hold a GPU");
      Map<String, String> nodeSelector = pod(router).getNodeSelector();
      assertTrue(
          nodeSelector == null || nodeSelector.isEmpty(),
          "gpu: the router must not be tied to GPU nodes");
    }
  }

  @ParameterizedTest
  @FieldSource("CPU_RENDERS")
  void otherOverlaysRunModelServersOnAnyNodeWithoutAGpu(String render) {
    for (Deployment deployment : Overlays.get(render).deployments()) {
      assertFalse(
          requestsGpu(deployment),
          render + " " + deployment.getMetadata().getName() + " requests a GPU");
      Container server = container(deployment, MODEL_SERVER_IMAGE).orElse(null);
      if (server != null) {
        assertNotEquals(
            "cuda", flag(server, "--device"), render + ": --device cuda fails without a GPU");
        assertFalse(
            server.getImage().endsWith("-gpu"), render + ": GPU image outside the gpu overlay");
      }
    }
  }

  @Test
  void sidecarOverlayRunsTheRouterNextToTheAppInsteadOfAGateway() {
    RenderedManifests sidecar = Overlays.get("sidecar");
    assertTrue(
        sidecar.find(Deployment.class, "router").isEmpty(),
        "sidecar: a gateway router is still deployed");
    assertTrue(
        sidecar.find(Service.class, "router").isEmpty(),
        "sidecar: the gateway Service is still deployed");

    Deployment app = sidecar.get(Deployment.class, "example-app");
    List<Container> containers = pod(app).getContainers();
    assertEquals(2, containers.size(), "sidecar: example-app containers");
    Container router =
        container(app, ROUTER_IMAGE).orElseThrow(() -> new AssertionError("no router container"));
    Container application = containers.stream().filter(c -> c != router).findFirst().orElseThrow();

    RouterConfigs config = RouterConfigs.of(sidecar, app);
    String url = env(application, "INFERGATE_URL");
    assertEquals(
        "http://127.0.0.1:" + config.listenPort(),
        url,
        "sidecar: the app must call the router on localhost");
    assertEquals(
        2,
        sidecar.running(MODEL_SERVER_IMAGE).size(),
        "sidecar: the model-server pools are deployed");
  }

  @Test
  void modelsInitContainerComponentFeedsTheModelDirectoryTheServerReads() {
    RenderedManifests render = Overlays.get(Overlays.PROD_WITH_MODELS_INIT);
    for (Deployment deployment : render.running(MODEL_SERVER_IMAGE)) {
      String where = deployment.getMetadata().getName();
      PodSpec pod = pod(deployment);
      assertNotNull(pod.getInitContainers(), where + ": no init container");
      assertEquals(1, pod.getInitContainers().size(), where);
      Container init = pod.getInitContainers().get(0);
      Container server = container(deployment, MODEL_SERVER_IMAGE).orElseThrow();
      String models = flag(server, "--models");
      VolumeMount read = mountAt(server, models);
      VolumeMount written = mountAt(init, models);
      assertEquals(
          read.getName(),
          written.getName(),
          where + ": init container and server use different volumes");
      assertEquals(
          Boolean.TRUE,
          read.getReadOnly(),
          where + ": the server should read the models read-only");
      assertNotEquals(
          Boolean.TRUE,
          written.getReadOnly(),
          where + ": the init container cannot write the models");
    }
    for (String plain : Overlays.ALL) {
      for (Deployment deployment : Overlays.get(plain).running(MODEL_SERVER_IMAGE)) {
        assertEquals(
            "/opt/infergate/models",
            flag(container(deployment, MODEL_SERVER_IMAGE).orElseThrow(), "--models"),
            plain + ": without the component the models come from the image");
      }
    }
  }

  private static boolean requestsGpu(Deployment deployment) {
    for (Container container : allContainers(pod(deployment))) {
      var resources = container.getResources();
      if (resources != null
          && (has(resources.getLimits(), GPU) || has(resources.getRequests(), GPU))) {
        return true;
      }
    }
    return false;
  }

  private static boolean has(Map<String, Quantity> quantities, String key) {
    return quantities != null && quantities.containsKey(key);
  }

  static String flag(Container container, String flag) {
    List<String> args = args(container);
    int at = args.indexOf(flag);
    assertTrue(
        at >= 0 && at + 1 < args.size(), container.getName() + ": no " + flag + " in " + args);
    return args.get(at + 1);
  }

  private static VolumeMount mountAt(Container container, String path) {
    return PodSecurityPolicyTest.mounts(container).stream()
        .filter(m -> m.getMountPath().equals(path))
        .findFirst()
        .orElseThrow(
            () -> new AssertionError(container.getName() + " has nothing mounted at " + path));
  }

  private static String env(Container container, String name) {
    return container.getEnv() == null
        ? null
        : container.getEnv().stream()
            .filter(e -> e.getName().equals(name))
            .map(EnvVar::getValue)
            .findFirst()
            .orElse(null);
  }
}
