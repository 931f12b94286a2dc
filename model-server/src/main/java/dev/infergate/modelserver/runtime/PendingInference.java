package dev.infergate.modelserver.runtime;

/** A request waiting in a batcher, with the time it was queued (for the queue-time histogram). */
public record PendingInference(InferenceRequest request, long enqueuedNanos, InferenceCallback callback) {
  public int rows() {
    return request.rows();
  }
}
