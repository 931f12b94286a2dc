package dev.infergate.modelserver.repository;

import dev.infergate.modelserver.config.BatchPolicy;
import dev.infergate.modelserver.config.ConfigException;
import dev.infergate.modelserver.repository.TextProto.Field;
import dev.infergate.modelserver.repository.TextProto.Message;
import dev.infergate.modelserver.repository.TextProto.Scalar;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * The batching settings of a Triton {@code <model>/config.pbtxt}, for models brought from Triton:
 * {@code max_batch_size}, {@code dynamic_batching { max_queue_delay_microseconds,
 * default_queue_policy { max_queue_size } }} and the sum of {@code instance_group [{ count }]}.
 * Settings that change nothing here ({@code input}/{@code output}, which the ONNX file already
 * declares; {@code preferred_batch_size}; an instance group's {@code kind}) are ignored with a log
 * line. What this server cannot honour (another platform or backend, {@code ensemble_scheduling},
 * {@code sequence_batching}, a version policy other than {@code all}, any field it does not know)
 * is refused, naming the file and line: the model is then UNAVAILABLE with that reason. The model's
 * {@code config.yaml} wins where both set a value.
 *
 * @param values the settings found, by {@code config.yaml} key ({@link BatchPolicy#KEYS})
 */
record TritonModelConfig(Map<String, Long> values) {
  static final String FILE_NAME = "config.pbtxt";
  private static final Logger LOG = Logger.getLogger(TritonModelConfig.class.getName());
  private static final Set<String> IGNORED =
      Set.of("input", "output", "model_warmup", "metric_tags");

  /** Reads {@code modelDir/config.pbtxt} if there is one. */
  static Optional<TritonModelConfig> read(Path modelDir) {
    Path file = modelDir.resolve(FILE_NAME);
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new ConfigException(file + ": cannot read: " + e.getMessage(), e);
    }
    return Optional.of(parse(text, file.toString(), modelDir.getFileName().toString()));
  }

  static TritonModelConfig parse(String text, String file, String modelName) {
    Message root = TextProto.parse(text, file);
    Map<String, Long> values = new LinkedHashMap<>();
    long instances = 0;
    for (Field field : root.fields()) {
      String where = file + ":" + field.line() + ": ";
      switch (field.name()) {
        case "name" -> {
          if (!scalar(field, where).equals(modelName)) {
            throw new ConfigException(
                where
                    + "name '"
                    + scalar(field, where)
                    + "' is not the model's directory name '"
                    + modelName
                    + "'");
          }
        }
        case "platform" ->
            require(
                field,
                where,
                "onnxruntime_onnx",
                "this server runs ONNX models with ONNX Runtime only (platform onnxruntime_onnx)");
        case "backend" ->
            require(
                field,
                where,
                "onnxruntime",
                "this server runs ONNX models with ONNX Runtime only (backend onnxruntime)");
        case "default_model_filename" ->
            require(
                field,
                where,
                ModelLoader.MODEL_FILE,
                "each version's model must be " + ModelLoader.MODEL_FILE);
        case "max_batch_size" -> {
          long size = number(field, where, 0, 1 << 20);
          if (size == 0) {
            LOG.info(
                where
                    + "max_batch_size 0 (no batching in Triton) is ignored: this server batches along the"
                    + " first dimension when every input and output has one; set maxBatchSize in config.yaml to change it");
          } else {
            values.put("maxBatchSize", size);
          }
        }
        case "dynamic_batching" -> dynamicBatching(message(field, where), file, values);
        case "instance_group" -> instances += instanceGroup(message(field, where), file);
        case "version_policy" -> {
          Message policy = message(field, where);
          if (policy.fields().size() != 1 || !policy.fields().get(0).name().equals("all")) {
            throw new ConfigException(
                where
                    + "version_policy: only 'all { }' can be honoured; this server serves"
                    + " every version directory of a model");
          }
        }
        default -> {
          if (IGNORED.contains(field.name())) {
            LOG.fine(
                () ->
                    where
                        + field.name()
                        + " is ignored: the ONNX model declares its own signature");
          } else {
            throw new ConfigException(
                where
                    + "'"
                    + field.name()
                    + "' cannot be honoured by this server, which reads"
                    + " max_batch_size, dynamic_batching and instance_group from "
                    + FILE_NAME
                    + "; remove it, or set batching in config.yaml");
          }
        }
      }
    }
    if (instances > 0) {
      values.put("instanceCount", instances);
    }
    return new TritonModelConfig(Map.copyOf(values));
  }

  /** {@code base} with the settings of this file on top. */
  BatchPolicy applyTo(BatchPolicy base) {
    int maxBatchSize = (int) (long) values.getOrDefault("maxBatchSize", (long) base.maxBatchSize());
    int maxQueueSize = (int) (long) values.getOrDefault("maxQueueSize", (long) base.maxQueueSize());
    boolean derived =
        base.maxRequestRows()
            == BatchPolicy.defaultMaxRequestRows(base.maxBatchSize(), base.maxQueueSize());
    return new BatchPolicy(
        maxBatchSize,
        values.containsKey("maxQueueDelayMicros")
            ? TimeUnit.MICROSECONDS.toNanos(values.get("maxQueueDelayMicros"))
            : base.maxQueueDelayNanos(),
        maxQueueSize,
        (int) (long) values.getOrDefault("instanceCount", (long) base.instanceCount()),
        derived
            ? BatchPolicy.defaultMaxRequestRows(maxBatchSize, maxQueueSize)
            : base.maxRequestRows());
  }

  private static void dynamicBatching(Message batching, String file, Map<String, Long> values) {
    for (Field field : batching.fields()) {
      String where = file + ":" + field.line() + ": dynamic_batching.";
      switch (field.name()) {
        case "max_queue_delay_microseconds" ->
            values.put("maxQueueDelayMicros", number(field, where, 0, 10_000_000));
        case "preferred_batch_size" ->
            LOG.info(
                where
                    + "preferred_batch_size is ignored: batches run when full ("
                    + "max_batch_size) or when the oldest request has waited max_queue_delay_microseconds");
        case "preserve_ordering" -> {} // answers never depend on the order batches finish in
        case "default_queue_policy" -> {
          for (Field policy : message(field, where).fields()) {
            String at = file + ":" + policy.line() + ": dynamic_batching.default_queue_policy.";
            if (!policy.name().equals("max_queue_size")) {
              throw new ConfigException(
                  at + policy.name() + " cannot be honoured; only max_queue_size is read");
            }
            long size = number(policy, at, 0, 1 << 20);
            if (size > 0) {
              values.put("maxQueueSize", size);
            }
          }
        }
        default ->
            throw new ConfigException(
                where
                    + field.name()
                    + " cannot be honoured; this server reads"
                    + " max_queue_delay_microseconds and default_queue_policy.max_queue_size");
      }
    }
  }

  private static long instanceGroup(Message group, String file) {
    long count = 1;
    for (Field field : group.fields()) {
      String where = file + ":" + field.line() + ": instance_group.";
      switch (field.name()) {
        case "count" -> count = number(field, where, 1, 256);
        case "kind", "gpus", "name" ->
            LOG.info(
                where
                    + field.name()
                    + " is ignored: every instance runs on the"
                    + " server's device (--device)");
        default ->
            throw new ConfigException(
                where + field.name() + " cannot be honoured; only count is read");
      }
    }
    return count;
  }

  private static void require(Field field, String where, String expected, String why) {
    String value = scalar(field, where);
    if (!value.equals(expected)) {
      throw new ConfigException(where + field.name() + " '" + value + "' cannot be served: " + why);
    }
  }

  private static String scalar(Field field, String where) {
    if (!(field.value() instanceof Scalar scalar)) {
      throw new ConfigException(where + field.name() + " must be a value, not a message");
    }
    return scalar.text();
  }

  private static long number(Field field, String where, long min, long max) {
    String text = scalar(field, where);
    try {
      long value = Long.parseLong(text);
      if (value >= min && value <= max) {
        return value;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new ConfigException(
        where + field.name() + " must be an integer in [" + min + ", " + max + "], was " + text);
  }

  private static Message message(Field field, String where) {
    if (!(field.value() instanceof Message message)) {
      throw new ConfigException(where + field.name() + " must be a message { ... }");
    }
    return message;
  }
}
