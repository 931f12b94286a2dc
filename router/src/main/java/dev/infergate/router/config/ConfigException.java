package dev.infergate.router.config;

import java.util.function.Supplier;

/**
 * An invalid configuration value. The message is {@code <field path>: <problem, with the bad
 * value>}, e.g. {@code services.iris.tracks.canary.weight: must be 0..100, was 120}.
 *
 * <p>How a record learns its path: it does not. A record validates itself in its constructor and
 * names the field relative to itself ({@link #of}{@code ("weight", "must be 0..100, was 120")});
 * whoever builds it at a place in a document wraps the construction in {@link #at}{@code
 * ("services.iris.tracks.canary", () -> new TrackConfig(...))}, which puts the place in front. The
 * same record then reports {@code services.iris.tracks.canary.weight} from the config file, {@code
 * services.iris.override.weights.canary} from the state file, and {@code canary} to an admin
 * request.
 *
 * <p>Unchecked, because a record's canonical constructor cannot declare a checked exception.
 */
public final class ConfigException extends RuntimeException {
  /**
   * Path of the bad field relative to where it was found, "" for the value itself; null when the
   * message is whole.
   */
  private final String field;

  private final String problem;

  /** A message that already names the whole field path. */
  public ConfigException(String message) {
    this(null, message, null);
  }

  public ConfigException(String message, Throwable cause) {
    this(null, message, cause);
  }

  private ConfigException(String field, String problem, Throwable cause) {
    super(field == null || field.isEmpty() ? problem : field + ": " + problem, cause);
    this.field = field;
    this.problem = problem;
  }

  /**
   * {@code field} (relative to the value being built, "" for the value itself) is invalid: {@code
   * problem}.
   */
  public static ConfigException of(String field, String problem) {
    return new ConfigException(field, problem, null);
  }

  /**
   * Builds a value found at {@code path}; a {@link ConfigException} from it is reported at that
   * path.
   */
  public static <T> T at(String path, Supplier<T> build) {
    try {
      return build.get();
    } catch (ConfigException e) {
      throw e.under(path);
    }
  }

  /** This error as seen from {@code parent}, the path of the value that holds the field. */
  public ConfigException under(String parent) {
    if (field == null || parent.isEmpty()) {
      return this;
    }
    String joined =
        field.isEmpty() ? parent : field.startsWith("[") ? parent + field : parent + "." + field;
    return new ConfigException(joined, problem, getCause());
  }

  /** The problem without the field path ({@code must be 0..100, was 120}). */
  public String problem() {
    return problem;
  }
}
