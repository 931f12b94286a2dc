package dev.infergate.modelserver.runtime;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.util.concurrent.TimeUnit;

/**
 * What a queued request needs to add its queue-wait and batch-compute spans under its server span
 * (issue 21). Made only when tracing is on: a request without one ({@code null} in {@link
 * PendingInference}) costs nothing. Thread-safe (spans are); used on inference workers.
 */
public record RequestTrace(Tracer tracer, Span server) {
  static final AttributeKey<Long> BATCH_SIZE = AttributeKey.longKey("infergate.batch.size");
  static final AttributeKey<Long> BATCH_ROWS = AttributeKey.longKey("infergate.batch.rows");

  /**
   * Records the request's wait in the queue and the compute of the batch that served it, from
   * {@link System#nanoTime()} readings.
   *
   * @param epochOffset epoch nanos minus {@code System.nanoTime()}, read once per batch
   */
  void record(
      long enqueued,
      long started,
      long finished,
      long epochOffset,
      int batchSize,
      int batchRows,
      Throwable error) {
    if (!server.isRecording()) {
      return;
    }
    Context parent = Context.root().with(server);
    tracer
        .spanBuilder("queue wait")
        .setParent(parent)
        .setStartTimestamp(enqueued + epochOffset, TimeUnit.NANOSECONDS)
        .startSpan()
        .end(started + epochOffset, TimeUnit.NANOSECONDS);
    Span compute =
        tracer
            .spanBuilder("batch compute")
            .setParent(parent)
            .setStartTimestamp(started + epochOffset, TimeUnit.NANOSECONDS)
            .setAttribute(BATCH_SIZE, batchSize)
            .setAttribute(BATCH_ROWS, batchRows)
            .startSpan();
    if (error != null) {
      compute.recordException(error);
      compute.setStatus(io.opentelemetry.api.trace.StatusCode.ERROR);
    }
    compute.end(finished + epochOffset, TimeUnit.NANOSECONDS);
  }

  /** Epoch nanos minus {@code System.nanoTime()} now. */
  static long epochOffset() {
    java.time.Instant now = java.time.Instant.now();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano() - System.nanoTime();
  }
}
