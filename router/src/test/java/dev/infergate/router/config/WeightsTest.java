package dev.infergate.router.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The weights rule in its one home, and how each caller's path ends up in front of its messages.
 */
class WeightsTest {
  private static Map<String, Integer> of(Object... trackThenWeight) {
    Map<String, Integer> m = new LinkedHashMap<>();
    for (int i = 0; i < trackThenWeight.length; i += 2) {
      m.put((String) trackThenWeight[i], (Integer) trackThenWeight[i + 1]);
    }
    return m;
  }

  @Test
  void keepsTheDeclarationOrder() {
    assertEquals(List.of(0, 70, 30), new Weights(of("a", 0, "b", 70, "c", 30)).inOrder());
  }

  @Test
  void refusesAWeightOutside0To100NamingTheTrack() {
    ConfigException e =
        assertThrows(ConfigException.class, () -> new Weights(of("stable", -20, "canary", 120)));
    assertEquals("stable: must be 0..100, was -20", e.getMessage());
  }

  @Test
  void refusesWeightsThatDoNotSumTo100() {
    ConfigException e =
        assertThrows(ConfigException.class, () -> new Weights(of("stable", 90, "canary", 20)));
    assertEquals("weights must sum to 100, they sum to 110", e.getMessage());
  }

  @Test
  void refusesNoTracks() {
    assertThrows(ConfigException.class, () -> new Weights(Map.of()));
  }

  @Test
  void theCallerPutsItsPathInFront() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                ConfigException.at(
                    "services.iris.override.weights", () -> new Weights(of("stable", 500))));
    assertEquals("services.iris.override.weights.stable: must be 0..100, was 500", e.getMessage());
    ConfigException sum =
        assertThrows(
            ConfigException.class,
            () -> ConfigException.at("services.iris.tracks", () -> new Weights(of("stable", 50))));
    assertEquals("services.iris.tracks: weights must sum to 100, they sum to 50", sum.getMessage());
  }

  @Test
  void aServiceRefusesTracksWhoseWeightsDoNotSumTo100() {
    TrackConfig stable =
        new TrackConfig("stable", 90, "1", List.of(new EndpointAddress("127.0.0.1", 9001)));
    TrackConfig canary =
        new TrackConfig("canary", 20, "2", List.of(new EndpointAddress("127.0.0.1", 9002)));
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                ConfigException.at(
                    "services.iris",
                    () ->
                        new ServiceConfig(
                            "iris",
                            "iris",
                            Strategy.CANARY,
                            List.of(stable, canary),
                            null,
                            null,
                            5000,
                            new RetryConfig(3, 20, 16, 5000),
                            new BreakerConfig(50, 2000, 100, 20, 5000, 3),
                            new HealthCheckConfig("/v2/health/ready", 1000, 1000),
                            null,
                            null)));
    assertEquals("services.iris.tracks: weights must sum to 100, they sum to 110", e.getMessage());
  }

  @Test
  void aTrackRefusesAWeightOver100NamingItsField() {
    ConfigException e =
        assertThrows(
            ConfigException.class,
            () ->
                ConfigException.at(
                    "services.iris.tracks.canary",
                    () ->
                        new TrackConfig(
                            "canary", 120, "2", List.of(new EndpointAddress("127.0.0.1", 9002)))));
    assertEquals("services.iris.tracks.canary.weight: must be 0..100, was 120", e.getMessage());
  }
}
