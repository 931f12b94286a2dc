package dev.infergate.router.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.infergate.router.config.ConfigParser;
import dev.infergate.router.config.ServiceConfig;
import dev.infergate.router.testsupport.ServiceYaml;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The weights a rollout step puts in force: the candidate's gain comes out of the baseline only.
 */
class RolloutWeightsTest {
  private static ServiceConfig threeTracks() throws Exception {
    String yaml =
        ServiceYaml.config(
            new ServiceYaml("iris")
                .track("stable", 70, "1", "http://127.0.0.1:9001")
                .track("mirror", 20, "1", "http://127.0.0.1:9002")
                .track("canary", 10, "2", "http://127.0.0.1:9003")
                .rollout("{ candidate: canary, baseline: stable, steps: [30, 60] }"));
    return ConfigParser.parse(yaml, Map.of()).services().get("iris");
  }

  @Test
  void otherTracksKeepTheirWeightsAndTheBaselineGivesTheCandidatesGain() throws Exception {
    ServiceConfig s = threeTracks();
    assertEquals(
        Map.of("stable", 50, "mirror", 20, "canary", 30),
        RolloutDriver.weights(s, s.rollout(), 30));
    assertEquals(
        Map.of("stable", 80, "mirror", 20, "canary", 0), RolloutDriver.weights(s, s.rollout(), 0));
  }

  @Test
  void promotionGivesTheCandidateEverythingAndEveryOtherTrackZero() throws Exception {
    ServiceConfig s = threeTracks();
    assertEquals(
        Map.of("stable", 0, "mirror", 0, "canary", 100),
        RolloutDriver.weights(s, s.rollout(), 100));
  }
}
