package dev.infergate.router.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LimitsConfigTest {
  private static final String SERVICES =
      """
      services:
        iris:
          model: iris
          tracks:
            stable: { weight: 100, modelVersion: "1", endpoints: [http://127.0.0.1:9001] }
      """;

  @Test
  void defaultsApplyWithoutALimitsBlock() throws Exception {
    assertEquals(LimitsConfig.DEFAULT, ConfigParser.parse(SERVICES, Map.of()).limits());
    assertEquals(10_000, LimitsConfig.DEFAULT.headerTimeoutMillis());
  }

  @Test
  void theShippedConfigSpellsOutTheDefaults() throws Exception {
    Path shipped =
        Files.isRegularFile(Path.of("../config/router.yaml"))
            ? Path.of("../config/router.yaml")
            : Path.of("config/router.yaml");
    assertEquals(
        LimitsConfig.DEFAULT, ConfigParser.parse(Files.readString(shipped), Map.of()).limits());
  }

  @Test
  void readsEveryField() throws Exception {
    LimitsConfig limits =
        ConfigParser.parse(
                "limits: { headerTimeoutMillis: 2000, bodyTimeoutMillis: 3000, "
                    + "idleTimeoutSeconds: 4, maxConnections: 5, adminMaxConnections: 6 }\n"
                    + SERVICES,
                Map.of())
            .limits();
    assertEquals(new LimitsConfig(2000, 3000, 4, 5, 6), limits);
  }

  @Test
  void refusesOutOfRangeAndUnknownFieldsNamingThem() {
    assertEquals(
        "limits.maxConnections: must be 1..1000000, was 0",
        error("limits: { maxConnections: 0 }\n"));
    assertEquals(
        "limits.headerTimeoutMillis: must be 100..600000, was 5",
        error("limits: { headerTimeoutMillis: 5 }\n"));
    assertTrue(error("limits: { headerTimeout: 5 }\n").contains("limits.headerTimeout"));
  }

  private static String error(String limits) {
    return assertThrows(
            ConfigException.class, () -> ConfigParser.parse(limits + SERVICES, Map.of()))
        .getMessage();
  }
}
