package dev.infergate.router.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RoutingChangesTest {
  @Test
  void rollbackReturnsToTheStateBeforeEachChangeInTurn() {
    OperatorState state =
        OperatorState.EMPTY
            .with("iris", ServiceOverride.ofWeights(Map.of("stable", 80, "canary", 20)))
            .with("iris", ServiceOverride.ofWeights(Map.of("stable", 50, "canary", 50)));
    OperatorState once = state.rolledBack("iris");
    assertEquals(Map.of("stable", 80, "canary", 20), once.override("iris").weights());
    OperatorState twice = once.rolledBack("iris");
    assertNull(twice.override("iris"), "back to the config file's values");
    assertNull(twice.rolledBack("iris"), "nothing left to roll back");
  }

  @Test
  void stateFileRoundTripsAndReplacesAtomically(@TempDir Path dir) throws Exception {
    StateFile file = new StateFile(dir.resolve("state/router-state.json"));
    assertEquals(new StateFile.Saved(OperatorState.EMPTY, 0), file.load());
    OperatorState state =
        OperatorState.EMPTY
            .with("iris", ServiceOverride.ofActive("green"))
            .with("other", ServiceOverride.ofWeights(Map.of("a", 100, "b", 0)));
    file.save(state, 6);
    file.save(state, 7);
    assertEquals(new StateFile.Saved(state, 7), file.load());
    try (var files = java.nio.file.Files.list(dir.resolve("state"))) {
      assertEquals(1, files.count(), "no temporary files left behind");
    }
  }

  @Test
  void refusesWeightsForUnknownTracksOutOfRangeOrNotSummingTo100() {
    var service = dev.infergate.router.testsupport.ServiceConfigs.canary("iris", 90, 10);
    assertTrue(
        assertThrows(
                ChangeRejectedException.class,
                () ->
                    RoutingChanges.weights(
                        service, new JsonObject().put("stable", 50).put("beta", 50)))
            .getMessage()
            .contains("unknown track 'beta'"));
    assertTrue(
        assertThrows(
                ChangeRejectedException.class,
                () ->
                    RoutingChanges.weights(
                        service, new JsonObject().put("stable", 150).put("canary", -50)))
            .getMessage()
            .contains("0..100"));
    assertTrue(
        assertThrows(
                ChangeRejectedException.class,
                () ->
                    RoutingChanges.weights(
                        service, new JsonObject().put("stable", 50).put("canary", 40)))
            .getMessage()
            .contains("sum to 90"));
    assertTrue(
        assertThrows(
                ChangeRejectedException.class,
                () ->
                    RoutingChanges.weights(
                        service, new JsonObject().put("stable", 50.5).put("canary", 49.5)))
            .getMessage()
            .contains("integer"));
  }

  @Test
  void promoteGivesTheCanaryEverything() throws Exception {
    var service = dev.infergate.router.testsupport.ServiceConfigs.canary("iris", 90, 10);
    assertEquals(Map.of("stable", 0, "canary", 100), RoutingChanges.promote(service).weights());
  }
}
