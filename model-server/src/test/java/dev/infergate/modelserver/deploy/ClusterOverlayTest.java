package dev.infergate.modelserver.deploy;

import static dev.infergate.modelserver.deploy.RenderedManifests.ROUTER_IMAGE;
import static dev.infergate.modelserver.deploy.RenderedManifests.allContainers;
import static dev.infergate.modelserver.deploy.RenderedManifests.selects;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * The ha overlay: routers share one Redis (a StatefulSet on a PersistentVolumeClaim) through the
 * {@code cluster} block, and only the gateway routers can reach it.
 */
class ClusterOverlayTest {
  static final List<String> RENDERS = Overlays.RENDERS;
  private static final int REDIS_PORT = 6379;
  private static final Map<String, String> GATEWAY_ROUTER =
      Map.of("app.kubernetes.io/name", "router", "infergate.dev/router", "true");

  private static Map<String, String> redisPodLabels(StatefulSet redis) {
    return redis.getSpec().getTemplate().getMetadata().getLabels();
  }

  @ParameterizedTest
  @FieldSource("RENDERS")
  void redisAdmitsOnlyTheGatewayRoutersWherePresent(String render) {
    RenderedManifests manifests = Overlays.get(render);
    for (StatefulSet redis : manifests.all(StatefulSet.class)) {
      List<NetworkPolicyTest.Peer> peers =
          NetworkPolicyTest.admitted(manifests, redisPodLabels(redis), REDIS_PORT);
      assertFalse(peers.isEmpty(), render + ": the routers cannot reach Redis");
      for (NetworkPolicyTest.Peer peer : peers) {
        assertTrue(
            peer.inThisNamespaceOnly()
                && peer.pods() != null
                && NetworkPolicyTest.requires(peer.pods(), GATEWAY_ROUTER),
            render + ": Redis admits " + peer);
      }
      for (Deployment deployment : manifests.deployments()) {
        boolean gateway = selects(GATEWAY_ROUTER, RenderedManifests.podLabels(deployment));
        boolean admitted =
            peers.stream()
                .anyMatch(p -> selects(p.pods(), RenderedManifests.podLabels(deployment)));
        assertEquals(
            gateway,
            admitted,
            render + " " + deployment.getMetadata().getName() + " reaching Redis");
      }
    }
  }

  @Test
  void haRoutersShareTheRedisOfTheOverlayThroughTheClusterBlock() throws Exception {
    RenderedManifests manifests = Overlays.get("ha");
    StatefulSet redis = manifests.get(StatefulSet.class, "redis");
    Service service = manifests.get(Service.class, redis.getSpec().getServiceName());
    assertTrue(
        selects(service.getSpec().getSelector(), redisPodLabels(redis)),
        "the Redis Service selects its pod");
    Deployment router = manifests.get(Deployment.class, "router");
    Map<String, Object> cluster =
        RouterConfigs.of(manifests, router)
            .cluster()
            .orElseThrow(() -> new AssertionError("ha: router.yaml has no cluster block"));
    URI url = new URI((String) cluster.get("redis"));
    assertEquals("redis", url.getScheme());
    assertEquals(service.getMetadata().getName() + ".infergate.svc.cluster.local", url.getHost());
    assertEquals(REDIS_PORT, url.getPort());
    assertEquals(REDIS_PORT, service.getSpec().getPorts().get(0).getPort());
    HorizontalPodAutoscaler hpa = manifests.get(HorizontalPodAutoscaler.class, "router");
    assertEquals(
        hpa.getSpec().getMinReplicas(),
        ((Number) cluster.get("replicas")).intValue(),
        "the fallback limit (plan / replicas) is sized for the fewest routers the HPA runs");
    Container container = RenderedManifests.container(router, ROUTER_IMAGE).orElseThrow();
    EnvVar override =
        container.getEnv().stream()
            .filter(e -> e.getName().equals("INFERGATE_CLUSTER_REDIS"))
            .findFirst()
            .orElseThrow(
                () -> new AssertionError("no INFERGATE_CLUSTER_REDIS for a managed Redis"));
    assertEquals(
        Boolean.TRUE,
        override.getValueFrom().getSecretKeyRef().getOptional(),
        "the Secret is optional: without it the overlay's own Redis is used");
  }

  @Test
  void haRedisKeepsItsDataOnAPersistentVolumeAndRunsRestricted() {
    StatefulSet redis = Overlays.get("ha").get(StatefulSet.class, "redis");
    PodSpec pod = redis.getSpec().getTemplate().getSpec();
    Container server = allContainers(pod).get(0);
    List<String> args = server.getArgs();
    String dir = args.get(args.indexOf("--dir") + 1);
    assertEquals(
        "yes",
        args.get(args.indexOf("--appendonly") + 1),
        "append-only file: changes survive a restart");
    String claim = redis.getSpec().getVolumeClaimTemplates().get(0).getMetadata().getName();
    assertTrue(
        server.getVolumeMounts().stream()
            .anyMatch(m -> m.getName().equals(claim) && m.getMountPath().equals(dir)),
        "the data directory is the PersistentVolumeClaim");
    assertEquals(Boolean.TRUE, pod.getSecurityContext().getRunAsNonRoot());
    assertEquals("RuntimeDefault", pod.getSecurityContext().getSeccompProfile().getType());
    assertEquals(Boolean.FALSE, server.getSecurityContext().getAllowPrivilegeEscalation());
    assertEquals(Boolean.TRUE, server.getSecurityContext().getReadOnlyRootFilesystem());
    assertTrue(
        server.getImage().matches("redis:\\d+\\.\\d+\\.\\d+.*"),
        "pinned image: " + server.getImage());
    assertTrue(server.getResources().getLimits().containsKey("memory"));
  }

  @ParameterizedTest
  @FieldSource("RENDERS")
  void onlyTheHaOverlayTurnsClusterOn(String render) {
    RenderedManifests manifests = Overlays.get(render);
    for (Deployment deployment : manifests.running(ROUTER_IMAGE)) {
      boolean cluster = RouterConfigs.of(manifests, deployment).cluster().isPresent();
      assertEquals(
          render.equals("ha") && deployment.getMetadata().getName().equals("router"),
          cluster,
          render + " " + deployment.getMetadata().getName());
    }
  }
}
