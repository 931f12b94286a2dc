package dev.infergate.modelserver.repository;

import dev.infergate.modelserver.config.BatchPolicy;
import dev.infergate.modelserver.config.ConfigException;
import dev.infergate.modelserver.config.ConfigNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Logger;

/**
 * A model's {@code config.yaml} (over a Triton {@code config.pbtxt}'s batching, when there is one):
 * batching, the names of the input's columns (for V1 object instances) and the class labels in the
 * order of the probability output's columns.
 */
public record ModelConfig(BatchPolicy batching, List<String> features, List<String> labels) {
  public static final String FILE_NAME = "config.yaml";
  private static final Logger LOG = Logger.getLogger(ModelConfig.class.getName());
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

  /**
   * Reads {@code modelDir/config.yaml} if there is one, over the batching of a Triton {@code
   * modelDir/config.pbtxt} if there is one ({@link TritonModelConfig}), over {@code defaults}:
   * where both files set a value, config.yaml wins (with a log line).
   */
  public static ModelConfig load(Path modelDir, BatchPolicy defaults) {
    Optional<TritonModelConfig> triton = TritonModelConfig.read(modelDir);
    BatchPolicy base = defaults;
    if (triton.isPresent()) {
      try {
        base = triton.get().applyTo(defaults);
      } catch (ConfigException e) {
        throw new ConfigException(
            modelDir.resolve(TritonModelConfig.FILE_NAME) + ": " + e.getMessage(), e);
      }
    }
    Path file = modelDir.resolve(FILE_NAME);
    if (!Files.isRegularFile(file)) {
      return new ModelConfig(base, List.of(), List.of());
    }
    try {
      ConfigNode node = ConfigNode.load(file);
      node.rejectUnknownKeys(KEYS);
      triton.ifPresent(
          t ->
              t.values().keySet().stream()
                  .filter(node::has)
                  .forEach(
                      key ->
                          LOG.info(
                              file
                                  + ": "
                                  + key
                                  + " wins over the value "
                                  + t.values().get(key)
                                  + " that "
                                  + TritonModelConfig.FILE_NAME
                                  + " sets")));
      return new ModelConfig(
          BatchPolicy.from(node, base), node.stringList("features"), node.stringList("labels"));
    } catch (ConfigException e) {
      throw new ConfigException(file + ": " + e.getMessage(), e);
    }
  }

  private static void requireUnique(List<String> values, String field) {
    if (new HashSet<>(values).size() != values.size()) {
      throw new ConfigException(field + ": must not repeat a name, was " + values);
    }
  }
}
