package dev.infergate.modelserver.runtime;

import java.util.List;
import java.util.Set;

/**
 * A validated request for one model version: one tensor per model input, in the model's input order
 * and converted to the model's datatypes; all share the same number of rows.
 *
 * @param id the client's request id, echoed back (may be null)
 * @param requestedOutputs output names to return, or null for all
 * @param binaryOutputs output names to return as binary data (V2 binary tensor data extension)
 */
public record InferenceRequest(
    String id, List<Tensor> inputs, Set<String> requestedOutputs, Set<String> binaryOutputs) {
  public InferenceRequest {
    inputs = List.copyOf(inputs);
    requestedOutputs = requestedOutputs == null ? null : Set.copyOf(requestedOutputs);
    binaryOutputs = Set.copyOf(binaryOutputs);
  }

  /** A request answered in JSON. */
  public InferenceRequest(String id, List<Tensor> inputs, Set<String> requestedOutputs) {
    this(id, inputs, requestedOutputs, Set.of());
  }

  public int rows() {
    return inputs.get(0).rows();
  }

  public boolean wants(String output) {
    return requestedOutputs == null || requestedOutputs.contains(output);
  }
}
