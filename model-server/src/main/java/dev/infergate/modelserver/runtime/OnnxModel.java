package dev.infergate.modelserver.runtime;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxJavaType;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.SequenceInfo;
import ai.onnxruntime.TensorInfo;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One ONNX Runtime session and its signature (tensors, and ZipMap outputs as {@link
 * TensorSpec#zipMap()}). {@link #run} is thread-safe (ONNX Runtime allows concurrent runs on one
 * session) and blocking: call it from inference workers only.
 */
public final class OnnxModel implements AutoCloseable {
  private final OrtSession session;
  private final String executionProvider;
  private final List<TensorSpec> inputs;
  private final List<TensorSpec> outputs;

  OnnxModel(OrtSession session, String executionProvider) throws ModelLoadException {
    this.session = session;
    this.executionProvider = executionProvider;
    try {
      this.inputs = specs(session.getInputInfo(), "input");
      this.outputs = specs(session.getOutputInfo(), "output");
    } catch (OrtException e) {
      throw new ModelLoadException("cannot read the model's signature: " + e.getMessage(), e);
    }
    if (inputs.isEmpty()) {
      throw new ModelLoadException("the model has no inputs");
    }
  }

  public List<TensorSpec> inputs() {
    return inputs;
  }

  public List<TensorSpec> outputs() {
    return outputs;
  }

  public String executionProvider() {
    return executionProvider;
  }

  /** Requests can be stacked only when every input and output varies along its first dimension. */
  public boolean supportsBatching() {
    return inputs.stream().allMatch(TensorSpec::hasBatchDimension)
        && outputs.stream().allMatch(TensorSpec::hasBatchDimension);
  }

  public OrtSession.Result run(Map<String, OnnxTensor> feeds) throws OrtException {
    return session.run(feeds);
  }

  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      // Closing only frees native memory; nothing is left to recover.
    }
  }

  private static List<TensorSpec> specs(Map<String, NodeInfo> infos, String kind)
      throws ModelLoadException {
    List<TensorSpec> specs = new ArrayList<>(infos.size());
    for (NodeInfo node : infos.values()) {
      if (kind.equals("output")
          && node.getInfo() instanceof SequenceInfo sequence
          && isZipMap(sequence)) {
        specs.add(
            new TensorSpec(node.getName(), Datatype.FP32, new long[] {-1, -1}, true, List.of()));
        continue;
      }
      if (!(node.getInfo() instanceof TensorInfo tensor)) {
        throw new ModelLoadException(
            kind
                + " '"
                + node.getName()
                + "' is "
                + node.getInfo()
                + "; served are tensors and, as outputs, ZipMap sequences of maps (int64 or string keys, float values)");
      }
      Datatype datatype =
          Datatype.fromOnnx(tensor.type)
              .orElseThrow(
                  () ->
                      new ModelLoadException(
                          kind
                              + " '"
                              + node.getName()
                              + "' has element type "
                              + tensor.onnxType
                              + "; supported: FLOAT, DOUBLE, FLOAT16, INT8, INT16, INT32, INT64, UINT8, BOOL, STRING"));
      specs.add(new TensorSpec(node.getName(), datatype, tensor.getShape()));
    }
    return List.copyOf(specs);
  }

  private static boolean isZipMap(SequenceInfo sequence) {
    return sequence.isSequenceOfMaps()
        && sequence.mapInfo.valueType == OnnxJavaType.FLOAT
        && (sequence.mapInfo.keyType == OnnxJavaType.INT64
            || sequence.mapInfo.keyType == OnnxJavaType.STRING);
  }
}
