package dev.infergate.modelserver.training;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What must hold before anything is written: every version accurate enough, all versions with one
 * label order.
 */
final class ExportChecks {

  private ExportChecks() {}

  /**
   * @return the output-column labels that every version shares
   * @throws TrainingRefusedException naming each version below {@code minAccuracy} with its
   *     accuracy, or the versions whose label orders differ
   */
  static List<String> check(List<TrainedVersion> versions, double minAccuracy)
      throws TrainingRefusedException {
    List<String> tooWeak = new ArrayList<>();
    for (TrainedVersion trained : versions) {
      if (!(trained.accuracy() >= minAccuracy)) {
        tooWeak.add(
            String.format(
                Locale.ROOT,
                "version %d has held-out accuracy %.4f, below the minimum %.4f",
                trained.version(),
                trained.accuracy(),
                minAccuracy));
      }
    }
    if (!tooWeak.isEmpty()) {
      throw new TrainingRefusedException("refusing to export iris: " + String.join("; ", tooWeak));
    }
    // config.yaml has one label list for all versions, so every version must emit its columns in
    // that order.
    List<String> labels = versions.get(0).labels();
    for (TrainedVersion trained : versions) {
      if (!trained.labels().equals(labels)) {
        throw new TrainingRefusedException(
            "refusing to export iris: version "
                + trained.version()
                + " outputs labels "
                + trained.labels()
                + " but version "
                + versions.get(0).version()
                + " outputs "
                + labels);
      }
    }
    return labels;
  }
}
