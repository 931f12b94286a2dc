package dev.infergate.modelserver.config;

import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * A YAML mapping with its path in the document, so that every validation message names the field
 * ({@code batching.maxBatchSize: must be 1..4096, was 0}). Unknown keys are refused: a typo must
 * not silently fall back to a default.
 */
public final class ConfigNode {
  private final String path;
  private final Map<String, Object> values;

  private ConfigNode(String path, Map<String, Object> values) {
    this.path = path;
    this.values = values;
  }

  public static ConfigNode empty(String path) {
    return new ConfigNode(path, Map.of());
  }

  /** Reads a YAML file whose top level is a mapping; an empty file is an empty mapping. */
  public static ConfigNode load(Path file) {
    try (Reader reader = Files.newBufferedReader(file)) {
      // As the router's reader: a repeated key is an error, not a silent override of the first.
      LoaderOptions options = new LoaderOptions();
      options.setAllowDuplicateKeys(false);
      Object root = new Yaml(new SafeConstructor(options)).load(reader);
      if (root == null) {
        return new ConfigNode("", Map.of());
      }
      if (!(root instanceof Map)) {
        throw new ConfigException(file + ": the top level must be a mapping");
      }
      return new ConfigNode("", asStringMap("", root));
    } catch (IOException e) {
      throw new ConfigException("cannot read " + file + ": " + e.getMessage(), e);
    } catch (org.yaml.snakeyaml.error.YAMLException e) {
      throw new ConfigException(file + ": not valid YAML: " + e.getMessage().replace('\n', ' '), e);
    }
  }

  public void rejectUnknownKeys(Set<String> known) {
    for (String key : values.keySet()) {
      if (!known.contains(key)) {
        throw new ConfigException(
            qualify(key) + ": unknown field (known: " + String.join(", ", known) + ")");
      }
    }
  }

  public ConfigNode child(String key) {
    Object value = values.get(key);
    if (value == null) {
      return new ConfigNode(qualify(key), Map.of());
    }
    return new ConfigNode(qualify(key), asStringMap(qualify(key), value));
  }

  public int intValue(String key, int defaultValue, int min, int max) {
    Object value = values.get(key);
    if (value == null) {
      return defaultValue;
    }
    if (!(value instanceof Integer number)) {
      throw new ConfigException(qualify(key) + ": must be an integer, was " + value);
    }
    if (number < min || number > max) {
      throw new ConfigException(qualify(key) + ": must be " + min + ".." + max + ", was " + number);
    }
    return number;
  }

  public long longValue(String key, long defaultValue, long min, long max) {
    Object value = values.get(key);
    if (value == null) {
      return defaultValue;
    }
    if (!(value instanceof Integer || value instanceof Long)) {
      throw new ConfigException(qualify(key) + ": must be an integer, was " + value);
    }
    long number = ((Number) value).longValue();
    if (number < min || number > max) {
      throw new ConfigException(qualify(key) + ": must be " + min + ".." + max + ", was " + number);
    }
    return number;
  }

  /** Whether the key is set (to anything but null). */
  public boolean has(String key) {
    return values.get(key) != null;
  }

  public boolean booleanValue(String key, boolean defaultValue) {
    Object value = values.get(key);
    if (value == null) {
      return defaultValue;
    }
    if (!(value instanceof Boolean flag)) {
      throw new ConfigException(qualify(key) + ": must be true or false, was " + value);
    }
    return flag;
  }

  public String stringValue(String key, String defaultValue) {
    Object value = values.get(key);
    if (value == null) {
      return defaultValue;
    }
    if (value instanceof Map || value instanceof List) {
      throw new ConfigException(qualify(key) + ": must be a scalar, was " + value);
    }
    return value.toString();
  }

  public List<String> stringList(String key) {
    Object value = values.get(key);
    if (value == null) {
      return List.of();
    }
    if (!(value instanceof List<?> list)) {
      throw new ConfigException(qualify(key) + ": must be a list, was " + value);
    }
    List<String> result = new ArrayList<>(list.size());
    for (Object item : list) {
      if (item == null || item instanceof Map || item instanceof List) {
        throw new ConfigException(qualify(key) + ": must be a list of strings, has " + item);
      }
      result.add(item.toString());
    }
    return List.copyOf(result);
  }

  public String qualify(String key) {
    return path.isEmpty() ? key : path + "." + key;
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> asStringMap(String path, Object value) {
    if (!(value instanceof Map<?, ?> map)) {
      throw new ConfigException(
          (path.isEmpty() ? "document" : path) + ": must be a mapping, was " + value);
    }
    for (Object key : map.keySet()) {
      if (!(key instanceof String)) {
        throw new ConfigException(path + ": keys must be strings, found " + key);
      }
    }
    return (Map<String, Object>) map;
  }
}
