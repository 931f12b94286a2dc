package dev.infergate.modelserver.training;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Trains the bundled Iris classifier and exports it as {@code iris/1} and {@code iris/2} into a
 * model repository.
 *
 * <p>Run from the repository root after {@code mvn -B -q -DskipTests package -pl tools -am}:
 *
 * <pre>
 * java -cp tools/target/tools.jar dev.infergate.modelserver.training.TrainIris \
 *     [--data tools/data/iris.csv] [--out config/models] [--min-accuracy 0.9]
 * </pre>
 *
 * Exit status: 0 exported; 1 refused (a version below the minimum held-out accuracy, or versions
 * that disagree on the label order), nothing written; 2 bad arguments, unreadable data or
 * unwritable output. The output is byte-for-byte the same on every run.
 */
public final class TrainIris {

  static final int EXIT_OK = 0;
  static final int EXIT_REFUSED = 1;
  static final int EXIT_USAGE = 2;

  // Held in a field: java.util.logging keeps loggers weakly, and a collected one would forget its
  // level.
  private static final Logger TRIBUO_LOGGER = Logger.getLogger("org.tribuo");

  private TrainIris() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  /** The whole tool without {@link System#exit}, so tests can check the status. */
  static int run(String[] args, PrintStream out, PrintStream err) {
    // Tribuo logs every training run at INFO through java.util.logging; the tool prints its own
    // summary.
    TRIBUO_LOGGER.setLevel(Level.WARNING);
    if (args.length == 1 && (args[0].equals("--help") || args[0].equals("-h"))) {
      out.print(TrainingOptions.USAGE);
      return EXIT_OK;
    }
    TrainingOptions options;
    try {
      options = TrainingOptions.parse(args);
    } catch (IllegalArgumentException e) {
      err.println("TrainIris: " + e.getMessage());
      err.print(TrainingOptions.USAGE);
      return EXIT_USAGE;
    }
    try {
      report(IrisTraining.run(options), out);
      return EXIT_OK;
    } catch (TrainingRefusedException e) {
      err.println("TrainIris: " + e.getMessage());
      return EXIT_REFUSED;
    } catch (NoSuchFileException e) {
      err.println("TrainIris: no such file: " + e.getFile());
      return EXIT_USAGE;
    } catch (IOException | IllegalArgumentException e) {
      err.println("TrainIris: " + e.getMessage());
      return EXIT_USAGE;
    }
  }

  private static void report(IrisTraining.Result result, PrintStream out) {
    for (TrainedVersion trained : result.versions()) {
      out.printf(
          Locale.ROOT,
          "iris version %d: held-out accuracy %.4f  (%s)%n",
          trained.version(),
          trained.accuracy(),
          trained.recipe().description());
    }
    out.println("labels (output column order): " + result.labels());
    for (Path file : result.files()) {
      out.println("wrote " + file);
    }
  }
}
