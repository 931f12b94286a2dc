package dev.infergate.modelserver.runtime;

/**
 * A request waiting in a batcher, with the time it was queued (for the queue-time histogram).
 *
 * @param trace its server span and tracer, for the queue and compute spans; null when tracing is
 *     off
 */
public record PendingInference(
    InferenceRequest request, long enqueuedNanos, InferenceCallback callback, RequestTrace trace) {
  /** Untraced. */
  public PendingInference(
      InferenceRequest request, long enqueuedNanos, InferenceCallback callback) {
    this(request, enqueuedNanos, callback, null);
  }

  public int rows() {
    return request.rows();
  }
}
