package dev.infergate.modelserver.runtime;

/**
 * A model version could not be loaded: bad file, unsupported tensor types, or the device is
 * missing.
 */
public final class ModelLoadException extends Exception {
  public ModelLoadException(String message) {
    super(message);
  }

  public ModelLoadException(String message, Throwable cause) {
    super(message, cause);
  }
}
