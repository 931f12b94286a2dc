package dev.infergate.modelserver.batching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.infergate.modelserver.config.BatchPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class DynamicBatcherTest {
  private static final long DELAY = TimeUnit.MILLISECONDS.toNanos(5);

  /** Time that only moves when the test says so, and the timers that fire when it does. */
  private static final class ManualTime implements BatchTimer {
    long now;
    final List<long[]> deadlines = new ArrayList<>();
    final List<Runnable> tasks = new ArrayList<>();
    final List<boolean[]> cancelled = new ArrayList<>();

    @Override
    public Scheduled schedule(Runnable task, long delayNanos) {
      boolean[] flag = {false};
      deadlines.add(new long[] {now + delayNanos});
      tasks.add(task);
      cancelled.add(flag);
      return () -> flag[0] = true;
    }

    void advance(long nanos) {
      now += nanos;
      for (int i = 0; i < tasks.size(); i++) {
        if (!cancelled.get(i)[0] && deadlines.get(i)[0] <= now) {
          cancelled.get(i)[0] = true;
          tasks.get(i).run();
        }
      }
    }
  }

  /** Holds submitted batches until the test runs them, to observe concurrency. */
  private static final class HeldExecutor implements java.util.concurrent.Executor {
    final List<Runnable> held = new ArrayList<>();

    @Override
    public void execute(Runnable command) {
      held.add(command);
    }

    /** Runs held batches, and those that finishing ones dispatch, until none is left. */
    void runAll() {
      while (!held.isEmpty()) {
        held.remove(0).run();
      }
    }
  }

  private static final class Recorder implements BatchProcessor<Integer> {
    final List<List<Integer>> batches = new ArrayList<>();
    final List<Integer> failed = new ArrayList<>();

    @Override
    public void process(List<Integer> batch) {
      batches.add(List.copyOf(batch));
    }

    @Override
    public void fail(List<Integer> batch, Throwable error) {
      failed.addAll(batch);
    }
  }

  private final ManualTime time = new ManualTime();
  private final HeldExecutor executor = new HeldExecutor();
  private final Recorder recorder = new Recorder();

  /** Items are row counts: an item {@code n} adds n rows. */
  private DynamicBatcher<Integer> batcher(int maxBatch, int maxQueue, int instances) {
    return new DynamicBatcher<>(
        new BatchPolicy(maxBatch, DELAY, maxQueue, instances),
        Integer::intValue,
        recorder,
        executor,
        time,
        () -> time.now);
  }

  @Test
  void dispatchesAsSoonAsMaxBatchSizeRowsAreQueued() {
    DynamicBatcher<Integer> batcher = batcher(4, 100, 1);
    batcher.offer(1);
    batcher.offer(2);
    executor.runAll();
    assertTrue(recorder.batches.isEmpty(), "3 of 4 rows: must wait for more or for the delay");
    batcher.offer(1);
    executor.runAll();
    assertEquals(List.of(List.of(1, 2, 1)), recorder.batches);
  }

  @Test
  void dispatchesAPartialBatchOnlyWhenTheOldestRequestHasWaitedTheMaxQueueDelay() {
    DynamicBatcher<Integer> batcher = batcher(8, 100, 1);
    batcher.offer(1);
    time.advance(DELAY / 2);
    batcher.offer(1);
    time.advance(DELAY / 2 - 1);
    executor.runAll();
    assertTrue(recorder.batches.isEmpty(), "one nanosecond before the deadline nothing runs");
    time.advance(1);
    executor.runAll();
    assertEquals(List.of(List.of(1, 1)), recorder.batches);
  }

  @Test
  void neverPutsMoreThanMaxBatchSizeRowsInOneBatch() {
    DynamicBatcher<Integer> batcher = batcher(4, 100, 1);
    batcher.offer(3);
    batcher.offer(3);
    executor.runAll();
    assertEquals(List.of(List.of(3)), recorder.batches);
    time.advance(DELAY);
    executor.runAll();
    assertEquals(List.of(List.of(3), List.of(3)), recorder.batches);
  }

  @Test
  void runsARequestLargerThanMaxBatchSizeAlone() {
    DynamicBatcher<Integer> batcher = batcher(4, 100, 1);
    batcher.offer(9);
    executor.runAll();
    assertEquals(List.of(List.of(9)), recorder.batches);
  }

  @Test
  void refusesRequestsBeyondMaxQueueSize() {
    DynamicBatcher<Integer> batcher = batcher(64, 2, 1);
    assertEquals(Admission.ACCEPTED, batcher.offer(1));
    assertEquals(Admission.ACCEPTED, batcher.offer(1));
    assertEquals(Admission.QUEUE_FULL, batcher.offer(1));
    time.advance(DELAY);
    executor.runAll();
    assertEquals(Admission.ACCEPTED, batcher.offer(1), "room again once the queue drained");
  }

  @Test
  void runsAtMostInstanceCountBatchesAtOnceAndRefillsWhenOneFinishes() {
    DynamicBatcher<Integer> batcher = batcher(2, 100, 1);
    batcher.offer(1);
    batcher.offer(1);
    batcher.offer(1);
    batcher.offer(1);
    assertEquals(1, executor.held.size(), "only one batch may run with instanceCount 1");
    executor.runAll();
    assertEquals(List.of(List.of(1, 1), List.of(1, 1)), recorder.batches);
  }

  @Test
  void keepsArrivalOrderAcrossBatches() {
    DynamicBatcher<Integer> batcher = batcher(2, 100, 2);
    for (int i = 0; i < 4; i++) {
      batcher.offer(1);
    }
    executor.runAll();
    assertEquals(2, recorder.batches.size());
    assertEquals(4, recorder.batches.stream().mapToInt(List::size).sum());
  }

  @Test
  void closeFlushesQueuedRequestsAndReportsWhenDrained() {
    DynamicBatcher<Integer> batcher = batcher(8, 100, 1);
    batcher.offer(1);
    AtomicBoolean drained = new AtomicBoolean();
    batcher.close(() -> drained.set(true));
    assertEquals(Admission.CLOSED, batcher.offer(1));
    assertTrue(!drained.get(), "a batch is still running");
    executor.runAll();
    assertEquals(List.of(List.of(1)), recorder.batches);
    assertTrue(drained.get());
  }

  @Test
  void failsEveryRequestOfABatchWhoseProcessingThrows() {
    BatchProcessor<Integer> exploding =
        new BatchProcessor<>() {
          @Override
          public void process(List<Integer> batch) {
            throw new IllegalStateException("boom");
          }

          @Override
          public void fail(List<Integer> batch, Throwable error) {
            recorder.failed.addAll(batch);
          }
        };
    var batcher =
        new DynamicBatcher<>(
            new BatchPolicy(2, DELAY, 10, 1),
            Integer::intValue,
            exploding,
            executor,
            time,
            () -> time.now);
    batcher.offer(1);
    batcher.offer(1);
    executor.runAll();
    assertEquals(List.of(1, 1), recorder.failed);
    batcher.offer(1);
    batcher.offer(1);
    executor.runAll();
    assertEquals(4, recorder.failed.size(), "the batcher keeps working after a failed batch");
  }

  @Test
  void queuesThePartsOfASplitRequestAllOrNoneCountingEachAgainstMaxQueueSize() {
    DynamicBatcher<Integer> batcher = batcher(4, 3, 1);
    assertEquals(Admission.ACCEPTED, batcher.offerAll(List.of(4, 4, 4)));
    assertEquals(2, batcher.queuedRequests(), "one part runs, two wait");
    assertEquals(
        Admission.QUEUE_FULL,
        batcher.offerAll(List.of(4, 4)),
        "two more parts do not fit a queue of 3");
    assertEquals(2, batcher.queuedRequests(), "a refused split request leaves no part behind");
    assertEquals(Admission.ACCEPTED, batcher.offerAll(List.of(1)));
    executor.runAll();
    assertEquals(List.of(List.of(4), List.of(4), List.of(4)), recorder.batches);
  }

  @Test
  void runsThePartsOfASplitRequestInRowOrderWithOtherRequestsAfterThem() {
    DynamicBatcher<Integer> batcher = batcher(4, 100, 2);
    batcher.offerAll(List.of(4, 4, 2));
    batcher.offer(1);
    executor.runAll();
    assertEquals(List.of(List.of(4), List.of(4)), recorder.batches, "full parts run at once");
    time.advance(DELAY);
    executor.runAll();
    assertEquals(List.of(List.of(4), List.of(4), List.of(2, 1)), recorder.batches);
  }

  @Test
  void refusesASplitRequestOnceClosed() {
    DynamicBatcher<Integer> batcher = batcher(4, 100, 1);
    batcher.close(() -> {});
    assertEquals(Admission.CLOSED, batcher.offerAll(List.of(4, 4)));
  }

  @Test
  void maxRequestRowsDefaultsToWhatAnEmptyQueueHoldsAndRefusesMore() {
    assertEquals(65_536, BatchPolicy.DEFAULT.maxRequestRows());
    assertEquals(1_024, new BatchPolicy(1, 0, 1_024, 1).maxRequestRows());
    assertEquals(3, new BatchPolicy(64, 0, 1_024, 1).partsOf(129));
    var error =
        org.junit.jupiter.api.Assertions.assertThrows(
            dev.infergate.modelserver.config.ConfigException.class,
            () -> new BatchPolicy(8, 0, 2, 1, 17));
    assertTrue(
        error
            .getMessage()
            .startsWith(
                "maxRequestRows: must be <= maxBatchSize × maxQueueSize (8 × 2 = 16), was 17"),
        error.getMessage());
  }
}
