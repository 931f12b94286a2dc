package dev.infergate.modelserver.deploy;

import dev.infergate.testsupport.ExternalTool;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * {@code config/compose.yaml} as {@code docker-compose config} resolves it (anchors merged, paths
 * absolute, ports and volumes in their long string forms), rendered once per test run. No Docker
 * engine is needed for that.
 */
record ComposeStack(String rendered, Map<String, Object> yaml) {
  static final ExternalTool DOCKER_COMPOSE =
      new ExternalTool(
          "docker-compose",
          "Install the Debian package 'docker-compose' (apt-get install -y docker-compose; no Docker engine "
              + "is needed to validate a file); CI installs it in .ci/run.");

  private static volatile ComposeStack cached;

  static Path file() {
    return config().resolve("compose.yaml");
  }

  /** The repository's {@code config/} directory; Surefire runs in the module directory. */
  static Path config() {
    for (Path candidate : List.of(Path.of("..", "config"), Path.of("config"))) {
      if (Files.isRegularFile(candidate.resolve("compose.yaml"))) {
        return candidate.toAbsolutePath().normalize();
      }
    }
    throw new IllegalStateException(
        "config/compose.yaml not found from " + Path.of("").toAbsolutePath());
  }

  static ComposeStack get() {
    ComposeStack stack = cached;
    if (stack == null) {
      ExternalTool.Result result = DOCKER_COMPOSE.run(null, "-f", file().toString(), "config");
      if (result.exitCode() != 0) {
        throw new AssertionError(
            "docker-compose config refused " + file() + ":\n" + result.describe());
      }
      stack = new ComposeStack(result.stdout(), parse(result.stdout()));
      cached = stack;
    }
    return stack;
  }

  static Map<String, Object> parse(String text) {
    Object doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
    if (!(doc instanceof Map<?, ?>)) {
      throw new AssertionError("not a YAML mapping:\n" + text);
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> map = (Map<String, Object>) doc;
    return map;
  }

  Map<String, Map<String, Object>> services() {
    return map(yaml, "services");
  }

  Map<String, Object> service(String name) {
    return Optional.ofNullable(services().get(name))
        .orElseThrow(() -> new AssertionError("no service " + name));
  }

  /**
   * The services whose image is built from {@code dockerfile} (a path from the repository root).
   */
  List<String> builtFrom(String dockerfile) {
    Path wanted = config().getParent().resolve(dockerfile).normalize();
    return services().entrySet().stream()
        .filter(
            e ->
                e.getValue().get("build") instanceof Map<?, ?> build
                    && Path.of(String.valueOf(build.get("context")))
                        .resolve(String.valueOf(build.get("dockerfile")))
                        .normalize()
                        .equals(wanted))
        .map(Map.Entry::getKey)
        .sorted()
        .toList();
  }

  /** The host file bind-mounted at {@code target} in {@code service}. */
  static Path mountedAt(Map<String, Object> service, String target) {
    for (Object volume : list(service, "volumes")) {
      String[] parts = String.valueOf(volume).split(":");
      if (parts.length >= 2 && parts[1].equals(target)) {
        return Path.of(parts[0]);
      }
    }
    throw new AssertionError("nothing is mounted at " + target + " in " + service);
  }

  /**
   * The container ports a service publishes ("127.0.0.1:8081:8081/tcp" or {published, target} →
   * 8081).
   */
  static List<Integer> publishedContainerPorts(Map<String, Object> service) {
    return list(service, "ports").stream()
        .map(
            p -> {
              if (p instanceof Map<?, ?> longForm) {
                return Integer.parseInt(String.valueOf(longForm.get("target")));
              }
              String spec = String.valueOf(p).replaceFirst("/(tcp|udp)$", "");
              return Integer.parseInt(spec.substring(spec.lastIndexOf(':') + 1));
            })
        .toList();
  }

  @SuppressWarnings("unchecked")
  static Map<String, Map<String, Object>> map(Map<String, Object> parent, String key) {
    Object value = parent.get(key);
    return value instanceof Map<?, ?> m ? (Map<String, Map<String, Object>>) m : Map.of();
  }

  @SuppressWarnings("unchecked")
  static List<Object> list(Map<String, Object> parent, String key) {
    Object value = parent.get(key);
    return value instanceof List<?> l ? (List<Object>) l : List.of();
  }
}
