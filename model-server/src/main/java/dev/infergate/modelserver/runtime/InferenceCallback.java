package dev.infergate.modelserver.runtime;

import java.util.List;

/** Receives the outcome of one request, on the inference worker thread that ran its batch. */
public interface InferenceCallback {
  /** {@code outputs} are this request's rows of every model output, in the model's output order. */
  void onResult(List<Tensor> outputs);

  void onError(Throwable error);
}
