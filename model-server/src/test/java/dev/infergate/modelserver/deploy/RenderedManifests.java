package dev.infergate.modelserver.deploy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The typed objects of one rendered overlay, with the look-ups the policy tests share. */
record RenderedManifests(String name, List<HasMetadata> objects) {
  static final String ROUTER_IMAGE = "infergate/router";
  static final String MODEL_SERVER_IMAGE = "infergate/model-server";

  <T extends HasMetadata> List<T> all(Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  <T extends HasMetadata> Optional<T> find(Class<T> type, String name) {
    return all(type).stream().filter(o -> o.getMetadata().getName().equals(name)).findFirst();
  }

  <T extends HasMetadata> T get(Class<T> type, String name) {
    return find(type, name)
        .orElseThrow(
            () ->
                new AssertionError(
                    this.name + " has no " + type.getSimpleName() + " named " + name));
  }

  List<Deployment> deployments() {
    return all(Deployment.class);
  }

  /** Deployments whose pods run a container of {@code image} (any registry, any tag). */
  List<Deployment> running(String image) {
    return deployments().stream().filter(d -> container(d, image).isPresent()).toList();
  }

  static PodSpec pod(Deployment deployment) {
    return deployment.getSpec().getTemplate().getSpec();
  }

  static Map<String, String> podLabels(Deployment deployment) {
    Map<String, String> labels = deployment.getSpec().getTemplate().getMetadata().getLabels();
    return labels == null ? Map.of() : labels;
  }

  /** Containers and init containers alike: the security policy holds for both. */
  static List<Container> allContainers(PodSpec pod) {
    List<Container> all = new ArrayList<>(pod.getContainers());
    if (pod.getInitContainers() != null) {
      all.addAll(pod.getInitContainers());
    }
    return all;
  }

  static Optional<Container> container(Deployment deployment, String image) {
    return pod(deployment).getContainers().stream().filter(c -> isImage(c, image)).findFirst();
  }

  /** Whether the container's image is {@code repository} (with any registry prefix and any tag). */
  static boolean isImage(Container container, String repository) {
    String image = container.getImage();
    String withoutDigest = image.contains("@") ? image.substring(0, image.indexOf('@')) : image;
    int slash = withoutDigest.lastIndexOf('/');
    int colon = withoutDigest.lastIndexOf(':');
    String name = colon > slash ? withoutDigest.substring(0, colon) : withoutDigest;
    return name.equals(repository) || name.endsWith("/" + repository);
  }

  /** Whether {@code selector} (matchLabels only, as these manifests use) selects {@code labels}. */
  static boolean selects(Map<String, String> selector, Map<String, String> labels) {
    return selector != null && labels.entrySet().containsAll(selector.entrySet());
  }

  @Override
  public String toString() {
    return name;
  }
}
