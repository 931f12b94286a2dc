package dev.infergate.modelserver.batching;

/** Schedules the queue-delay deadline of a batch; injected so that tests drive time by hand. */
public interface BatchTimer {
  /**
   * Runs {@code task} once, {@code delayNanos} from now, on some thread other than the caller's.
   */
  Scheduled schedule(Runnable task, long delayNanos);

  interface Scheduled {
    void cancel();
  }
}
