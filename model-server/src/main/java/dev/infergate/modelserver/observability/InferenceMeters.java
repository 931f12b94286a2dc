package dev.infergate.modelserver.observability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The meters of one model version, after Triton's split: requests by outcome, time queued, time
 * computing, and rows per batch. Created once at load so the hot path only increments.
 */
public final class InferenceMeters {
  public static final String REQUESTS = "infergate_model_requests";
  public static final String QUEUE_TIME = "infergate_model_queue_seconds";
  public static final String COMPUTE_TIME = "infergate_model_compute_seconds";
  public static final String BATCH_SIZE = "infergate_model_batch_size";

  /** How a request ended; a label value of {@link #REQUESTS}. */
  public enum Outcome {
    SUCCESS, BAD_REQUEST, QUEUE_FULL, ERROR;

    String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private final Map<Outcome, Counter> requests = new EnumMap<>(Outcome.class);
  private final Timer queueTime;
  private final Timer computeTime;
  private final DistributionSummary batchSize;

  public InferenceMeters(MeterRegistry registry, String model, String version) {
    for (Outcome outcome : Outcome.values()) {
      requests.put(outcome, Counter.builder(REQUESTS)
          .description("Inference requests by model, version and outcome")
          .tags("model", model, "version", version, "outcome", outcome.label())
          .register(registry));
    }
    queueTime = Timer.builder(QUEUE_TIME)
        .description("Time a request waited in the batch queue")
        .tags("model", model, "version", version)
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1).dividedBy(100))
        .maximumExpectedValue(Duration.ofSeconds(10))
        .register(registry);
    computeTime = Timer.builder(COMPUTE_TIME)
        .description("Time ONNX Runtime spent on a batch")
        .tags("model", model, "version", version)
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1).dividedBy(100))
        .maximumExpectedValue(Duration.ofSeconds(10))
        .register(registry);
    batchSize = DistributionSummary.builder(BATCH_SIZE)
        .description("Rows per executed batch")
        .tags("model", model, "version", version)
        .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)
        .register(registry);
  }

  /** A meter set bound to no registry, for warm-up runs that must not show in the metrics. */
  public static InferenceMeters detached() {
    return new InferenceMeters(new io.micrometer.core.instrument.simple.SimpleMeterRegistry(), "-", "-");
  }

  public void count(Outcome outcome) {
    requests.get(outcome).increment();
  }

  public void recordQueueTime(long nanos) {
    queueTime.record(nanos, TimeUnit.NANOSECONDS);
  }

  public void recordCompute(long nanos, int rows) {
    computeTime.record(nanos, TimeUnit.NANOSECONDS);
    batchSize.record(rows);
  }
}
