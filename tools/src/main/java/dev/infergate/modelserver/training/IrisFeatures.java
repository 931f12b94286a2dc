package dev.infergate.modelserver.training;

import java.util.List;
import org.tribuo.ImmutableFeatureMap;

/**
 * The four Iris measurements: their natural (CSV and served) order, and the names Tribuo sees.
 *
 * <p>Tribuo numbers features by sorting their names, and its ONNX export takes them as input
 * columns in that numbering. Plain names would sort to petal_length, petal_width, sepal_length,
 * sepal_width, so a client sending the natural order would get silently wrong predictions.
 * Prefixing the column index ({@code f0_sepal_length} .. {@code f3_petal_width}) makes the sorted
 * order the natural one; {@link #checkColumnOrder} proves it on every trained model rather than
 * trusting the convention.
 */
final class IrisFeatures {

  /** Feature names in the order of the served model's input columns 0..3. */
  static final List<String> NATURAL_ORDER =
      List.of("sepal_length", "sepal_width", "petal_length", "petal_width");

  private IrisFeatures() {}

  static int count() {
    return NATURAL_ORDER.size();
  }

  /** The Tribuo feature name of natural column {@code column}. */
  static String tribuoName(int column) {
    return "f" + column + "_" + NATURAL_ORDER.get(column);
  }

  /**
   * Fails unless the model's feature IDs (hence its ONNX input columns) are exactly the natural
   * order.
   *
   * @throws IllegalStateException naming the first column that differs
   */
  static void checkColumnOrder(ImmutableFeatureMap featureMap, String modelName) {
    if (featureMap.size() != count()) {
      throw new IllegalStateException(
          modelName
              + " has "
              + featureMap.size()
              + " features, expected "
              + count()
              + " (a feature that never occurs in the training data is dropped by Tribuo)");
    }
    for (int column = 0; column < count(); column++) {
      String actual = featureMap.get(column).getName();
      if (!actual.equals(tribuoName(column))) {
        throw new IllegalStateException(
            modelName
                + " input column "
                + column
                + " is "
                + actual
                + ", expected "
                + tribuoName(column));
      }
    }
  }
}
