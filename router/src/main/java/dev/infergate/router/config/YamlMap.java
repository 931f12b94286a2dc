package dev.infergate.router.config;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A YAML mapping with its field path, so that every error names {@code a.b.c} and the bad value.
 * Parsing-time only.
 */
final class YamlMap {
  private final String path;
  private final Map<String, Object> values;

  private YamlMap(String path, Map<String, Object> values) {
    this.path = path;
    this.values = values;
  }

  static YamlMap root(Object document) throws ConfigException {
    if (document == null) {
      return new YamlMap("", new LinkedHashMap<>());
    }
    return of("", document);
  }

  @SuppressWarnings("unchecked")
  private static YamlMap of(String path, Object value) throws ConfigException {
    if (!(value instanceof Map<?, ?> map)) {
      throw new ConfigException(label(path) + ": must be a mapping, was " + describe(value));
    }
    Map<String, Object> copy = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : map.entrySet()) {
      if (!(e.getKey() instanceof String key)) {
        throw new ConfigException(
            label(path) + ": keys must be strings, was " + describe(e.getKey()));
      }
      copy.put(key, e.getValue());
    }
    return new YamlMap(path, copy);
  }

  String path() {
    return path;
  }

  String field(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  Set<String> keys() {
    return values.keySet();
  }

  /** The value as parsed, null when absent. */
  Object raw(String key) {
    return values.get(key);
  }

  boolean has(String key) {
    return values.containsKey(key) && values.get(key) != null;
  }

  void rejectUnknown(Set<String> known) throws ConfigException {
    for (String key : values.keySet()) {
      if (!known.contains(key)) {
        throw new ConfigException(
            field(key) + ": unknown field (known: " + String.join(", ", known) + ")");
      }
    }
  }

  YamlMap map(String key) throws ConfigException {
    Object v = values.get(key);
    if (v == null) {
      throw new ConfigException(field(key) + ": required");
    }
    return of(field(key), v);
  }

  YamlMap mapOrEmpty(String key) throws ConfigException {
    Object v = values.get(key);
    return v == null ? new YamlMap(field(key), new LinkedHashMap<>()) : of(field(key), v);
  }

  String string(String key, String fallback) throws ConfigException {
    Object v = values.get(key);
    if (v == null) {
      if (fallback == null) {
        throw new ConfigException(field(key) + ": required");
      }
      return fallback;
    }
    // Numbers are accepted where a string is meant (modelVersion: 1 and "1" mean the same).
    if (v instanceof String || v instanceof Integer || v instanceof Long) {
      String s = v.toString().trim();
      if (s.isEmpty()) {
        throw new ConfigException(field(key) + ": must not be empty");
      }
      return s;
    }
    throw new ConfigException(field(key) + ": must be a string, was " + describe(v));
  }

  String optionalString(String key) throws ConfigException {
    return has(key) ? string(key, null) : null;
  }

  long integer(String key, long fallback, long min, long max) throws ConfigException {
    Object v = values.get(key);
    long n;
    if (v == null) {
      return fallback;
    } else if (v instanceof Integer i) {
      n = i;
    } else if (v instanceof Long l) {
      n = l;
    } else if (v instanceof String s && s.trim().matches("-?\\d{1,18}")) {
      n = Long.parseLong(s.trim());
    } else {
      throw new ConfigException(field(key) + ": must be an integer, was " + describe(v));
    }
    if (n < min || n > max) {
      throw new ConfigException(field(key) + ": must be " + range(min, max) + ", was " + n);
    }
    return n;
  }

  /** A number (integer or decimal), {@code fallback} when absent. */
  /** A finite number; the record it goes into checks the range. */
  double decimal(String key, double fallback) throws ConfigException {
    return decimal(key, fallback, -Double.MAX_VALUE, Double.MAX_VALUE);
  }

  double decimal(String key, double fallback, double min, double max) throws ConfigException {
    Object v = values.get(key);
    double n;
    if (v == null) {
      return fallback;
    } else if (v instanceof Number num && !(v instanceof java.math.BigInteger)) {
      n = num.doubleValue();
    } else if (v instanceof String s && s.trim().matches("-?\\d{1,18}(\\.\\d{1,18})?")) {
      n = Double.parseDouble(s.trim());
    } else {
      throw new ConfigException(field(key) + ": must be a number, was " + describe(v));
    }
    if (!(n >= min && n <= max)) {
      throw new ConfigException(field(key) + ": must be " + min + ".." + max + ", was " + v);
    }
    return n;
  }

  /** An integer of any size; the record it goes into checks the range. */
  long integer(String key, long fallback) throws ConfigException {
    return integer(key, fallback, Long.MIN_VALUE, Long.MAX_VALUE);
  }

  /** An integer that fits an {@code int}; the record it goes into checks the range. */
  int int32(String key, int fallback) throws ConfigException {
    long n = integer(key, fallback);
    if (n < Integer.MIN_VALUE || n > Integer.MAX_VALUE) {
      throw new ConfigException(
          field(key) + ": must be " + Integer.MIN_VALUE + ".." + Integer.MAX_VALUE + ", was " + n);
    }
    return (int) n;
  }

  long requiredInteger(String key, long min, long max) throws ConfigException {
    if (!has(key)) {
      throw new ConfigException(field(key) + ": required");
    }
    return integer(key, 0, min, max);
  }

  boolean bool(String key, boolean fallback) throws ConfigException {
    Object v = values.get(key);
    if (v == null) {
      return fallback;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    if (v instanceof String s && (s.equals("true") || s.equals("false"))) {
      return Boolean.parseBoolean(s);
    }
    throw new ConfigException(field(key) + ": must be true or false, was " + describe(v));
  }

  List<?> list(String key) throws ConfigException {
    Object v = values.get(key);
    if (v == null) {
      throw new ConfigException(field(key) + ": required");
    }
    if (!(v instanceof List<?> list)) {
      throw new ConfigException(field(key) + ": must be a list, was " + describe(v));
    }
    return list;
  }

  static String describe(Object v) {
    if (v == null) {
      return "nothing";
    }
    if (v instanceof String s) {
      return "'" + s + "'";
    }
    if (v instanceof Map<?, ?>) {
      return "a mapping";
    }
    if (v instanceof List<?>) {
      return "a list";
    }
    return v.toString();
  }

  private static String label(String path) {
    return path.isEmpty() ? "(top level)" : path;
  }

  private static String range(long min, long max) {
    if (max == Long.MAX_VALUE || max == Integer.MAX_VALUE) {
      return ">= " + min;
    }
    return min + ".." + max;
  }

  /** A list of scalars, e.g. {@code algorithms: [RS256, ES256]}; {@code fallback} when absent. */
  List<String> stringList(String key, List<String> fallback) throws ConfigException {
    Object v = values.get(key);
    if (v == null) {
      return fallback;
    }
    if (!(v instanceof List<?> items)) {
      throw new ConfigException(field(key) + ": must be a list, was " + describe(v));
    }
    List<String> result = new java.util.ArrayList<>(items.size());
    for (Object item : items) {
      if (!(item instanceof String || item instanceof Integer || item instanceof Long)) {
        throw new ConfigException(field(key) + ": must hold strings, has " + describe(item));
      }
      result.add(item.toString().trim());
    }
    return List.copyOf(result);
  }

  /**
   * A list of scalars when {@code key} holds a list, else null (the caller reads it as a single
   * value).
   */
  List<String> listOrNull(String key) throws ConfigException {
    return values.get(key) instanceof List<?> ? stringList(key, List.of()) : null;
  }
}
