package dev.infergate.modelserver.protocol;

import java.util.Arrays;

/** A growable list of parsed JSON numbers, remembering whether all are whole numbers. */
final class NumberList {
  private double[] values = new double[16];
  private int size;
  private boolean allIntegral = true;
  private String nonNumber;

  void add(double value) {
    if (size == values.length) {
      values = Arrays.copyOf(values, size * 2);
    }
    values[size++] = value;
    allIntegral &= value == Math.rint(value);
  }

  void markNonNumber(String problem) {
    if (nonNumber == null) {
      nonNumber = problem;
    }
  }

  /** What was wrong with the first value that was not a number, or null if all were numbers. */
  String nonNumber() {
    return nonNumber;
  }

  int size() {
    return size;
  }

  double get(int index) {
    return values[index];
  }

  boolean allIntegral() {
    return allIntegral;
  }

  /** The first value that is not a whole number, for error messages. */
  double firstFraction() {
    for (int i = 0; i < size; i++) {
      if (values[i] != Math.rint(values[i])) {
        return values[i];
      }
    }
    return Double.NaN;
  }
}
