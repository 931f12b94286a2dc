package dev.infergate.modelserver.protocol;

import java.util.Arrays;

/**
 * A growable list of parsed JSON values: numbers (booleans as 1 and 0), remembering whether all are
 * whole numbers, or strings (for BYTES tensors). A list holds one kind: what else was found is kept
 * in {@link #nonNumber()} for the error message.
 */
final class NumberList {
  private double[] values = new double[16];
  private int size;
  private boolean allIntegral = true;
  private String nonNumber;
  private String[] strings;
  private int stringCount;
  private int booleans;

  /**
   * Exact values of integers beyond 2^53 (which a double rounds), by index; null until one comes.
   */
  private long[] exactLongs;

  private boolean[] hasExact;

  /** A JSON integer that may not fit a double exactly (INT64 ids, hashes). */
  void addLong(long value) {
    int index = size;
    add(value);
    if (value > (1L << 53) || value < -(1L << 53)) {
      if (exactLongs == null || exactLongs.length < values.length) {
        exactLongs =
            exactLongs == null ? new long[values.length] : Arrays.copyOf(exactLongs, values.length);
        hasExact =
            hasExact == null ? new boolean[values.length] : Arrays.copyOf(hasExact, values.length);
      }
      exactLongs[index] = value;
      hasExact[index] = true;
    }
  }

  /** Value {@code index} as a long: exact when it was sent as an integer beyond 2^53. */
  long getLong(int index) {
    return hasExact != null && index < hasExact.length && hasExact[index]
        ? exactLongs[index]
        : (long) values[index];
  }

  boolean isExactLong(int index) {
    return hasExact != null && index < hasExact.length && hasExact[index];
  }

  void addString(String value) {
    if (strings == null) {
      strings = new String[16];
    } else if (stringCount == strings.length) {
      strings = Arrays.copyOf(strings, stringCount * 2);
    }
    strings[stringCount++] = value;
  }

  void addBoolean(boolean value) {
    add(value ? 1 : 0);
    booleans++;
  }

  int stringCount() {
    return stringCount;
  }

  String string(int index) {
    return strings[index];
  }

  /** True when some value is a JSON boolean. */
  boolean hasBooleans() {
    return booleans > 0;
  }

  /** All values: numbers, booleans and strings. */
  int count() {
    return size + stringCount;
  }

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
