package dev.infergate.modelserver.batching;

/** What {@link DynamicBatcher#offer} did with a request. */
public enum Admission {
  ACCEPTED,
  /**
   * The queue holds {@code maxQueueSize} requests: the caller should answer 503 with Retry-After.
   */
  QUEUE_FULL,
  /** The model version is being unloaded or the server is stopping. */
  CLOSED
}
