package dev.infergate.modelserver.training;

import java.nio.file.Path;

/**
 * Command-line options of {@link TrainIris}.
 *
 * @param data the Iris CSV
 * @param out the model repository root; the model goes to {@code <out>/iris}
 * @param minAccuracy held-out accuracy every version needs to be exported
 */
record TrainingOptions(Path data, Path out, double minAccuracy) {

  static final Path DEFAULT_DATA = Path.of("tools", "data", "iris.csv");
  static final Path DEFAULT_OUT = Path.of("config", "models");
  static final double DEFAULT_MIN_ACCURACY = 0.9;

  static final String USAGE =
      "usage: java -cp tools/target/tools.jar "
          + TrainIris.class.getName()
          + " [--data FILE] [--out DIR] [--min-accuracy X]\n"
          + "  --data FILE         Iris CSV (default "
          + DEFAULT_DATA
          + ")\n"
          + "  --out DIR           model repository root, writes DIR/iris/... (default "
          + DEFAULT_OUT
          + ")\n"
          + "  --min-accuracy X    refuse to export a version whose held-out accuracy is below X (default "
          + DEFAULT_MIN_ACCURACY
          + ")\n";

  TrainingOptions {
    if (Double.isNaN(minAccuracy)) {
      throw new IllegalArgumentException("--min-accuracy must be a number, was NaN");
    }
  }

  /**
   * @throws IllegalArgumentException with a message naming the bad option
   */
  static TrainingOptions parse(String... args) {
    Path data = DEFAULT_DATA;
    Path out = DEFAULT_OUT;
    double minAccuracy = DEFAULT_MIN_ACCURACY;
    for (int i = 0; i < args.length; i++) {
      String option = args[i];
      if (!option.equals("--data") && !option.equals("--out") && !option.equals("--min-accuracy")) {
        throw new IllegalArgumentException("unknown option " + option);
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(option + " needs a value");
      }
      String value = args[++i];
      switch (option) {
        case "--data" -> data = Path.of(value);
        case "--out" -> out = Path.of(value);
        default -> minAccuracy = parseAccuracy(value);
      }
    }
    return new TrainingOptions(data, out, minAccuracy);
  }

  private static double parseAccuracy(String value) {
    try {
      return Double.parseDouble(value);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("--min-accuracy must be a number, was " + value);
    }
  }
}
