package dev.infergate.router.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The router.yaml of the compose stack ({@code config/compose/router.yaml}) is one this router
 * accepts. (The model-server deploy checks match its ports and endpoints against {@code
 * config/compose.yaml}.)
 */
class ComposeRouterConfigTest {
  @Test
  void composeRouterConfigParsesWithAuthFromTheSecretAndAdminOnAllInterfaces() throws Exception {
    Path file = Path.of("..", "config", "compose", "router.yaml");
    RouterConfig config;
    try {
      config = ConfigParser.parse(Files.readString(file), Map.of());
    } catch (ConfigException e) {
      throw new AssertionError(file + " is refused: " + e.getMessage(), e);
    }
    assertNotNull(config.auth(), "the admin listener binds all interfaces, which needs auth");
    assertEquals("file:/run/secrets/jwks.json", config.auth().jwks());
    assertEquals("0.0.0.0", config.admin().host());
  }
}
