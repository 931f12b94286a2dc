package dev.infergate.modelserver.training;

/**
 * The tool trained a model it will not export (too inaccurate, or inconsistent with its sibling).
 */
final class TrainingRefusedException extends Exception {

  TrainingRefusedException(String message) {
    super(message);
  }
}
