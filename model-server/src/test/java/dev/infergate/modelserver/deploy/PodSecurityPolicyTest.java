package dev.infergate.modelserver.deploy;

import static dev.infergate.modelserver.deploy.RenderedManifests.allContainers;
import static dev.infergate.modelserver.deploy.RenderedManifests.pod;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.SeccompProfile;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Every container of every render (init containers too) meets Pod Security "restricted" and the
 * project's own rules: read-only root with emptyDirs for what must be written, pinned images,
 * sized.
 */
class PodSecurityPolicyTest {
  static final List<String> RENDERS = Overlays.RENDERS;

  @ParameterizedTest
  @FieldSource("RENDERS")
  void everyContainerRunsAsNonRootWithoutPrivilegeAndWithARuntimeDefaultSeccompProfile(
      String render) {
    forEachContainer(
        render,
        (where, pod, container) -> {
          SecurityContext sc = container.getSecurityContext();
          assertNotNull(sc, where + ": no securityContext");
          PodSecurityContext podSc = pod.getSecurityContext();
          assertEquals(
              Boolean.TRUE,
              effective(
                  sc, podSc, SecurityContext::getRunAsNonRoot, PodSecurityContext::getRunAsNonRoot),
              where + ": runAsNonRoot");
          Long uid =
              effective(sc, podSc, SecurityContext::getRunAsUser, PodSecurityContext::getRunAsUser);
          assertNotEquals(Long.valueOf(0), uid, where + ": runAsUser 0");
          assertEquals(
              Boolean.FALSE,
              sc.getAllowPrivilegeEscalation(),
              where + ": allowPrivilegeEscalation");
          assertNotEquals(Boolean.TRUE, sc.getPrivileged(), where + ": privileged");
          assertEquals(
              Boolean.TRUE, sc.getReadOnlyRootFilesystem(), where + ": readOnlyRootFilesystem");
          assertNotNull(sc.getCapabilities(), where + ": capabilities");
          assertEquals(
              List.of("ALL"), sc.getCapabilities().getDrop(), where + ": capabilities.drop");
          assertTrue(
              sc.getCapabilities().getAdd() == null || sc.getCapabilities().getAdd().isEmpty(),
              where + ": capabilities.add");
          SeccompProfile seccomp =
              effective(
                  sc,
                  podSc,
                  SecurityContext::getSeccompProfile,
                  PodSecurityContext::getSeccompProfile);
          assertNotNull(seccomp, where + ": no seccomp profile");
          assertEquals("RuntimeDefault", seccomp.getType(), where + ": seccomp");
        });
  }

  @ParameterizedTest
  @FieldSource("RENDERS")
  void noPodSharesTheHostOrMountsItsFilesystem(String render) {
    for (Deployment deployment : Overlays.get(render).deployments()) {
      PodSpec pod = pod(deployment);
      String where = render + " " + deployment.getMetadata().getName();
      assertNotEquals(Boolean.TRUE, pod.getHostNetwork(), where + ": hostNetwork");
      assertNotEquals(Boolean.TRUE, pod.getHostPID(), where + ": hostPID");
      assertNotEquals(Boolean.TRUE, pod.getHostIPC(), where + ": hostIPC");
      for (Volume volume : volumes(pod)) {
        assertEquals(null, volume.getHostPath(), where + ": hostPath volume " + volume.getName());
      }
      // None of these pods calls the Kubernetes API, so none carries a token that could.
      assertEquals(
          Boolean.FALSE,
          pod.getAutomountServiceAccountToken(),
          where + ": automountServiceAccountToken");
    }
  }

  @ParameterizedTest
  @FieldSource("RENDERS")
  void everyImageIsPinnedToAVersionTag(String render) {
    forEachContainer(
        render,
        (where, pod, container) -> {
          String image = container.getImage();
          if (image.contains("@sha256:")) {
            return;
          }
          int slash = image.lastIndexOf('/');
          int colon = image.lastIndexOf(':');
          assertTrue(colon > slash, where + ": image " + image + " has no tag");
          String tag = image.substring(colon + 1);
          assertNotEquals("latest", tag, where + ": image " + image);
          assertTrue(
              tag.matches("v?\\d+(\\.\\d+)*([-.][A-Za-z0-9.]+)?"),
              where + ": tag '" + tag + "' is not a version");
        });
  }

  @ParameterizedTest
  @FieldSource("RENDERS")
  void everyContainerRequestsCpuAndMemoryAndIsCappedOnMemory(String render) {
    forEachContainer(
        render,
        (where, pod, container) -> {
          assertNotNull(container.getResources(), where + ": no resources");
          Map<String, Quantity> requests = container.getResources().getRequests();
          Map<String, Quantity> limits = container.getResources().getLimits();
          assertNotNull(requests, where + ": no requests");
          assertNotNull(limits, where + ": no limits");
          assertNotNull(requests.get("cpu"), where + ": requests.cpu");
          assertNotNull(requests.get("memory"), where + ": requests.memory");
          assertNotNull(limits.get("memory"), where + ": limits.memory");
          assertTrue(
              limits
                      .get("memory")
                      .getNumericalAmount()
                      .compareTo(requests.get("memory").getNumericalAmount())
                  >= 0,
              where + ": memory limit below request");
        });
  }

  /**
   * The JVM writes /tmp (perf data, Vert.x's file cache, ONNX Runtime's unpacked native libraries).
   */
  @ParameterizedTest
  @FieldSource("RENDERS")
  void everyInfergateContainerHasAWritableEmptyDirAtTmp(String render) {
    for (Deployment deployment : Overlays.get(render).deployments()) {
      PodSpec pod = pod(deployment);
      for (Container container : pod.getContainers()) {
        String where =
            render + " " + deployment.getMetadata().getName() + "/" + container.getName();
        if (!RenderedManifests.isImage(container, RenderedManifests.ROUTER_IMAGE)
            && !RenderedManifests.isImage(container, RenderedManifests.MODEL_SERVER_IMAGE)) {
          continue;
        }
        VolumeMount tmp =
            mounts(container).stream()
                .filter(m -> m.getMountPath().equals("/tmp"))
                .findFirst()
                .orElseThrow(() -> new AssertionError(where + ": nothing mounted at /tmp"));
        assertNotEquals(Boolean.TRUE, tmp.getReadOnly(), where + ": /tmp is read-only");
        Volume volume = volume(pod, tmp.getName());
        assertNotNull(volume.getEmptyDir(), where + ": /tmp is not an emptyDir");
        assertNotNull(
            volume.getEmptyDir().getSizeLimit(), where + ": /tmp emptyDir has no sizeLimit");
      }
    }
  }

  interface ContainerCheck {
    void check(String where, PodSpec pod, Container container);
  }

  static void forEachContainer(String render, ContainerCheck check) {
    RenderedManifests manifests = Overlays.get(render);
    for (Deployment deployment : manifests.deployments()) {
      PodSpec pod = pod(deployment);
      List<Container> containers = allContainers(pod);
      assertFalse(
          containers.isEmpty(),
          render + " " + deployment.getMetadata().getName() + " has no container");
      for (Container container : containers) {
        check.check(
            render + " " + deployment.getMetadata().getName() + "/" + container.getName(),
            pod,
            container);
      }
    }
  }

  static List<VolumeMount> mounts(Container container) {
    return container.getVolumeMounts() == null ? List.of() : container.getVolumeMounts();
  }

  static List<Volume> volumes(PodSpec pod) {
    return pod.getVolumes() == null ? List.of() : pod.getVolumes();
  }

  static Volume volume(PodSpec pod, String name) {
    return volumes(pod).stream()
        .filter(v -> v.getName().equals(name))
        .findFirst()
        .orElseGet(() -> fail("no volume named " + name));
  }

  /** A container's setting wins over the pod's, as in Kubernetes. */
  private static <T> T effective(
      SecurityContext container,
      PodSecurityContext pod,
      Function<SecurityContext, T> fromContainer,
      Function<PodSecurityContext, T> fromPod) {
    T value = container == null ? null : fromContainer.apply(container);
    return value != null || pod == null ? value : fromPod.apply(pod);
  }
}
