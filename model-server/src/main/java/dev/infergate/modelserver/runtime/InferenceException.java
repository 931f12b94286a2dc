package dev.infergate.modelserver.runtime;

/** Inference itself failed (not the request): the server answers 500 and keeps serving. */
public final class InferenceException extends RuntimeException {
  public InferenceException(String message) {
    super(message);
  }

  public InferenceException(String message, Throwable cause) {
    super(message, cause);
  }
}
