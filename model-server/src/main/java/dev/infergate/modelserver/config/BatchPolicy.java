package dev.infergate.modelserver.config;

import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * How one model version batches: a batch runs when it holds {@code maxBatchSize} rows or its oldest
 * request has waited {@code maxQueueDelayNanos}; at most {@code maxQueueSize} requests (or parts of
 * split requests) wait; at most {@code instanceCount} batches run at once. A request of more than
 * {@code maxBatchSize} rows is split into parts of at most {@code maxBatchSize} rows, each queued
 * as one request, up to {@code maxRequestRows} rows (larger ones are refused).
 */
public record BatchPolicy(
    int maxBatchSize,
    long maxQueueDelayNanos,
    int maxQueueSize,
    int instanceCount,
    int maxRequestRows) {
  public static final int DEFAULT_MAX_BATCH_SIZE = 64;

  /** Triton's default: no waiting; batches form from requests that arrive while one runs. */
  public static final long DEFAULT_MAX_QUEUE_DELAY_MICROS = 0;

  public static final int DEFAULT_MAX_QUEUE_SIZE = 1_024;
  public static final int DEFAULT_INSTANCE_COUNT = 1;

  /**
   * The cap on {@code maxRequestRows} when it is not set; the default is the smaller of this and
   * {@code maxBatchSize × maxQueueSize} (65536 with the default 64 and 1024), so that the largest
   * request's parts always fit an empty queue.
   */
  public static final int DEFAULT_MAX_REQUEST_ROWS = 65_536;

  public static final BatchPolicy DEFAULT =
      new BatchPolicy(
          DEFAULT_MAX_BATCH_SIZE,
          TimeUnit.MICROSECONDS.toNanos(DEFAULT_MAX_QUEUE_DELAY_MICROS),
          DEFAULT_MAX_QUEUE_SIZE,
          DEFAULT_INSTANCE_COUNT);

  public static final Set<String> KEYS =
      Set.of(
          "maxBatchSize", "maxQueueDelayMicros", "maxQueueSize", "instanceCount", "maxRequestRows");

  /** With the default {@code maxRequestRows} for these settings. */
  public BatchPolicy(
      int maxBatchSize, long maxQueueDelayNanos, int maxQueueSize, int instanceCount) {
    this(
        maxBatchSize,
        maxQueueDelayNanos,
        maxQueueSize,
        instanceCount,
        defaultMaxRequestRows(maxBatchSize, maxQueueSize));
  }

  /** {@code min(DEFAULT_MAX_REQUEST_ROWS, maxBatchSize × maxQueueSize)}. */
  public static int defaultMaxRequestRows(int maxBatchSize, int maxQueueSize) {
    return (int)
        Math.max(1, Math.min(DEFAULT_MAX_REQUEST_ROWS, (long) maxBatchSize * maxQueueSize));
  }

  /**
   * How many parts of at most {@code maxBatchSize} rows a request of {@code rows} rows is split
   * into.
   */
  public int partsOf(int rows) {
    return (int) ((rows + (long) maxBatchSize - 1) / maxBatchSize);
  }

  public BatchPolicy {
    require(maxBatchSize >= 1, "maxBatchSize: must be >= 1, was " + maxBatchSize);
    require(
        maxQueueDelayNanos >= 0,
        "maxQueueDelayMicros: must be >= 0, was " + maxQueueDelayNanos / 1000);
    require(maxQueueSize >= 1, "maxQueueSize: must be >= 1, was " + maxQueueSize);
    require(instanceCount >= 1, "instanceCount: must be >= 1, was " + instanceCount);
    require(maxRequestRows >= 1, "maxRequestRows: must be >= 1, was " + maxRequestRows);
    // A request's parts are admitted all or none: the largest must fit an empty queue.
    long parts = (maxRequestRows + (long) maxBatchSize - 1) / maxBatchSize;
    require(
        parts <= maxQueueSize,
        "maxRequestRows: must be <= maxBatchSize × maxQueueSize ("
            + maxBatchSize
            + " × "
            + maxQueueSize
            + " = "
            + (long) maxBatchSize * maxQueueSize
            + "), was "
            + maxRequestRows
            + ": its parts could never all be queued");
  }

  /**
   * Reads the batching keys of {@code node}, taking missing ones from {@code defaults}. A missing
   * {@code maxRequestRows} is the default for this node's batch and queue sizes, unless {@code
   * defaults} set another value.
   */
  public static BatchPolicy from(ConfigNode node, BatchPolicy defaults) {
    int maxBatchSize = node.intValue("maxBatchSize", defaults.maxBatchSize(), 1, 1 << 20);
    int maxQueueSize = node.intValue("maxQueueSize", defaults.maxQueueSize(), 1, 1 << 20);
    boolean defaultsDerived =
        defaults.maxRequestRows()
            == defaultMaxRequestRows(defaults.maxBatchSize(), defaults.maxQueueSize());
    int maxRequestRows =
        node.intValue(
            "maxRequestRows",
            defaultsDerived
                ? defaultMaxRequestRows(maxBatchSize, maxQueueSize)
                : defaults.maxRequestRows(),
            1,
            1 << 24);
    try {
      return new BatchPolicy(
          maxBatchSize,
          TimeUnit.MICROSECONDS.toNanos(
              node.longValue(
                  "maxQueueDelayMicros",
                  TimeUnit.NANOSECONDS.toMicros(defaults.maxQueueDelayNanos()),
                  0,
                  10_000_000)),
          maxQueueSize,
          node.intValue("instanceCount", defaults.instanceCount(), 1, 256),
          maxRequestRows);
    } catch (ConfigException e) {
      throw new ConfigException(node.qualify(e.getMessage()), e);
    }
  }

  private static void require(boolean condition, String message) {
    if (!condition) {
      throw new ConfigException(message);
    }
  }
}
