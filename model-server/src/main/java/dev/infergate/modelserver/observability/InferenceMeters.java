package dev.infergate.modelserver.observability;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntSupplier;

/**
 * The meters of one model version, after Triton's split: requests by outcome, time queued, time
 * computing, and rows per batch. Created once at load so the hot path only increments. The same
 * numbers, plus request durations by outcome and executions per batch size (a few adders), make the
 * Triton statistics of {@code GET /v2/models/{m}/stats} ({@link #statistics()}).
 */
public final class InferenceMeters {
  public static final String REQUESTS = "infergate_model_requests";
  public static final String QUEUE_TIME = "infergate_model_queue_seconds";
  public static final String COMPUTE_TIME = "infergate_model_compute_seconds";
  public static final String BATCH_SIZE = "infergate_model_batch_size";

  /** Gauge: requests (or parts of a split request) waiting in the batch queue now. */
  public static final String QUEUE_DEPTH = "infergate_model_queue_depth";

  /** Gauge: the queue's {@code maxQueueSize}; a request beyond it gets 503. */
  public static final String QUEUE_CAPACITY = "infergate_model_queue_capacity";

  /** How a request ended; a label value of {@link #REQUESTS}. */
  public enum Outcome {
    SUCCESS,
    BAD_REQUEST,
    QUEUE_FULL,
    ERROR;

    String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private final Map<Outcome, Counter> requests = new EnumMap<>(Outcome.class);
  private final Timer queueTime;
  private final Timer computeTime;
  private final DistributionSummary batchSize;
  private final Span success = new Span();
  private final Span fail = new Span();

  /** Per request: the duration of the batch it ran in (Triton's inference_stats.compute_infer). */
  private final Span computePerRequest = new Span();

  private final LongAdder inferenceRows = new LongAdder();
  private final Map<Integer, Span> batches = new ConcurrentHashMap<>();
  private volatile long lastInferenceMillis;
  private final MeterRegistry registry;
  private final Tags tags;

  /** A Triton {@code $duration_stat}: how many, and their total nanoseconds. */
  public record DurationStat(long count, long ns) {}

  /**
   * Executions of one batch size (Triton's {@code $batch_stats}; the whole batch is timed as
   * compute_infer).
   */
  public record BatchStat(int batchSize, DurationStat computeInfer) {}

  /**
   * Triton's {@code $model_stat} numbers for this version, read from live adders (each consistent,
   * the set not a snapshot). {@code success} and {@code fail} time a request from its complete body
   * to its encoded answer; {@code queue} is the wait in the batcher; {@code computeInfer} is, per
   * request, the time of the batch it ran in (stacking inputs, the ONNX Runtime run, reading
   * outputs: the server times them as one span, so compute_input and compute_output are reported as
   * 0 ns).
   */
  public record Statistics(
      long lastInferenceMillis,
      long inferenceCount,
      long executionCount,
      DurationStat success,
      DurationStat fail,
      DurationStat queue,
      DurationStat computeInfer,
      List<BatchStat> batches) {}

  private static final class Span {
    final LongAdder count = new LongAdder();
    final LongAdder nanos = new LongAdder();

    void add(long times, long ns) {
      count.add(times);
      nanos.add(ns);
    }

    DurationStat read() {
      return new DurationStat(count.sum(), nanos.sum());
    }
  }

  public InferenceMeters(MeterRegistry registry, String model, String version) {
    this.registry = registry;
    this.tags = Tags.of("model", model, "version", version);
    for (Outcome outcome : Outcome.values()) {
      requests.put(
          outcome,
          Counter.builder(REQUESTS)
              .description("Inference requests by model, version and outcome")
              .tags("model", model, "version", version, "outcome", outcome.label())
              .register(registry));
    }
    queueTime =
        latency(QUEUE_TIME, "Time a request waited in the batch queue", model, version, registry);
    computeTime =
        latency(COMPUTE_TIME, "Time ONNX Runtime spent on a batch", model, version, registry);
    batchSize =
        DistributionSummary.builder(BATCH_SIZE)
            .description("Rows per executed batch")
            .tags("model", model, "version", version)
            .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)
            .register(registry);
  }

  /**
   * Publishes a batch queue's depth and capacity. A reloaded version gets a new queue under the
   * same tags, and Micrometer would keep the first gauge (reading the old queue), so earlier ones
   * are removed.
   */
  public void bindQueue(IntSupplier depth, int capacity) {
    for (String name : new String[] {QUEUE_DEPTH, QUEUE_CAPACITY}) {
      for (Meter old : registry.find(name).tags(tags).meters()) {
        registry.remove(old);
      }
    }
    Gauge.builder(QUEUE_DEPTH, depth::getAsInt)
        .description("Requests waiting in the batch queue")
        .tags(tags)
        .register(registry);
    Gauge.builder(QUEUE_CAPACITY, () -> capacity)
        .description("The batch queue's maxQueueSize")
        .tags(tags)
        .register(registry);
  }

  /** A meter set bound to no registry, for warm-up runs that must not show in the metrics. */
  public static InferenceMeters detached() {
    return new InferenceMeters(
        new io.micrometer.core.instrument.simple.SimpleMeterRegistry(), "-", "-");
  }

  public void count(Outcome outcome) {
    count(outcome, 0);
  }

  /** A finished request and how long it took, from its complete body to its answer. */
  public void count(Outcome outcome, long durationNanos) {
    requests.get(outcome).increment();
    (outcome == Outcome.SUCCESS ? success : fail).add(1, Math.max(0, durationNanos));
  }

  public void recordQueueTime(long nanos) {
    queueTime.record(nanos, TimeUnit.NANOSECONDS);
  }

  public void recordCompute(long nanos, int rows) {
    recordCompute(nanos, rows, 1);
  }

  /** One successful execution of {@code requests} requests holding {@code rows} rows in all. */
  public void recordCompute(long nanos, int rows, int requests) {
    computeTime.record(nanos, TimeUnit.NANOSECONDS);
    batchSize.record(rows);
    inferenceRows.add(rows);
    computePerRequest.add(requests, nanos * requests);
    batches.computeIfAbsent(rows, size -> new Span()).add(1, nanos);
    lastInferenceMillis = System.currentTimeMillis();
  }

  public Statistics statistics() {
    List<BatchStat> perSize =
        batches.entrySet().stream()
            .map(e -> new BatchStat(e.getKey(), e.getValue().read()))
            .sorted(Comparator.comparingInt(BatchStat::batchSize))
            .toList();
    return new Statistics(
        lastInferenceMillis,
        inferenceRows.sum(),
        computeTime.count(),
        success.read(),
        fail.read(),
        new DurationStat(queueTime.count(), (long) queueTime.totalTime(TimeUnit.NANOSECONDS)),
        computePerRequest.read(),
        perSize);
  }

  /** A latency histogram of one model version, 10 µs to 10 s. */
  private static Timer latency(
      String name, String description, String model, String version, MeterRegistry registry) {
    return Timer.builder(name)
        .description(description)
        .tags("model", model, "version", version)
        .publishPercentileHistogram()
        .minimumExpectedValue(java.time.Duration.ofMillis(1).dividedBy(100))
        .maximumExpectedValue(java.time.Duration.ofSeconds(10))
        .register(registry);
  }
}
