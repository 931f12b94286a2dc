package dev.infergate.router.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.router.testsupport.ServiceYaml;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RolloutConfigTest {
  private static ServiceConfig iris(String rollout) throws ConfigException {
    return iris(rollout, 90, 10, 0);
  }

  /**
   * stable and canary, plus a third track "mirror" with weight {@code other} when it is above 0.
   */
  private static ServiceConfig iris(String rollout, int stable, int canary, int other)
      throws ConfigException {
    ServiceYaml s =
        new ServiceYaml("iris")
            .track("stable", stable, "1", "http://127.0.0.1:9001")
            .track("canary", canary, "2", "http://127.0.0.1:9002");
    if (other > 0) {
      s.track("mirror", other, "3", "http://127.0.0.1:9003");
    }
    return ConfigParser.parse(ServiceYaml.config(s.rollout(rollout)), Map.of())
        .services()
        .get("iris");
  }

  private static String error(String rollout) {
    return assertThrows(ConfigException.class, () -> iris(rollout)).getMessage();
  }

  @Test
  void defaultsAreThoseDesignMdShows() throws Exception {
    RolloutConfig r = iris("{ candidate: canary, baseline: stable }").rollout();
    assertEquals(List.of(5, 20, 50), r.steps());
    assertEquals(60, r.stepSeconds());
    assertEquals(100, r.minRequests());
    assertEquals(1.0, r.maxErrorPercent());
    assertEquals(1.5, r.maxP99Ratio());
    assertEquals(95.0, r.minAgreementPercent());
    assertEquals(3, r.maxInconclusive());
    assertEquals(new RolloutConfig.Warmup(100, 600), r.warmup());
  }

  @Test
  void theShippedConfigShowsTheDefaults() throws Exception {
    String shipped = java.nio.file.Files.readString(ConfigParserTest.locate("config/router.yaml"));
    assertEquals(
        RolloutConfig.defaults("canary", "stable"),
        ConfigParser.parse(shipped, Map.of()).services().get("iris").rollout());
  }

  @Test
  void aServiceWithoutTheBlockHasNoRollout() throws Exception {
    String yaml =
        ServiceYaml.config(
            new ServiceYaml("plain").track("stable", 100, "1", "http://127.0.0.1:9001"));
    assertNull(ConfigParser.parse(yaml, Map.of()).services().get("plain").rollout());
  }

  @Test
  void readsEveryField() throws Exception {
    RolloutConfig r =
        iris("{ candidate: canary, baseline: stable, steps: [10, 30], stepSeconds: 5, minRequests: 20, "
                + "maxErrorPercent: 0.5, maxP99Ratio: 2, minAgreementPercent: 90, maxInconclusive: 4, "
                + "warmup: { shadowRequests: 7, timeoutSeconds: 30 } }")
            .rollout();
    assertEquals(
        new RolloutConfig(
            "canary",
            "stable",
            List.of(10, 30),
            5,
            20,
            0.5,
            2,
            90,
            4,
            new RolloutConfig.Warmup(7, 30)),
        r);
  }

  @Test
  void refusesStepsThatDoNotAscend() {
    assertEquals(
        "services.iris.rollout.steps[1]: must be greater than the step before (20), was 10",
        error("{ candidate: canary, baseline: stable, steps: [20, 10] }"));
  }

  @Test
  void refusesAStepOfAHundredSincePromotionFollowsTheLastStep() {
    assertTrue(
        error("{ candidate: canary, baseline: stable, steps: [50, 100] }")
            .startsWith("services.iris.rollout.steps[1]: must be 1..99"));
  }

  @Test
  void refusesACandidateThatIsNotATrack() {
    assertEquals(
        "services.iris.rollout.candidate: must name a track [stable, canary], was 'green'",
        error("{ candidate: green, baseline: stable }"));
  }

  @Test
  void refusesTheSameTrackAsCandidateAndBaseline() {
    assertTrue(
        error("{ candidate: canary, baseline: canary }")
            .startsWith("services.iris.rollout.baseline: must differ"));
  }

  @Test
  void refusesThresholdsOutOfRange() {
    assertEquals(
        "services.iris.rollout.maxP99Ratio: must be 1..100, was 0.5",
        error("{ candidate: canary, baseline: stable, maxP99Ratio: 0.5 }"));
    assertEquals(
        "services.iris.rollout.maxErrorPercent: must be 0..100, was 101.0",
        error("{ candidate: canary, baseline: stable, maxErrorPercent: 101 }"));
    assertEquals(
        "services.iris.rollout.stepSeconds: must be 1..86400, was 0",
        error("{ candidate: canary, baseline: stable, stepSeconds: 0 }"));
    assertEquals(
        "services.iris.rollout.warmup.shadowRequests: must be 0..1000000, was -1",
        error("{ candidate: canary, baseline: stable, warmup: { shadowRequests: -1 } }"));
  }

  @Test
  void refusesUnknownFields() {
    assertTrue(
        error("{ candidate: canary, baseline: stable, step: [5] }")
            .startsWith("services.iris.rollout.step: unknown field"));
  }

  @Test
  void refusesARolloutOnABlueGreenService() {
    String yaml =
        ServiceYaml.config(
            new ServiceYaml("iris")
                .blueGreen("blue")
                .track("blue", "1", "http://127.0.0.1:9001")
                .track("green", "2", "http://127.0.0.1:9002")
                .rollout("{ candidate: green, baseline: blue }"));
    String message =
        assertThrows(ConfigException.class, () -> ConfigParser.parse(yaml, Map.of())).getMessage();
    assertTrue(message.startsWith("services.iris.rollout: only for strategy canary"), message);
  }

  @Test
  void refusesALastStepThatDoesNotFitBesideTheOtherTracks() {
    String message =
        assertThrows(
                ConfigException.class,
                () -> iris("{ candidate: canary, baseline: stable, steps: [10, 80] }", 60, 10, 30))
            .getMessage();
    assertEquals(
        "services.iris.rollout.steps: the last step (80) does not fit beside the other tracks' weights (30)",
        message);
  }

  @Test
  void startOverridesAreLaidOverTheFilesBlockAndValidatedTheSameWay() throws Exception {
    RolloutConfig file = iris("{ candidate: canary, baseline: stable, stepSeconds: 30 }").rollout();
    RolloutConfig started =
        RolloutConfig.fromJson(new JsonObject().put("steps", List.of(1, 2)), file);
    assertEquals(List.of(1, 2), started.steps());
    assertEquals(30, started.stepSeconds());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> RolloutConfig.fromJson(new JsonObject().put("minRequests", "many"), file));
    assertEquals("rollout.minRequests: must be an integer, was 'many'", e.getMessage());
  }

  @Test
  void withoutAFileBlockTheStartMustNameCandidateAndBaseline() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> RolloutConfig.fromJson(new JsonObject().put("candidate", "canary"), null));
    assertEquals("rollout.baseline: required (the track it is compared with)", e.getMessage());
  }
}
