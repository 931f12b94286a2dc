package dev.infergate.modelserver.training;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.tribuo.Example;
import org.tribuo.classification.Label;
import org.tribuo.impl.ArrayExample;

/**
 * Reads the Iris CSV: a header {@code sepal_length,sepal_width,petal_length,petal_width,<label
 * column>} and one row per flower, the label string last. Blank lines are skipped, CRLF is
 * accepted.
 */
final class IrisCsv {

  private IrisCsv() {}

  /**
   * @return one example per row, in file order, features named by {@link IrisFeatures#tribuoName}
   * @throws IllegalArgumentException naming the file and line of a malformed row or header
   */
  static List<Example<Label>> read(Path file) throws IOException {
    List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
    if (lines.isEmpty()) {
      throw new IllegalArgumentException(file + ": empty, expected a header line");
    }
    checkHeader(file, lines.get(0));
    String[] featureNames = new String[IrisFeatures.count()];
    for (int column = 0; column < featureNames.length; column++) {
      featureNames[column] = IrisFeatures.tribuoName(column);
    }
    List<Example<Label>> examples = new ArrayList<>();
    for (int i = 1; i < lines.size(); i++) {
      String line = lines.get(i).strip();
      if (!line.isEmpty()) {
        examples.add(parseRow(file, i + 1, line, featureNames));
      }
    }
    if (examples.isEmpty()) {
      throw new IllegalArgumentException(file + ": no data rows");
    }
    return examples;
  }

  private static void checkHeader(Path file, String header) {
    List<String> columns = Arrays.stream(header.strip().split(",", -1)).map(String::strip).toList();
    int expected = IrisFeatures.count() + 1;
    if (columns.size() != expected
        || !columns.subList(0, IrisFeatures.count()).equals(IrisFeatures.NATURAL_ORDER)) {
      throw new IllegalArgumentException(
          file
              + " line 1: header must be "
              + String.join(",", IrisFeatures.NATURAL_ORDER)
              + ",<label>, was "
              + header.strip());
    }
  }

  private static Example<Label> parseRow(
      Path file, int lineNumber, String line, String[] featureNames) {
    String[] cells = line.split(",", -1);
    if (cells.length != featureNames.length + 1) {
      throw new IllegalArgumentException(
          file
              + " line "
              + lineNumber
              + ": expected "
              + (featureNames.length + 1)
              + " columns, got "
              + cells.length);
    }
    double[] values = new double[featureNames.length];
    for (int column = 0; column < values.length; column++) {
      try {
        values[column] = Double.parseDouble(cells[column].strip());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            file
                + " line "
                + lineNumber
                + ": "
                + IrisFeatures.NATURAL_ORDER.get(column)
                + " is not a number: "
                + cells[column].strip());
      }
    }
    String label = cells[featureNames.length].strip();
    if (label.isEmpty()) {
      throw new IllegalArgumentException(file + " line " + lineNumber + ": empty label");
    }
    return new ArrayExample<>(new Label(label), featureNames, values);
  }
}
