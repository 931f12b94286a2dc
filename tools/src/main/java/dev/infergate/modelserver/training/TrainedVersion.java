package dev.infergate.modelserver.training;

import java.util.List;
import org.tribuo.Model;
import org.tribuo.classification.Label;

/**
 * A trained version that passed its checks, ready to export.
 *
 * @param recipe how it was trained
 * @param model the Tribuo model
 * @param accuracy accuracy on the held-out split
 * @param labels label of each probability output column, column 0 first
 */
record TrainedVersion(
    ModelRecipe recipe, Model<Label> model, double accuracy, List<String> labels) {

  TrainedVersion {
    labels = List.copyOf(labels);
  }

  int version() {
    return recipe.version();
  }
}
