package dev.infergate.modelserver.training;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.tribuo.Example;
import org.tribuo.classification.Label;

/** Reads the data, trains every recipe, checks them all, and only then writes the repository. */
final class IrisTraining {

  static final String MODEL_NAME = "iris";
  static final double TRAIN_FRACTION = 0.7;
  static final long SPLIT_SEED = 42L;

  /**
   * @param versions the exported versions, in order
   * @param labels label of each output column
   * @param files what was written
   */
  record Result(List<TrainedVersion> versions, List<String> labels, List<Path> files) {}

  private IrisTraining() {}

  /**
   * @throws TrainingRefusedException when a version is too inaccurate or the versions disagree;
   *     nothing is written
   * @throws IllegalArgumentException when the data file is malformed
   */
  static Result run(TrainingOptions options) throws IOException, TrainingRefusedException {
    List<Example<Label>> rows = IrisCsv.read(options.data());
    VersionTrainer trainer =
        new VersionTrainer(StratifiedSplit.of(rows, TRAIN_FRACTION, SPLIT_SEED));
    List<TrainedVersion> versions = new ArrayList<>();
    for (ModelRecipe recipe : IrisRecipes.all()) {
      versions.add(trainer.train(recipe));
    }
    List<String> labels = ExportChecks.check(versions, options.minAccuracy());
    List<Path> files = ModelRepositoryWriter.write(options.out(), MODEL_NAME, versions, labels);
    return new Result(List.copyOf(versions), labels, files);
  }
}
