package dev.infergate.modelserver.batching;

import dev.infergate.modelserver.config.ConfigException;
import dev.infergate.modelserver.config.ConfigNode;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * How one model version batches: a batch runs when it holds {@code maxBatchSize} rows or its oldest
 * request has waited {@code maxQueueDelayNanos}; at most {@code maxQueueSize} requests wait; at most
 * {@code instanceCount} batches run at once.
 */
public record BatchPolicy(int maxBatchSize, long maxQueueDelayNanos, int maxQueueSize, int instanceCount) {
  public static final int DEFAULT_MAX_BATCH_SIZE = 64;
  /** Triton's default: no waiting; batches form from requests that arrive while one runs. */
  public static final long DEFAULT_MAX_QUEUE_DELAY_MICROS = 0;
  public static final int DEFAULT_MAX_QUEUE_SIZE = 1_024;
  public static final int DEFAULT_INSTANCE_COUNT = 1;
  public static final BatchPolicy DEFAULT = new BatchPolicy(DEFAULT_MAX_BATCH_SIZE,
      TimeUnit.MICROSECONDS.toNanos(DEFAULT_MAX_QUEUE_DELAY_MICROS), DEFAULT_MAX_QUEUE_SIZE, DEFAULT_INSTANCE_COUNT);

  public static final Set<String> KEYS = Set.of("maxBatchSize", "maxQueueDelayMicros", "maxQueueSize", "instanceCount");

  public BatchPolicy {
    require(maxBatchSize >= 1, "maxBatchSize must be >= 1, was " + maxBatchSize);
    require(maxQueueDelayNanos >= 0, "maxQueueDelayMicros must be >= 0, was " + maxQueueDelayNanos / 1000);
    require(maxQueueSize >= 1, "maxQueueSize must be >= 1, was " + maxQueueSize);
    require(instanceCount >= 1, "instanceCount must be >= 1, was " + instanceCount);
  }

  /** Reads the batching keys of {@code node}, taking missing ones from {@code defaults}. */
  public static BatchPolicy from(ConfigNode node, BatchPolicy defaults) {
    return new BatchPolicy(
        node.intValue("maxBatchSize", defaults.maxBatchSize(), 1, 1 << 20),
        TimeUnit.MICROSECONDS.toNanos(node.longValue("maxQueueDelayMicros",
            TimeUnit.NANOSECONDS.toMicros(defaults.maxQueueDelayNanos()), 0, 10_000_000)),
        node.intValue("maxQueueSize", defaults.maxQueueSize(), 1, 1 << 20),
        node.intValue("instanceCount", defaults.instanceCount(), 1, 256));
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new ConfigException(message);
    }
  }
}
