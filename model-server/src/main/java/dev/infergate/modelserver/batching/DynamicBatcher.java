package dev.infergate.modelserver.batching;

import dev.infergate.modelserver.config.BatchPolicy;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.LongSupplier;
import java.util.function.ToIntFunction;

/**
 * Triton-style dynamic batcher for one model version. Requests queue; a batch is dispatched when
 * the queue holds {@code maxBatchSize} rows or the oldest request has waited {@code maxQueueDelay},
 * as long as fewer than {@code instanceCount} batches are running. Batches run on {@code executor},
 * never on the caller's thread, so {@link #offer} is safe to call from an event loop.
 *
 * <p>Thread-safe: all state is guarded by {@code this}; the critical sections are a few field
 * updates.
 */
public final class DynamicBatcher<T> {
  private final BatchPolicy policy;
  private final ToIntFunction<T> rowsOf;
  private final BatchProcessor<T> processor;
  private final Executor executor;
  private final BatchTimer timer;
  private final LongSupplier nanoClock;

  private final ArrayDeque<Queued<T>> queue = new ArrayDeque<>();
  private int queuedRows;
  private int runningBatches;
  private BatchTimer.Scheduled armedTimer;
  private long armedDeadline;
  private boolean closed;
  private Runnable onDrained;

  private record Queued<T>(T item, int rows, long enqueuedAt) {}

  public DynamicBatcher(
      BatchPolicy policy,
      ToIntFunction<T> rowsOf,
      BatchProcessor<T> processor,
      Executor executor,
      BatchTimer timer,
      LongSupplier nanoClock) {
    this.policy = policy;
    this.rowsOf = rowsOf;
    this.processor = processor;
    this.executor = executor;
    this.timer = timer;
    this.nanoClock = nanoClock;
  }

  public BatchPolicy policy() {
    return policy;
  }

  /**
   * Queues {@code item}; never blocks. A request larger than {@code maxBatchSize} rows runs alone.
   */
  public synchronized Admission offer(T item) {
    if (closed) {
      return Admission.CLOSED;
    }
    if (queue.size() >= policy.maxQueueSize()) {
      return Admission.QUEUE_FULL;
    }
    int rows = rowsOf.applyAsInt(item);
    queue.addLast(new Queued<>(item, rows, nanoClock.getAsLong()));
    queuedRows += rows;
    dispatchReadyBatches();
    return Admission.ACCEPTED;
  }

  /**
   * Queues the parts of one split request, in order, all or none: {@link Admission#QUEUE_FULL}
   * unless the queue has room for every part (each counts as one request against {@code
   * maxQueueSize}), so a request is never half computed. Never blocks.
   */
  public synchronized Admission offerAll(List<T> parts) {
    if (closed) {
      return Admission.CLOSED;
    }
    if (queue.size() + parts.size() > policy.maxQueueSize()) {
      return Admission.QUEUE_FULL;
    }
    long now = nanoClock.getAsLong();
    for (T part : parts) {
      int rows = rowsOf.applyAsInt(part);
      queue.addLast(new Queued<>(part, rows, now));
      queuedRows += rows;
    }
    dispatchReadyBatches();
    return Admission.ACCEPTED;
  }

  public synchronized int queuedRequests() {
    return queue.size();
  }

  /**
   * Stops taking requests, flushes what is queued without waiting for the delay, and runs {@code
   * whenDrained} once the last batch has finished (at once if nothing is queued or running).
   */
  public void close(Runnable whenDrained) {
    boolean drainedNow;
    synchronized (this) {
      closed = true;
      onDrained = whenDrained;
      dispatchReadyBatches();
      drainedNow = queue.isEmpty() && runningBatches == 0;
      if (drainedNow) {
        onDrained = null;
      }
    }
    if (drainedNow) {
      whenDrained.run();
    }
  }

  private void dispatchReadyBatches() {
    long now = nanoClock.getAsLong();
    while (runningBatches < policy.instanceCount() && !queue.isEmpty()) {
      boolean full = queuedRows >= policy.maxBatchSize();
      boolean due = now - queue.peekFirst().enqueuedAt() >= policy.maxQueueDelayNanos();
      if (!full && !due && !closed) {
        break;
      }
      List<T> batch = takeBatch();
      runningBatches++;
      try {
        executor.execute(() -> run(batch));
      } catch (RejectedExecutionException e) {
        runningBatches--;
        processor.fail(batch, e);
      }
    }
    armTimerForOldest(now);
  }

  private List<T> takeBatch() {
    List<T> batch = new ArrayList<>();
    int rows = 0;
    do {
      Queued<T> next = queue.pollFirst();
      batch.add(next.item());
      rows += next.rows();
      queuedRows -= next.rows();
    } while (!queue.isEmpty() && rows + queue.peekFirst().rows() <= policy.maxBatchSize());
    return batch;
  }

  /** Only needed while a batch slot is free: a finishing batch re-checks the queue anyway. */
  private void armTimerForOldest(long now) {
    if (queue.isEmpty() || runningBatches >= policy.instanceCount()) {
      cancelTimer();
      return;
    }
    long deadline = queue.peekFirst().enqueuedAt() + policy.maxQueueDelayNanos();
    if (armedTimer != null && armedDeadline == deadline) {
      return;
    }
    cancelTimer();
    armedDeadline = deadline;
    armedTimer = timer.schedule(this::onDeadline, Math.max(0, deadline - now));
  }

  private void cancelTimer() {
    if (armedTimer != null) {
      armedTimer.cancel();
      armedTimer = null;
    }
  }

  private synchronized void onDeadline() {
    armedTimer = null;
    dispatchReadyBatches();
  }

  private void run(List<T> batch) {
    try {
      processor.process(batch);
    } catch (Throwable error) {
      processor.fail(batch, error);
    } finally {
      finishBatch();
    }
  }

  private void finishBatch() {
    Runnable drained = null;
    synchronized (this) {
      runningBatches--;
      dispatchReadyBatches();
      if (closed && queue.isEmpty() && runningBatches == 0 && onDrained != null) {
        drained = onDrained;
        onDrained = null;
      }
    }
    if (drained != null) {
      drained.run();
    }
  }
}
