package dev.infergate.modelserver.http;

import dev.infergate.modelserver.config.BatchPolicy;
import dev.infergate.modelserver.observability.InferenceMeters.BatchStat;
import dev.infergate.modelserver.observability.InferenceMeters.DurationStat;
import dev.infergate.modelserver.observability.InferenceMeters.Statistics;
import dev.infergate.modelserver.repository.ModelVersion;
import dev.infergate.modelserver.runtime.Datatype;
import dev.infergate.modelserver.runtime.TensorSpec;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Triton's JSON for two of its extensions, from what a loaded version already knows: the model
 * configuration ({@code model_config.proto}'s ModelConfig, as Triton prints it: snake_case fields,
 * enum names, numbers as numbers) and the statistics ({@code $model_stat} of
 * extension_statistics.md). perf_analyzer and model_analyzer read both.
 */
final class TritonJson {
  static final String PLATFORM = "onnxruntime_onnx";
  static final String BACKEND = "onnxruntime";
  private static final String MODEL_FILE = "model.onnx";

  private TritonJson() {}

  /**
   * A version's configuration. {@code max_batch_size} is the batcher's limit for a model whose
   * every input and output has a variable first dimension, else 0 (Triton's "does not batch"); with
   * batching, {@code dims} leave out that first dimension, as in Triton, and a per-row scalar (the
   * label output) is {@code dims: [1]} with an empty reshape, as Triton writes one.
   */
  static JsonObject config(ModelVersion version) {
    BatchPolicy policy = version.config().batching();
    boolean batching = version.supportsBatching();
    JsonObject config =
        new JsonObject()
            .put("name", version.name())
            .put("platform", PLATFORM)
            .put("backend", BACKEND)
            .put("version_policy", new JsonObject().put("all", new JsonObject()))
            .put("max_batch_size", batching ? version.maxBatchSize() : 0)
            .put("input", tensors(version.inputs(), batching, true))
            .put("output", tensors(version.outputs(), batching, false))
            .put("batch_input", new JsonArray())
            .put("batch_output", new JsonArray());
    if (batching) {
      config.put(
          "dynamic_batching",
          new JsonObject()
              .put("preferred_batch_size", new JsonArray())
              .put(
                  "max_queue_delay_microseconds",
                  TimeUnit.NANOSECONDS.toMicros(policy.maxQueueDelayNanos()))
              .put("preserve_ordering", false)
              .put("priority_levels", 0)
              .put("default_priority_level", 0)
              .put(
                  "default_queue_policy",
                  new JsonObject()
                      .put("timeout_action", "REJECT")
                      .put("default_timeout_microseconds", 0)
                      .put("allow_timeout_override", false)
                      .put("max_queue_size", policy.maxQueueSize())));
    }
    String provider = version.executionProvider();
    boolean gpu = provider.startsWith("CUDA");
    JsonArray gpus = new JsonArray();
    if (gpu && provider.indexOf(':') > 0) {
      gpus.add(Integer.parseInt(provider.substring(provider.indexOf(':') + 1)));
    }
    return config
        .put(
            "instance_group",
            new JsonArray()
                .add(
                    new JsonObject()
                        .put("name", version.name())
                        .put("kind", gpu ? "KIND_GPU" : "KIND_CPU")
                        .put("count", policy.instanceCount())
                        .put("gpus", gpus)
                        .put("secondary_devices", new JsonArray())
                        .put("profile", new JsonArray())
                        .put("passive", false)
                        .put("host_policy", "")))
        .put("default_model_filename", MODEL_FILE);
  }

  private static JsonArray tensors(List<TensorSpec> specs, boolean batching, boolean inputs) {
    JsonArray all = new JsonArray();
    for (TensorSpec spec : specs) {
      long[] shape = spec.shape();
      long[] dims =
          batching && shape.length > 0 ? Arrays.copyOfRange(shape, 1, shape.length) : shape;
      JsonObject tensor =
          new JsonObject().put("name", spec.name()).put("data_type", dataType(spec.datatype()));
      if (inputs) {
        tensor.put("format", "FORMAT_NONE");
      }
      if (dims.length == 0) {
        tensor
            .put("dims", new JsonArray().add(1))
            .put("reshape", new JsonObject().put("shape", new JsonArray()));
      } else {
        tensor.put("dims", longs(dims));
      }
      tensor.put("is_shape_tensor", false);
      if (inputs) {
        tensor.put("allow_ragged_batch", false).put("optional", false);
      } else {
        tensor.put("label_filename", "");
      }
      all.add(tensor);
    }
    return all;
  }

  /**
   * Triton's {@code TYPE_*} name for a KServe V2 datatype: the same name with the prefix, except
   * BYTES, which Triton calls TYPE_STRING. By name, so datatypes added later map without a change
   * here.
   */
  static String dataType(Datatype datatype) {
    return datatype.name().equals("BYTES") ? "TYPE_STRING" : "TYPE_" + datatype.name();
  }

  /** One {@code $model_stat}. */
  static JsonObject stats(ModelVersion version) {
    Statistics s = version.meters().statistics();
    DurationStat none = new DurationStat(0, 0);
    DurationStat untimed = new DurationStat(s.computeInfer().count(), 0);
    JsonArray batches = new JsonArray();
    for (BatchStat batch : s.batches()) {
      DurationStat untimedBatch = new DurationStat(batch.computeInfer().count(), 0);
      batches.add(
          new JsonObject()
              .put("batch_size", batch.batchSize())
              .put("compute_input", duration(untimedBatch))
              .put("compute_infer", duration(batch.computeInfer()))
              .put("compute_output", duration(untimedBatch)));
    }
    return new JsonObject()
        .put("name", version.name())
        .put("version", version.version())
        .put("last_inference", s.lastInferenceMillis())
        .put("inference_count", s.inferenceCount())
        .put("execution_count", s.executionCount())
        .put(
            "inference_stats",
            new JsonObject()
                .put("success", duration(s.success()))
                .put("fail", duration(s.fail()))
                .put("queue", duration(s.queue()))
                .put("compute_input", duration(untimed))
                .put("compute_infer", duration(s.computeInfer()))
                .put("compute_output", duration(untimed))
                .put("cache_hit", duration(none))
                .put("cache_miss", duration(none)))
        .put("response_stats", new JsonObject())
        .put("batch_stats", batches)
        .put("memory_usage", new JsonArray());
  }

  private static JsonObject duration(DurationStat stat) {
    return new JsonObject().put("count", stat.count()).put("ns", stat.ns());
  }

  private static JsonArray longs(long[] values) {
    JsonArray array = new JsonArray();
    for (long value : values) {
      array.add(value);
    }
    return array;
  }
}
