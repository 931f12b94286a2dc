package dev.infergate.modelserver.deploy;

import static dev.infergate.modelserver.deploy.RenderedManifests.MODEL_SERVER_IMAGE;
import static dev.infergate.modelserver.deploy.RenderedManifests.ROUTER_IMAGE;
import static dev.infergate.modelserver.deploy.RenderedManifests.container;
import static dev.infergate.modelserver.deploy.RenderedManifests.podLabels;
import static dev.infergate.modelserver.deploy.RenderedManifests.selects;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Who may connect to what: model servers only from pods that carry a router; admin ports stay
 * inside.
 */
class NetworkPolicyTest {
  static final List<String> RENDERS = Overlays.RENDERS;
  static final Map<String, String> CARRIES_ROUTER = Map.of("infergate.dev/router", "true");
  static final Map<String, String> OPS_NAMESPACE = Map.of("infergate.dev/ops", "true");
  static final Map<String, String> PROMETHEUS = Map.of("app.kubernetes.io/name", "prometheus");

  /**
   * One allowed source: {@code anywhere}, or pods matching {@code pods} in namespaces matching
   * {@code namespaces}.
   */
  record Peer(boolean anywhere, Map<String, String> pods, Map<String, String> namespaces) {
    static final Peer ANYWHERE = new Peer(true, null, null);

    /** A peer with no namespace selector means this namespace; an empty selector means all. */
    boolean inThisNamespaceOnly() {
      return !anywhere && namespaces == null;
    }
  }

  @ParameterizedTest
  @FieldSource("RENDERS")
  void ingressIsDeniedUnlessAPolicyAllowsIt(String render) {
    NetworkPolicy deny = Overlays.get(render).get(NetworkPolicy.class, "default-deny-ingress");

    assertTrue(
        deny.getSpec().getPodSelector().getMatchLabels() == null
            || deny.getSpec().getPodSelector().getMatchLabels().isEmpty(),
        render + ": default deny must select every pod");
    assertEquals(List.of("Ingress"), deny.getSpec().getPolicyTypes(), render);
    assertTrue(
        deny.getSpec().getIngress() == null || deny.getSpec().getIngress().isEmpty(), render);
  }

  @ParameterizedTest
  @FieldSource("RENDERS")
  void modelServerInferencePortAdmitsOnlyPodsThatCarryARouter(String render) {
    RenderedManifests manifests = Overlays.get(render);
    for (Deployment deployment : manifests.running(MODEL_SERVER_IMAGE)) {
      Container server = container(deployment, MODEL_SERVER_IMAGE).orElseThrow();
      int port = AvailabilityPolicyTest.port(server, "http");
      List<Peer> peers = admitted(manifests, podLabels(deployment), port);
      String where = render + " " + deployment.getMetadata().getName();
      assertTrue(
          peers.stream().anyMatch(p -> p.inThisNamespaceOnly() && p.pods().equals(CARRIES_ROUTER)),
          where + ": router pods cannot reach it: " + peers);
      for (Peer peer : peers) {
        boolean router =
            peer.inThisNamespaceOnly()
                && peer.pods() != null
                && requires(peer.pods(), CARRIES_ROUTER);
        assertTrue(router, where + ": inference port admits " + peer);
      }
    }
  }

  /**
   * The repository load/unload API and /metrics: a scraper may read them, a router (or its clients)
   * may not.
   */
  @ParameterizedTest
  @FieldSource("RENDERS")
  void modelServerAdminPortAdmitsOnlyPrometheus(String render) {
    RenderedManifests manifests = Overlays.get(render);
    for (Deployment deployment : manifests.running(MODEL_SERVER_IMAGE)) {
      Container server = container(deployment, MODEL_SERVER_IMAGE).orElseThrow();
      int port = AvailabilityPolicyTest.port(server, "admin");
      List<Peer> peers = admitted(manifests, podLabels(deployment), port);
      String where = render + " " + deployment.getMetadata().getName();
      assertFalse(peers.isEmpty(), where + ": Prometheus cannot scrape the admin port");
      for (Peer peer : peers) {
        boolean prometheus =
            !peer.anywhere()
                && OPS_NAMESPACE.equals(peer.namespaces())
                && PROMETHEUS.equals(peer.pods());
        assertTrue(prometheus, where + ": admin port admits " + peer);
      }
    }
  }

  @ParameterizedTest
  @FieldSource("RENDERS")
  void exactlyThePodsThatRunARouterCarryTheRouterLabel(String render) {
    for (Deployment deployment : Overlays.get(render).deployments()) {
      boolean runsRouter = container(deployment, ROUTER_IMAGE).isPresent();
      assertEquals(
          runsRouter,
          selects(CARRIES_ROUTER, podLabels(deployment)),
          render
              + " "
              + deployment.getMetadata().getName()
              + ": label infergate.dev/router vs its containers");
    }
  }

  @ParameterizedTest
  @FieldSource("RENDERS")
  void routerAdminPortIsReachableOnlyFromThisNamespaceOrOpsNamespaces(String render) {
    RenderedManifests manifests = Overlays.get(render);
    for (Deployment deployment : manifests.running(ROUTER_IMAGE)) {
      RouterConfigs config = RouterConfigs.of(manifests, deployment);
      for (Peer peer : admitted(manifests, podLabels(deployment), config.adminPort())) {
        boolean namespace =
            peer.inThisNamespaceOnly() && (peer.pods() == null || peer.pods().isEmpty());
        boolean ops =
            !peer.anywhere() && OPS_NAMESPACE.equals(peer.namespaces()) && peer.pods() == null;
        assertTrue(
            namespace || ops,
            render + " " + deployment.getMetadata().getName() + ": admin port admits " + peer);
      }
    }
  }

  @ParameterizedTest
  @FieldSource("RENDERS")
  void gatewayRoutersAcceptClientsOnlyOnThePublicListenerService(String render) {
    RenderedManifests manifests = Overlays.get(render);
    for (Deployment deployment : manifests.running(ROUTER_IMAGE)) {
      if (!deployment.getMetadata().getName().equals("router")) {
        continue;
      }
      RouterConfigs config = RouterConfigs.of(manifests, deployment);
      assertTrue(
          admitted(manifests, podLabels(deployment), config.listenPort()).contains(Peer.ANYWHERE),
          render + ": clients cannot reach the router's public listener");
      Service service = manifests.get(Service.class, "router");
      assertEquals(1, service.getSpec().getPorts().size(), render + ": router Service ports");
      assertEquals(
          config.listenPort(),
          AvailabilityPolicyTest.resolve(
              config.router(), service.getSpec().getPorts().get(0).getTargetPort()),
          render + ": router Service targets");
      for (Service other : manifests.all(Service.class)) {
        boolean virtualIp = !"None".equals(other.getSpec().getClusterIP());
        if (virtualIp && selects(other.getSpec().getSelector(), podLabels(deployment))) {
          for (ServicePort port : other.getSpec().getPorts()) {
            assertFalse(
                AvailabilityPolicyTest.resolve(config.router(), port.getTargetPort())
                    == config.adminPort(),
                render + ": Service " + other.getMetadata().getName() + " exposes the admin port");
          }
        }
      }
    }
  }

  @ParameterizedTest
  @FieldSource("RENDERS")
  void aSidecarRoutersPortsAreClosedToEveryOtherPod(String render) {
    RenderedManifests manifests = Overlays.get(render);
    for (Deployment deployment : manifests.running(ROUTER_IMAGE)) {
      if (deployment.getMetadata().getName().equals("router")) {
        continue;
      }
      RouterConfigs config = RouterConfigs.of(manifests, deployment);
      for (int port : new int[] {config.listenPort(), config.adminPort()}) {
        assertEquals(
            List.of(),
            admitted(manifests, podLabels(deployment), port),
            render
                + " "
                + deployment.getMetadata().getName()
                + ": port "
                + port
                + " of the sidecar router");
      }
    }
  }

  /**
   * The sources that the namespace's NetworkPolicies let reach a pod with {@code labels} on {@code
   * port}.
   */
  static List<Peer> admitted(RenderedManifests manifests, Map<String, String> labels, int port) {
    List<Peer> peers = new ArrayList<>();
    for (NetworkPolicy policy : manifests.all(NetworkPolicy.class)) {
      LabelSelector target = policy.getSpec().getPodSelector();
      assertTrue(
          target.getMatchExpressions() == null || target.getMatchExpressions().isEmpty(),
          "matchExpressions are not evaluated here: " + policy.getMetadata().getName());
      Map<String, String> match =
          target.getMatchLabels() == null ? Map.of() : target.getMatchLabels();
      if (!policy.getSpec().getPolicyTypes().contains("Ingress")
          || !selects(match, labels)
          || policy.getSpec().getIngress() == null) {
        continue;
      }
      for (NetworkPolicyIngressRule rule : policy.getSpec().getIngress()) {
        boolean portMatches =
            rule.getPorts() == null
                || rule.getPorts().isEmpty()
                || rule.getPorts().stream()
                    .anyMatch(
                        p ->
                            p.getPort() == null
                                || Integer.valueOf(port).equals(p.getPort().getIntVal()));
        if (!portMatches) {
          continue;
        }
        if (rule.getFrom() == null || rule.getFrom().isEmpty()) {
          peers.add(Peer.ANYWHERE);
        }
        for (NetworkPolicyPeer from :
            rule.getFrom() == null ? List.<NetworkPolicyPeer>of() : rule.getFrom()) {
          peers.add(
              from.getIpBlock() != null
                  ? Peer.ANYWHERE
                  : new Peer(
                      false,
                      labelsOf(from.getPodSelector()),
                      labelsOf(from.getNamespaceSelector())));
        }
      }
    }
    return peers;
  }

  private static Map<String, String> labelsOf(LabelSelector selector) {
    if (selector == null) {
      return null;
    }
    assertTrue(
        selector.getMatchExpressions() == null || selector.getMatchExpressions().isEmpty(),
        "matchExpressions are not evaluated here");
    return selector.getMatchLabels() == null ? Map.of() : selector.getMatchLabels();
  }

  /**
   * Whether a selector asks for at least the {@code required} labels, so it matches no pod without
   * them.
   */
  static boolean requires(Map<String, String> selector, Map<String, String> required) {
    return selector.entrySet().containsAll(required.entrySet());
  }
}
