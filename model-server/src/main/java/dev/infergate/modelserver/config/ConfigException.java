package dev.infergate.modelserver.config;

/**
 * A configuration value is missing, malformed or out of range; the message names the field and the
 * bad value.
 */
public final class ConfigException extends RuntimeException {
  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
