package dev.infergate.modelserver.training;

import java.util.ArrayList;
import java.util.List;
import org.tribuo.ImmutableOutputInfo;
import org.tribuo.Model;
import org.tribuo.MutableDataset;
import org.tribuo.ONNXExportable;
import org.tribuo.classification.Label;
import org.tribuo.classification.LabelFactory;
import org.tribuo.classification.evaluation.LabelEvaluator;
import org.tribuo.provenance.SimpleDataSourceProvenance;

/** Trains one recipe on the training split and measures it on the test split. */
final class VersionTrainer {

  private final StratifiedSplit split;

  VersionTrainer(StratifiedSplit split) {
    this.split = split;
  }

  /**
   * @throws IllegalStateException if the model cannot be exported or its input columns are not the
   *     natural order
   */
  TrainedVersion train(ModelRecipe recipe) {
    LabelFactory factory = new LabelFactory();
    MutableDataset<Label> train =
        new MutableDataset<>(
            split.train(), new SimpleDataSourceProvenance("iris train split", factory), factory);
    MutableDataset<Label> test =
        new MutableDataset<>(
            split.test(), new SimpleDataSourceProvenance("iris test split", factory), factory);

    Model<Label> model = recipe.trainer().get().train(train);
    String name = "iris version " + recipe.version();
    if (!(model instanceof ONNXExportable)) {
      throw new IllegalStateException(
          name + ": " + model.getClass().getName() + " cannot be exported to ONNX");
    }
    IrisFeatures.checkColumnOrder(model.getFeatureIDMap(), name);

    double accuracy = new LabelEvaluator().evaluate(model, test).accuracy();
    return new TrainedVersion(recipe, model, accuracy, outputColumns(model.getOutputIDInfo()));
  }

  private static List<String> outputColumns(ImmutableOutputInfo<Label> outputs) {
    List<String> labels = new ArrayList<>();
    for (int id = 0; id < outputs.size(); id++) {
      labels.add(outputs.getOutput(id).getLabel());
    }
    return labels;
  }
}
