package dev.infergate.modelserver.batching;

import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The production {@link BatchTimer}: one daemon thread with sub-millisecond resolution (Vert.x
 * timers tick in milliseconds, too coarse for queue delays of a few hundred microseconds).
 */
public final class ScheduledBatchTimer implements BatchTimer, AutoCloseable {
  private final ScheduledThreadPoolExecutor scheduler;

  public ScheduledBatchTimer() {
    scheduler =
        new ScheduledThreadPoolExecutor(
            1,
            runnable -> {
              Thread thread = new Thread(runnable, "batch-timer");
              thread.setDaemon(true);
              return thread;
            });
    scheduler.setRemoveOnCancelPolicy(true);
  }

  @Override
  public Scheduled schedule(Runnable task, long delayNanos) {
    var future = scheduler.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
    return () -> future.cancel(false);
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
