package dev.infergate.modelserver.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LimitsConfigTest {
  @TempDir Path dir;

  @Test
  void defaultsApplyWithoutALimitsBlock() throws Exception {
    assertEquals(LimitsConfig.DEFAULT, load("port: 9001\n").limits());
  }

  @Test
  void theShippedConfigSpellsOutTheDefaults() {
    Path shipped =
        Files.isRegularFile(Path.of("../config/model-server.yaml"))
            ? Path.of("../config/model-server.yaml")
            : Path.of("config/model-server.yaml");
    assertEquals(
        LimitsConfig.DEFAULT,
        ModelServerConfig.load(CommandLine.parse("--config", shipped.toString())).limits());
  }

  @Test
  void readsEveryField() throws Exception {
    assertEquals(
        new LimitsConfig(2000, 3000, 4, 5),
        load("limits: { headerTimeoutMillis: 2000, "
                + "bodyTimeoutMillis: 3000, idleTimeoutSeconds: 4, maxConnections: 5 }\n")
            .limits());
  }

  @Test
  void refusesOutOfRangeAndUnknownFieldsNamingThem() {
    assertEquals(
        "limits.maxConnections: must be 1..1000000, was 0",
        assertThrows(ConfigException.class, () -> load("limits: { maxConnections: 0 }\n"))
            .getMessage());
    assertTrue(
        assertThrows(ConfigException.class, () -> load("limits: { idle: 5 }\n"))
            .getMessage()
            .contains("limits.idle"));
  }

  private ModelServerConfig load(String yaml) throws Exception {
    Path file = dir.resolve("model-server.yaml");
    Files.writeString(file, yaml);
    return ModelServerConfig.load(CommandLine.parse("--config", file.toString()));
  }
}
