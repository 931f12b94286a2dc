package dev.infergate.router.config;

import java.util.regex.Pattern;

/**
 * The rule for names (services, models, tracks, versions): they end up in URLs, metric tags and
 * paths.
 */
final class Names {
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

  private Names() {}

  static void check(String field, String name) {
    if (name == null || !NAME.matcher(name).matches()) {
      throw ConfigException.of(
          field, "must be letters, digits, '.', '_' or '-' (at most 64), was '" + name + "'");
    }
  }

  static void checkVersion(String field, String version) {
    if (version != null && !NAME.matcher(version).matches()) {
      throw ConfigException.of(field, "must be a plain version name, was '" + version + "'");
    }
  }

  /**
   * {@code min <= value <= max}, else "must be min..max, was value" (or ">= min" when max is
   * unbounded).
   */
  static void checkRange(String field, long value, long min, long max) {
    if (value < min || value > max) {
      String range =
          max == Long.MAX_VALUE || max == Integer.MAX_VALUE ? ">= " + min : min + ".." + max;
      throw ConfigException.of(field, "must be " + range + ", was " + value);
    }
  }
}
