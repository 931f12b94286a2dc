package dev.infergate.modelserver.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ExportChecksTest {

  private static final List<String> ORDER = List.of("setosa", "versicolor", "virginica");

  @Test
  void passesAccurateVersionsWithOneLabelOrder() throws TrainingRefusedException {
    assertEquals(
        ORDER, ExportChecks.check(List.of(version(1, 0.95, ORDER), version(2, 0.9, ORDER)), 0.9));
  }

  @Test
  void refusesVersionsWhoseLabelColumnsDiffer() {
    List<String> swapped = List.of("versicolor", "setosa", "virginica");

    TrainingRefusedException refused =
        assertThrows(
            TrainingRefusedException.class,
            () ->
                ExportChecks.check(
                    List.of(version(1, 0.95, ORDER), version(2, 0.95, swapped)), 0.9));

    assertTrue(
        refused.getMessage().contains("version 2 outputs labels [versicolor, setosa, virginica]"),
        refused.getMessage());
  }

  @Test
  void namesEveryVersionBelowTheMinimum() {
    TrainingRefusedException refused =
        assertThrows(
            TrainingRefusedException.class,
            () ->
                ExportChecks.check(List.of(version(1, 0.95, ORDER), version(2, 0.8, ORDER)), 0.9));

    assertEquals(
        "refusing to export iris: version 2 has held-out accuracy 0.8000, below the minimum 0.9000",
        refused.getMessage());
  }

  // The checks read only version, accuracy and labels; no model is needed to exercise them.
  private static TrainedVersion version(int number, double accuracy, List<String> labels) {
    return new TrainedVersion(
        new ModelRecipe(number, "test recipe " + number, () -> null), null, accuracy, labels);
  }
}
