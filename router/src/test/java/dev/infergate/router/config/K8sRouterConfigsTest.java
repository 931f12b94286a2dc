package dev.infergate.router.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every {@code router.yaml} under {@code k8s/} is one this router accepts, and routes to the pods
 * of the model-server Services by DNS. (The deploy checks in model-server render the overlays and
 * check the names against the Services; this checks the router's own parser.)
 */
class K8sRouterConfigsTest {
  /** Tests run in the router module's directory. */
  private static final Path K8S = Path.of("..", "k8s");

  static Stream<Path> routerConfigs() throws IOException {
    assertTrue(Files.isDirectory(K8S), K8S.toAbsolutePath() + " is missing");
    List<Path> found;
    try (Stream<Path> files = Files.walk(K8S)) {
      found = files.filter(p -> p.getFileName().toString().equals("router.yaml")).sorted().toList();
    }
    assertFalse(found.isEmpty(), "no router.yaml under " + K8S.toAbsolutePath());
    return found.stream();
  }

  @ParameterizedTest
  @MethodSource("routerConfigs")
  void parsesWithDnsEndpointsOnly(Path file) throws IOException {
    RouterConfig config;
    try {
      config = ConfigParser.parse(Files.readString(file), Map.of());
    } catch (ConfigException e) {
      throw new AssertionError(file + " is refused: " + e.getMessage(), e);
    }
    for (ServiceConfig s : config.services().values()) {
      for (TrackConfig t : s.tracks()) {
        for (EndpointAddress a : t.endpoints()) {
          assertEquals(
              EndpointAddress.Kind.DNS,
              a.kind(),
              file
                  + ": services."
                  + s.name()
                  + ".tracks."
                  + t.name()
                  + " names "
                  + a
                  + "; in Kubernetes the router finds pods by their Service's DNS name");
        }
      }
    }
  }
}
