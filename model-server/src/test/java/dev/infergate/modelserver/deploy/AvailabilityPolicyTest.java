package dev.infergate.modelserver.deploy;

import static dev.infergate.modelserver.deploy.RenderedManifests.MODEL_SERVER_IMAGE;
import static dev.infergate.modelserver.deploy.RenderedManifests.ROUTER_IMAGE;
import static dev.infergate.modelserver.deploy.RenderedManifests.container;
import static dev.infergate.modelserver.deploy.RenderedManifests.pod;
import static dev.infergate.modelserver.deploy.RenderedManifests.podLabels;
import static dev.infergate.modelserver.deploy.RenderedManifests.selects;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.WeightedPodAffinityTerm;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * No single point of failure: replicated, spread, disruption-budgeted and autoscaled Deployments,
 * probes that match what the servers serve, and headless Services that show the router every pod.
 */
class AvailabilityPolicyTest {
  static final List<String> RENDERS = Overlays.RENDERS;
  static final List<String> REPLICATED =
      List.of("prod", "gpu", "sidecar", Overlays.PROD_WITH_MODELS_INIT);
  static final String HOSTNAME = "kubernetes.io/hostname";

  /**
   * Loading and warming every model happens before the server listens; allow at least this long.
   */
  static final int MIN_MODEL_SERVER_STARTUP_SECONDS = 120;

  @ParameterizedTest
  @FieldSource("RENDERS")
  void everyDeploymentHasADisruptionBudgetThatStillAllowsADrain(String render) {
    RenderedManifests manifests = Overlays.get(render);
    for (Deployment deployment : manifests.deployments()) {
      String where = render + " " + deployment.getMetadata().getName();
      List<PodDisruptionBudget> budgets =
          manifests.all(PodDisruptionBudget.class).stream()
              .filter(
                  b -> selects(b.getSpec().getSelector().getMatchLabels(), podLabels(deployment)))
              .toList();
      assertEquals(1, budgets.size(), where + ": PodDisruptionBudgets selecting its pods");
      IntOrString maxUnavailable = budgets.get(0).getSpec().getMaxUnavailable();
      assertNotNull(
          maxUnavailable,
          where + ": the budget should use maxUnavailable (minAvailable can block drains)");
      assertTrue(
          maxUnavailable.getIntVal() != null && maxUnavailable.getIntVal() >= 1,
          where + ": maxUnavailable " + maxUnavailable);
    }
  }

  @ParameterizedTest
  @FieldSource("RENDERS")
  void everyDeploymentIsAutoscaledOnCpuAroundItsReplicaCount(String render) {
    RenderedManifests manifests = Overlays.get(render);
    for (Deployment deployment : manifests.deployments()) {
      String name = deployment.getMetadata().getName();
      List<HorizontalPodAutoscaler> hpas =
          manifests.all(HorizontalPodAutoscaler.class).stream()
              .filter(
                  h ->
                      h.getSpec().getScaleTargetRef().getKind().equals("Deployment")
                          && h.getSpec().getScaleTargetRef().getName().equals(name))
              .toList();
      assertEquals(1, hpas.size(), render + " " + name + ": HPAs");
      var spec = hpas.get(0).getSpec();
      int replicas = deployment.getSpec().getReplicas();
      assertTrue(
          spec.getMinReplicas() <= replicas && replicas <= spec.getMaxReplicas(),
          render
              + " "
              + name
              + ": replicas "
              + replicas
              + " outside the HPA's "
              + spec.getMinReplicas()
              + ".."
              + spec.getMaxReplicas());
      assertTrue(
          spec.getMetrics().stream()
              .anyMatch(
                  m ->
                      m.getResource() != null
                          && m.getResource().getName().equals("cpu")
                          && m.getResource().getTarget().getAverageUtilization() != null),
          render + " " + name + ": no CPU utilization target");
    }
  }

  @ParameterizedTest
  @FieldSource("REPLICATED")
  void outsideDevEveryDeploymentKeepsTwoReplicasOnDifferentNodes(String render) {
    RenderedManifests manifests = Overlays.get(render);
    for (Deployment deployment : manifests.deployments()) {
      String where = render + " " + deployment.getMetadata().getName();
      assertTrue(
          deployment.getSpec().getReplicas() >= 2,
          where + ": replicas " + deployment.getSpec().getReplicas());
      HorizontalPodAutoscaler hpa =
          manifests.get(HorizontalPodAutoscaler.class, deployment.getMetadata().getName());
      assertTrue(
          hpa.getSpec().getMinReplicas() >= 2,
          where + ": HPA minReplicas " + hpa.getSpec().getMinReplicas());
      var rollout = deployment.getSpec().getStrategy().getRollingUpdate();
      assertEquals(
          0,
          rollout.getMaxUnavailable().getIntVal(),
          where + ": a rollout must not remove capacity first");

      var antiAffinity =
          pod(deployment).getAffinity() == null
              ? null
              : pod(deployment).getAffinity().getPodAntiAffinity();
      assertNotNull(antiAffinity, where + ": no pod anti-affinity");
      List<WeightedPodAffinityTerm> preferred =
          antiAffinity.getPreferredDuringSchedulingIgnoredDuringExecution();
      boolean acrossNodes =
          preferred != null
                  && preferred.stream()
                      .anyMatch(
                          t ->
                              HOSTNAME.equals(t.getPodAffinityTerm().getTopologyKey())
                                  && selects(
                                      t.getPodAffinityTerm().getLabelSelector().getMatchLabels(),
                                      podLabels(deployment)))
              || antiAffinity.getRequiredDuringSchedulingIgnoredDuringExecution() != null
                  && antiAffinity.getRequiredDuringSchedulingIgnoredDuringExecution().stream()
                      .anyMatch(
                          t ->
                              HOSTNAME.equals(t.getTopologyKey())
                                  && selects(
                                      t.getLabelSelector().getMatchLabels(),
                                      podLabels(deployment)));
      assertTrue(acrossNodes, where + ": no anti-affinity across nodes that selects its own pods");
    }
  }

  @ParameterizedTest
  @FieldSource("RENDERS")
  void routersSpreadAcrossNodesAndZones(String render) {
    for (Deployment router : Overlays.get(render).running(ROUTER_IMAGE)) {
      if (router.getMetadata().getName().equals("example-app")) {
        continue;
      }
      var spread = pod(router).getTopologySpreadConstraints();
      assertNotNull(spread, render + ": router has no topology spread");
      for (String key : List.of(HOSTNAME, "topology.kubernetes.io/zone")) {
        assertTrue(
            spread.stream()
                .anyMatch(
                    c ->
                        c.getTopologyKey().equals(key)
                            && selects(c.getLabelSelector().getMatchLabels(), podLabels(router))),
            render + ": router not spread by " + key);
      }
    }
  }

  @ParameterizedTest
  @FieldSource("RENDERS")
  void modelServersGetAGenerousStartupThenProbeReadyAndLive(String render) {
    List<Deployment> pools = Overlays.get(render).running(MODEL_SERVER_IMAGE);
    assertEquals(2, pools.size(), render + ": model-server Deployments (stable, canary)");
    for (Deployment deployment : pools) {
      String where = render + " " + deployment.getMetadata().getName();
      Container server = container(deployment, MODEL_SERVER_IMAGE).orElseThrow();
      int port = port(server, "http");
      Probe startup = server.getStartupProbe();
      assertNotNull(startup, where + ": no startupProbe");
      assertTrue(
          startup.getPeriodSeconds() * startup.getFailureThreshold()
              >= MIN_MODEL_SERVER_STARTUP_SECONDS,
          where
              + ": startupProbe allows only "
              + startup.getPeriodSeconds() * startup.getFailureThreshold()
              + " s");
      assertHttpProbe(
          where + " readiness", server, server.getReadinessProbe(), "/v2/health/ready", port);
      assertHttpProbe(
          where + " liveness", server, server.getLivenessProbe(), "/v2/health/live", port);
      assertTrue(
          args(server).contains("--port")
              && args(server).get(args(server).indexOf("--port") + 1).equals(String.valueOf(port)),
          where + ": --port does not match the container port " + port);
      // The server drains for drainTimeoutMillis (30 s by default) after SIGTERM.
      assertTrue(
          pod(deployment).getTerminationGracePeriodSeconds() > 30,
          where + ": terminationGracePeriodSeconds");
    }
  }

  /**
   * The admin API wants a JWT the kubelet cannot send; the public listener answers /v2/health/*
   * without one.
   */
  @ParameterizedTest
  @FieldSource("RENDERS")
  void routersProbeTheirPublicListener(String render) {
    for (Deployment deployment : Overlays.get(render).running(ROUTER_IMAGE)) {
      Container router = container(deployment, ROUTER_IMAGE).orElseThrow();
      String where = render + " " + deployment.getMetadata().getName() + "/" + router.getName();
      int listen = RouterConfigs.of(Overlays.get(render), deployment).listenPort();
      assertHttpProbe(
          where + " startup", router, router.getStartupProbe(), "/v2/health/ready", listen);
      assertHttpProbe(
          where + " readiness", router, router.getReadinessProbe(), "/v2/health/ready", listen);
      assertHttpProbe(
          where + " liveness", router, router.getLivenessProbe(), "/v2/health/live", listen);
    }
  }

  @ParameterizedTest
  @FieldSource("RENDERS")
  void everyServingContainerHasReadinessAndLivenessProbes(String render) {
    for (Deployment deployment : Overlays.get(render).deployments()) {
      for (Container container : pod(deployment).getContainers()) {
        String where =
            render + " " + deployment.getMetadata().getName() + "/" + container.getName();
        assertNotNull(container.getReadinessProbe(), where + ": readinessProbe");
        assertNotNull(container.getLivenessProbe(), where + ": livenessProbe");
      }
    }
  }

  @ParameterizedTest
  @FieldSource("RENDERS")
  void eachModelServerTrackHasAHeadlessServiceSelectingOnlyItsPods(String render) {
    RenderedManifests manifests = Overlays.get(render);
    List<Deployment> pools = manifests.running(MODEL_SERVER_IMAGE);
    for (Deployment deployment : pools) {
      String name = deployment.getMetadata().getName();
      Service service = manifests.get(Service.class, name);
      assertEquals(
          "None",
          service.getSpec().getClusterIP(),
          render + " " + name + ": Service is not headless");
      for (Deployment other : pools) {
        assertEquals(
            other == deployment,
            selects(service.getSpec().getSelector(), podLabels(other)),
            render + ": Service " + name + " vs pods of " + other.getMetadata().getName());
      }
      Container server = container(deployment, MODEL_SERVER_IMAGE).orElseThrow();
      ServicePort port = service.getSpec().getPorts().get(0);
      assertEquals(
          port(server, "http"),
          resolve(server, port.getTargetPort()),
          render + " " + name + ": targetPort");
      assertEquals(
          port.getPort(),
          resolve(server, port.getTargetPort()),
          render
              + " "
              + name
              + ": the router dials pod addresses from DNS, so port must equal targetPort");
    }
  }

  private static void assertHttpProbe(
      String where, Container container, Probe probe, String path, int port) {
    assertNotNull(probe, where + ": missing");
    assertNotNull(probe.getHttpGet(), where + ": not an HTTP probe");
    assertEquals(path, probe.getHttpGet().getPath(), where + ": path");
    assertEquals(port, resolve(container, probe.getHttpGet().getPort()), where + ": port");
  }

  static List<String> args(Container container) {
    return container.getArgs() == null ? List.of() : container.getArgs();
  }

  static int port(Container container, String name) {
    return container.getPorts().stream()
        .filter(p -> name.equals(p.getName()))
        .findFirst()
        .orElseThrow(() -> new AssertionError(container.getName() + " has no port named " + name))
        .getContainerPort();
  }

  /** A probe's or Service's port: a number, or the name of a container port. */
  static int resolve(Container container, IntOrString port) {
    return port.getIntVal() != null ? port.getIntVal() : port(container, port.getStrVal());
  }
}
