package dev.infergate.modelserver.deploy;

import static dev.infergate.modelserver.deploy.RenderedManifests.ROUTER_IMAGE;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The router.yaml that a router container of a rendered overlay actually reads: followed from its
 * {@code --config} argument through the volume mount to the ConfigMap, and parsed.
 */
record RouterConfigs(
    PodSpec podSpec, Container router, VolumeMount configMount, Map<String, Object> yaml) {

  static RouterConfigs of(RenderedManifests manifests, Deployment deployment) {
    String where = manifests.name() + " " + deployment.getMetadata().getName();
    Container router =
        RenderedManifests.container(deployment, ROUTER_IMAGE)
            .orElseThrow(() -> new AssertionError(where + " runs no router"));
    List<String> args = router.getArgs();
    int flag = args == null ? -1 : args.indexOf("--config");
    if (flag < 0 || flag + 1 >= args.size()) {
      throw new AssertionError(where + ": the router is not given --config FILE, args " + args);
    }
    Path file = Path.of(args.get(flag + 1));
    VolumeMount mount =
        mountHolding(router, file.toString())
            .orElseThrow(() -> new AssertionError(where + ": nothing is mounted at " + file));
    Volume volume = volume(RenderedManifests.pod(deployment), mount.getName());
    if (volume.getConfigMap() == null) {
      throw new AssertionError(where + ": " + file + " does not come from a ConfigMap");
    }
    ConfigMap configMap = manifests.get(ConfigMap.class, volume.getConfigMap().getName());
    String key = Path.of(mount.getMountPath()).relativize(file).toString();
    String text = configMap.getData() == null ? null : configMap.getData().get(key);
    if (text == null) {
      throw new AssertionError(
          where + ": ConfigMap " + configMap.getMetadata().getName() + " has no key " + key);
    }
    Map<String, Object> yaml = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
    return new RouterConfigs(RenderedManifests.pod(deployment), router, mount, yaml);
  }

  int listenPort() {
    return ((Number) section("listen").get("port")).intValue();
  }

  String listenHost() {
    return (String) section("listen").get("host");
  }

  int adminPort() {
    return ((Number) section("admin").get("port")).intValue();
  }

  String adminHost() {
    return (String) section("admin").get("host");
  }

  boolean hasAuth() {
    return yaml.containsKey("auth");
  }

  /** The {@code cluster} block, or empty when the routers do not share Redis. */
  Optional<Map<String, Object>> cluster() {
    return yaml.containsKey("cluster") ? Optional.of(section("cluster")) : Optional.empty();
  }

  String stateFile() {
    return (String) yaml.get("stateFile");
  }

  Optional<String> jwks() {
    return hasAuth() ? Optional.ofNullable((String) section("auth").get("jwks")) : Optional.empty();
  }

  /** Every endpoint of every track of every service, as written. */
  @SuppressWarnings("unchecked")
  List<String> endpoints() {
    List<String> all = new ArrayList<>();
    for (Object service : section("services").values()) {
      Map<String, Object> tracks =
          (Map<String, Object>) ((Map<String, Object>) service).get("tracks");
      for (Object track : tracks.values()) {
        all.addAll((List<String>) ((Map<String, Object>) track).get("endpoints"));
      }
    }
    return all;
  }

  /** The mount of this container under which {@code path} lies, the deepest one. */
  Optional<VolumeMount> mountHolding(String path) {
    return mountHolding(router, path);
  }

  Volume volume(String name) {
    return volume(podSpec, name);
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> section(String key) {
    Object value = yaml.get(key);
    if (!(value instanceof Map<?, ?>)) {
      throw new AssertionError("router.yaml has no '" + key + "' section");
    }
    return (Map<String, Object>) value;
  }

  private static Optional<VolumeMount> mountHolding(Container container, String path) {
    Path target = Path.of(path);
    return PodSecurityPolicyTest.mounts(container).stream()
        .filter(
            m ->
                target.startsWith(Path.of(m.getMountPath()))
                    && !target.equals(Path.of(m.getMountPath())))
        .max((a, b) -> Integer.compare(a.getMountPath().length(), b.getMountPath().length()));
  }

  private static Volume volume(PodSpec pod, String name) {
    return PodSecurityPolicyTest.volume(pod, name);
  }
}
