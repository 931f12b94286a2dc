package dev.infergate.router.config;

/** An invalid configuration. The message names the field path and the bad value. */
public final class ConfigException extends Exception {
  public ConfigException(String message) {
    super(message);
  }

  public ConfigException(String message, Throwable cause) {
    super(message, cause);
  }
}
