package dev.infergate.modelserver.repository;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.modelserver.config.BatchPolicy;
import dev.infergate.modelserver.config.ConfigException;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TritonModelConfigTest {
  /**
   * What Triton's docs and model_analyzer write for an ONNX model, with the settings this server
   * reads.
   */
  static final String TRITON_STYLE =
      """
      name: "iris"
      platform: "onnxruntime_onnx"   # or backend: "onnxruntime"
      max_batch_size: 16
      input [ { name: "input" data_type: TYPE_FP32 dims: [ 4 ] } ]
      output [
        { name: "probabilities", data_type: TYPE_FP32, dims: [ 3 ] },
        { name: "label"; data_type: TYPE_STRING; dims: [ 1 ] }
      ]
      dynamic_batching {
        preferred_batch_size: [ 4, 8 ]
        max_queue_delay_microseconds: 100
        default_queue_policy { max_queue_size: 50 }
      }
      instance_group [ { count: 2, kind: KIND_CPU }, { count: 1 kind: KIND_GPU gpus: [ 0 ] } ]
      version_policy: { all { } }
      """;

  @Test
  void readsBatchSizeQueueDelayQueueSizeAndTheSumOfInstanceCounts() {
    TritonModelConfig config = TritonModelConfig.parse(TRITON_STYLE, "config.pbtxt", "iris");
    assertEquals(
        Map.of(
            "maxBatchSize",
            16L,
            "maxQueueDelayMicros",
            100L,
            "maxQueueSize",
            50L,
            "instanceCount",
            3L),
        config.values());
    BatchPolicy policy = config.applyTo(BatchPolicy.DEFAULT);
    assertEquals(new BatchPolicy(16, TimeUnit.MICROSECONDS.toNanos(100), 50, 3, 800), policy);
  }

  @Test
  void keepsTheDefaultsForWhatTheFileLeavesOut() {
    TritonModelConfig config =
        TritonModelConfig.parse("backend: \"onnxruntime\"\nmax_batch_size: 0\n", "c", "m");
    assertEquals(BatchPolicy.DEFAULT, config.applyTo(BatchPolicy.DEFAULT));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
      another platform     | 'name: "m"\\nplatform: "tensorrt_plan"'                | c.pbtxt:2: platform 'tensorrt_plan' cannot be served
      python backend       | 'backend: "python"'                                   | c.pbtxt:1: backend 'python' cannot be served
      an ensemble          | 'platform: "onnxruntime_onnx"\\nensemble_scheduling { step [ { model_name: "a" } ] }' | c.pbtxt:2: 'ensemble_scheduling' cannot be honoured
      sequence batching    | '\\n\\nsequence_batching { }'                            | c.pbtxt:3: 'sequence_batching' cannot be honoured
      latest versions only | 'version_policy: { latest { num_versions: 1 } }'       | c.pbtxt:1: version_policy: only 'all { }'
      priority levels      | 'dynamic_batching {\\n  priority_levels: 2\\n}'          | c.pbtxt:2: dynamic_batching.priority_levels cannot be honoured
      another model's name | 'name: "resnet"'                                      | c.pbtxt:1: name 'resnet' is not the model's directory name 'm'
      a bad number         | 'max_batch_size: -3'                                  | c.pbtxt:1: max_batch_size must be an integer in [0, 1048576], was -3
      an unclosed message  | 'dynamic_batching {\\n max_queue_delay_microseconds: 5\\n' | c.pbtxt:3: missing '}'
      a missing value      | 'max_batch_size: }'                                   | c.pbtxt:1: unexpected '}'
      """)
  void refusesWhatItCannotHonourNamingFileAndLine(String what, String text, String expected) {
    ConfigException error =
        assertThrows(
            ConfigException.class,
            () -> TritonModelConfig.parse(text.replace("\\n", "\n"), "c.pbtxt", "m"));
    assertTrue(
        error.getMessage().startsWith(expected),
        "'" + error.getMessage() + "' should start with '" + expected + "'");
  }
}
