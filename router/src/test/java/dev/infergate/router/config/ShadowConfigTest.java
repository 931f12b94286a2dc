package dev.infergate.router.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The {@code shadow:} block of a service: defaults, and every refusal naming its field and value.
 */
class ShadowConfigTest {
  private static String canary(String stableWeight, String canaryWeight, String shadow) {
    return """
        services:
          iris:
            tracks:
              stable: { weight: %s, modelVersion: "1", endpoints: [http://127.0.0.1:9001] }
              canary: { weight: %s, modelVersion: "2", endpoints: [http://127.0.0.1:9003] }
        """
            .formatted(stableWeight, canaryWeight)
        + (shadow == null ? "" : "    shadow: " + shadow + "\n");
  }

  private static ShadowConfig parse(String yaml) throws ConfigException {
    return ConfigParser.parse(yaml, Map.of()).services().get("iris").shadow();
  }

  private static String error(String yaml) {
    return assertThrows(ConfigException.class, () -> parse(yaml)).getMessage();
  }

  @Test
  void parsesTrackAndPercentWithTheDefaults() throws Exception {
    ShadowConfig s = parse(canary("90", "10", "{ track: canary, percent: 20 }"));
    assertEquals(
        new ShadowConfig(
            "canary", 20, ShadowConfig.DEFAULT_TOLERANCE, ShadowConfig.DEFAULT_MAX_QUEUED),
        s);
    assertEquals(0.001, ShadowConfig.DEFAULT_TOLERANCE);
    assertEquals(1000, ShadowConfig.DEFAULT_MAX_QUEUED);
  }

  @Test
  void parsesEveryFieldAndDecimalPercents() throws Exception {
    assertEquals(
        new ShadowConfig("canary", 0.5, 0.01, 50),
        parse(
            canary("100", "0", "{ track: canary, percent: 0.5, tolerance: 0.01, maxQueued: 50 }")));
  }

  @Test
  void noBlockMeansNoShadow() throws Exception {
    assertNull(parse(canary("90", "10", null)));
  }

  @Test
  void refusesATrackThatDoesNotExist() {
    assertEquals(
        "services.iris.shadow.track: must name a track (stable, canary), was 'green'",
        error(canary("90", "10", "{ track: green, percent: 20 }")));
  }

  @Test
  void refusesTheOnlyTrackWithLiveTraffic() {
    assertEquals(
        "services.iris.shadow.track: 'canary' is the only track that serves live traffic (every other "
            + "track has weight 0); a shadow copies what other tracks serve",
        error(canary("0", "100", "{ track: canary, percent: 20 }")));
  }

  @Test
  void refusesTheActiveTrackOfABlueGreenService() {
    String yaml =
        """
        services:
          iris:
            strategy: blue-green
            active: blue
            tracks:
              blue: { modelVersion: "1", endpoints: [http://127.0.0.1:9001] }
              green: { modelVersion: "2", endpoints: [http://127.0.0.1:9003] }
            shadow: { track: blue, percent: 5 }
        """;
    assertEquals(
        "services.iris.shadow.track: 'blue' is the only track that serves live traffic (it is the active "
            + "track); a shadow copies what other tracks serve",
        error(yaml));
  }

  @Test
  void refusesPercentsOutside0To100() {
    assertEquals(
        "services.iris.shadow.percent: must be 0..100, was 120",
        error(canary("90", "10", "{ track: canary, percent: 120 }")));
    assertEquals(
        "services.iris.shadow.percent: must be 0..100, was -1",
        error(canary("90", "10", "{ track: canary, percent: -1 }")));
    assertEquals(
        "services.iris.shadow.percent: must be a number, was 'lots'",
        error(canary("90", "10", "{ track: canary, percent: lots }")));
    assertEquals(
        "services.iris.shadow.percent: required", error(canary("90", "10", "{ track: canary }")));
  }

  @Test
  void refusesBadToleranceAndMaxQueued() {
    assertEquals(
        "services.iris.shadow.tolerance: must be 0..1, was 2",
        error(canary("90", "10", "{ track: canary, percent: 5, tolerance: 2 }")));
    assertEquals(
        "services.iris.shadow.maxQueued: must be 1..100000, was 0",
        error(canary("90", "10", "{ track: canary, percent: 5, maxQueued: 0 }")));
  }

  @Test
  void refusesUnknownFields() {
    assertTrue(
        error(canary("90", "10", "{ track: canary, percnt: 5 }"))
            .startsWith("services.iris.shadow.percnt: unknown field (known: "));
  }

  @Test
  void theRecordRefusesBadValuesMadeInCode() {
    assertEquals(
        "percent: must be 0..100, was 101",
        assertThrows(ConfigException.class, () -> new ShadowConfig("canary", 101, 0.001, 1))
            .getMessage());
    assertEquals(
        "percent: must be 0..100, was NaN",
        assertThrows(ConfigException.class, () -> new ShadowConfig("canary", Double.NaN, 0.001, 1))
            .getMessage());
    assertEquals(
        "tolerance: must be 0..1, was 1.5",
        assertThrows(ConfigException.class, () -> new ShadowConfig("canary", 1, 1.5, 1))
            .getMessage());
    assertEquals(
        "maxQueued: must be 1..100000, was 0",
        assertThrows(ConfigException.class, () -> new ShadowConfig("canary", 1, 0.001, 0))
            .getMessage());
    assertEquals(
        "track: required",
        assertThrows(ConfigException.class, () -> new ShadowConfig(null, 1, 0.001, 1))
            .getMessage());
  }

  @Test
  void aServiceBuiltInCodeRefusesAShadowOfATrackItDoesNotHave() throws Exception {
    ServiceConfig iris =
        ConfigParser.parse(canary("90", "10", null), Map.of()).services().get("iris");
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                ConfigException.at(
                    "iris",
                    () ->
                        new ServiceConfig(
                            iris.name(),
                            iris.model(),
                            iris.strategy(),
                            iris.tracks(),
                            null,
                            null,
                            iris.timeoutMillis(),
                            iris.retry(),
                            iris.circuitBreaker(),
                            iris.healthCheck(),
                            new ShadowConfig("green", 5, 0.001, 10),
                            null)));
    assertEquals(
        "iris.shadow.track: must name a track (stable, canary), was 'green'", e.getMessage());
  }

  @Test
  void operatorChangesKeepTheShadow() throws Exception {
    ServiceConfig iris =
        ConfigParser.parse(canary("90", "10", "{ track: canary, percent: 20 }"), Map.of())
            .services()
            .get("iris");
    ServiceConfig moved =
        iris.withTracks(
            List.of(
                new TrackConfig("stable", 0, "1", iris.tracks().get(0).endpoints()),
                new TrackConfig("canary", 100, "2", iris.tracks().get(1).endpoints())));
    assertEquals(iris.shadow(), moved.shadow());
  }
}
