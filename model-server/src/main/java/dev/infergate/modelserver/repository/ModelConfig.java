package dev.infergate.modelserver.repository;

import dev.infergate.modelserver.batching.BatchPolicy;
import dev.infergate.modelserver.config.ConfigException;
import dev.infergate.modelserver.config.ConfigNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A model's {@code config.yaml}: batching, the names of the input's columns (for V1 object instances)
 * and the class labels in the order of the probability output's columns.
 */
public record ModelConfig(BatchPolicy batching, List<String> features, List<String> labels) {
  public static final String FILE_NAME = "config.yaml";
  private static final Set<String> KEYS;

  static {
    Set<String> keys = new HashSet<>(BatchPolicy.KEYS);
    keys.add("features");
    keys.add("labels");
    KEYS = Set.copyOf(keys);
  }

  public ModelConfig {
    features = List.copyOf(features);
    labels = List.copyOf(labels);
    requireUnique(features, "features");
    requireUnique(labels, "labels");
  }

  /** Reads {@code modelDir/config.yaml} if there is one; missing keys come from {@code defaults}. */
  public static ModelConfig load(Path modelDir, BatchPolicy defaults) {
    Path file = modelDir.resolve(FILE_NAME);
    if (!Files.isRegularFile(file)) {
      return new ModelConfig(defaults, List.of(), List.of());
    }
    try {
      ConfigNode node = ConfigNode.load(file);
      node.rejectUnknownKeys(KEYS);
      return new ModelConfig(BatchPolicy.from(node, defaults), node.stringList("features"), node.stringList("labels"));
    } catch (ConfigException e) {
      throw new ConfigException(file + ": " + e.getMessage(), e);
    }
  }

  private static void requireUnique(List<String> values, String field) {
    if (new HashSet<>(values).size() != values.size()) {
      throw new ConfigException(field + " must not repeat a name, was " + values);
    }
  }
}
