package dev.infergate.modelserver.batching;

import java.util.List;

/**
 * Runs one batch on a worker thread. {@link #process} must complete every item (its caller is
 * waiting); when it throws, or the batch could not be started, {@link #fail} is called with the
 * same items.
 */
public interface BatchProcessor<T> {
  void process(List<T> batch);

  void fail(List<T> batch, Throwable error);
}
