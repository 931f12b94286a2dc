package dev.infergate.modelserver.runtime;

import ai.onnxruntime.OnnxSequence;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.infergate.modelserver.batching.BatchProcessor;
import dev.infergate.modelserver.observability.InferenceMeters;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a batch on one model: stacks the requests' rows into one direct buffer per input (ONNX
 * Runtime reads direct buffers in place; building tensors from Java arrays costs ~10x more), runs
 * the session once, and hands each request the window of every output that holds its rows. Runs on
 * inference worker threads only.
 */
public final class BatchRunner implements BatchProcessor<PendingInference> {
  private final OrtEnvironment environment;
  private final OnnxModel model;
  private final InferenceMeters meters;

  /** One scratch buffer per input and worker thread, grown on demand: no allocation per batch. */
  private final ThreadLocal<ByteBuffer[]> scratch;

  public BatchRunner(OrtEnvironment environment, OnnxModel model, InferenceMeters meters) {
    this.environment = environment;
    this.model = model;
    this.meters = meters;
    this.scratch = ThreadLocal.withInitial(() -> new ByteBuffer[model.inputs().size()]);
  }

  @Override
  public void process(List<PendingInference> batch) {
    long started = System.nanoTime();
    int totalRows = 0;
    for (PendingInference pending : batch) {
      meters.recordQueueTime(started - pending.enqueuedNanos());
      totalRows += pending.rows();
    }
    List<Tensor> outputs;
    try {
      outputs = run(batch, totalRows);
    } catch (RuntimeException | Error e) {
      traced(batch, started, totalRows, e);
      throw e;
    }
    meters.recordCompute(System.nanoTime() - started, totalRows, batch.size());
    traced(batch, started, totalRows, null);
    int firstRow = 0;
    for (PendingInference pending : batch) {
      int rows = pending.rows();
      List<Tensor> own = new ArrayList<>(outputs.size());
      for (Tensor output : outputs) {
        own.add(batch.size() == 1 ? output : output.rowSlice(firstRow, rows));
      }
      firstRow += rows;
      pending.callback().onResult(own);
    }
  }

  /**
   * Queue and compute spans of the batch's traced requests; nothing to do (no allocation) when none
   * is.
   */
  private static void traced(
      List<PendingInference> batch, long started, int totalRows, Throwable error) {
    long finished = 0;
    long offset = 0;
    for (PendingInference pending : batch) {
      RequestTrace trace = pending.trace();
      if (trace != null) {
        if (finished == 0) {
          finished = System.nanoTime();
          offset = RequestTrace.epochOffset();
        }
        trace.record(
            pending.enqueuedNanos(), started, finished, offset, batch.size(), totalRows, error);
      }
    }
  }

  @Override
  public void fail(List<PendingInference> batch, Throwable error) {
    for (PendingInference pending : batch) {
      pending.callback().onError(error);
    }
  }

  private List<Tensor> run(List<PendingInference> batch, int totalRows) {
    Map<String, OnnxTensor> feeds = new LinkedHashMap<>();
    try {
      List<TensorSpec> inputs = model.inputs();
      for (int i = 0; i < inputs.size(); i++) {
        feeds.put(inputs.get(i).name(), stack(i, batch, totalRows));
      }
      try (OrtSession.Result result = model.run(feeds)) {
        return readOutputs(result, totalRows);
      }
    } catch (OrtException e) {
      throw new InferenceException("ONNX Runtime failed: " + e.getMessage(), e);
    } finally {
      feeds.values().forEach(OnnxTensor::close);
    }
  }

  private OnnxTensor stack(int inputIndex, List<PendingInference> batch, int totalRows)
      throws OrtException {
    Tensor first = batch.get(0).request().inputs().get(inputIndex);
    int elements = 0;
    for (PendingInference pending : batch) {
      elements += pending.request().inputs().get(inputIndex).size();
    }
    ByteBuffer bytes = scratchBuffer(inputIndex, elements * first.datatype().byteSize());
    long[] shape = first.shape();
    if (shape.length > 0) {
      shape[0] = totalRows;
    }
    switch (first.datatype()) {
      case FP32 -> {
        var view = bytes.asFloatBuffer();
        for (PendingInference p : batch) {
          Tensor t = p.request().inputs().get(inputIndex);
          view.put((float[]) t.data(), t.offset(), t.size());
        }
        return OnnxTensor.createTensor(environment, view.flip(), shape);
      }
      case FP64 -> {
        var view = bytes.asDoubleBuffer();
        for (PendingInference p : batch) {
          Tensor t = p.request().inputs().get(inputIndex);
          view.put((double[]) t.data(), t.offset(), t.size());
        }
        return OnnxTensor.createTensor(environment, view.flip(), shape);
      }
      case INT32 -> {
        var view = bytes.asIntBuffer();
        for (PendingInference p : batch) {
          Tensor t = p.request().inputs().get(inputIndex);
          view.put((int[]) t.data(), t.offset(), t.size());
        }
        return OnnxTensor.createTensor(environment, view.flip(), shape);
      }
      case INT64 -> {
        var view = bytes.asLongBuffer();
        for (PendingInference p : batch) {
          Tensor t = p.request().inputs().get(inputIndex);
          view.put((long[]) t.data(), t.offset(), t.size());
        }
        return OnnxTensor.createTensor(environment, view.flip(), shape);
      }
      case FP16, INT16 -> {
        var view = bytes.asShortBuffer();
        for (PendingInference p : batch) {
          Tensor t = p.request().inputs().get(inputIndex);
          view.put((short[]) t.data(), t.offset(), t.size());
        }
        return OnnxTensor.createTensor(environment, bytes, shape, first.datatype().onnx());
      }
      case INT8, UINT8, BOOL -> {
        for (PendingInference p : batch) {
          Tensor t = p.request().inputs().get(inputIndex);
          bytes.put((byte[]) t.data(), t.offset(), t.size());
        }
        return OnnxTensor.createTensor(environment, bytes.flip(), shape, first.datatype().onnx());
      }
      case BYTES -> {
        String[] strings = new String[elements];
        int at = 0;
        for (PendingInference p : batch) {
          Tensor t = p.request().inputs().get(inputIndex);
          System.arraycopy((String[]) t.data(), t.offset(), strings, at, t.size());
          at += t.size();
        }
        return OnnxTensor.createTensor(environment, strings, shape);
      }
      default ->
          throw new InferenceException("input datatype " + first.datatype() + " cannot be fed");
    }
  }

  private ByteBuffer scratchBuffer(int inputIndex, int byteCount) {
    ByteBuffer[] buffers = scratch.get();
    ByteBuffer buffer = buffers[inputIndex];
    if (buffer == null || buffer.capacity() < byteCount) {
      buffer = ByteBuffer.allocateDirect(Math.max(byteCount, 4096)).order(ByteOrder.nativeOrder());
      buffers[inputIndex] = buffer;
    }
    buffer.clear().limit(byteCount);
    return buffer;
  }

  private List<Tensor> readOutputs(OrtSession.Result result, int totalRows) throws OrtException {
    List<Tensor> outputs = new ArrayList<>(model.outputs().size());
    for (TensorSpec spec : model.outputs()) {
      OnnxValue value =
          result
              .get(spec.name())
              .orElseThrow(
                  () ->
                      new InferenceException("the model returned no output '" + spec.name() + "'"));
      if (spec.zipMap()) {
        Tensor probabilities = ZipMaps.toTensor(spec.name(), (OnnxSequence) value);
        if (probabilities.rows() != totalRows && model.supportsBatching()) {
          throw new InferenceException(
              "output '"
                  + spec.name()
                  + "' has "
                  + probabilities.rows()
                  + " rows for a batch of "
                  + totalRows);
        }
        outputs.add(probabilities);
        continue;
      }
      OnnxTensor tensor = (OnnxTensor) value;
      long[] shape = tensor.getInfo().getShape();
      if (shape.length == 0 || shape[0] != totalRows) {
        if (model.supportsBatching()) {
          throw new InferenceException(
              "output '"
                  + spec.name()
                  + "' has "
                  + (shape.length == 0 ? 0 : shape[0])
                  + " rows for a batch of "
                  + totalRows);
        }
      }
      int size = (int) tensor.getInfo().getNumElements();
      Object data =
          switch (spec.datatype()) {
            case FP32 -> toArray(tensor.getFloatBuffer());
            case FP64 -> toArray(tensor.getDoubleBuffer());
            case INT32 -> toArray(tensor.getIntBuffer());
            case INT64 -> toArray(tensor.getLongBuffer());
            case FP16, INT16 -> {
              short[] array = new short[size];
              tensor.getShortBuffer().get(array);
              yield array;
            }
            case INT8, UINT8, BOOL -> {
              byte[] array = new byte[size];
              tensor.getByteBuffer().get(array);
              yield array;
            }
            case BYTES -> flatStrings(tensor.getValue(), size);
          };
      outputs.add(new Tensor(spec.name(), spec.datatype(), shape, data, 0, size));
    }
    return outputs;
  }

  /** ONNX Runtime returns string tensors as nested {@code String[]...[]}: flattened row-major. */
  private static String[] flatStrings(Object nested, int size) {
    String[] flat = new String[size];
    int[] at = {0};
    flatten(nested, flat, at);
    return flat;
  }

  private static void flatten(Object nested, String[] flat, int[] at) {
    if (nested instanceof String string) {
      flat[at[0]++] = string;
    } else if (nested instanceof String[] strings) {
      System.arraycopy(strings, 0, flat, at[0], strings.length);
      at[0] += strings.length;
    } else {
      for (Object inner : (Object[]) nested) {
        flatten(inner, flat, at);
      }
    }
  }

  private static float[] toArray(java.nio.FloatBuffer buffer) {
    if (buffer.hasArray()
        && buffer.arrayOffset() == 0
        && buffer.array().length == buffer.remaining()) {
      return buffer.array();
    }
    float[] array = new float[buffer.remaining()];
    buffer.get(array);
    return array;
  }

  private static double[] toArray(java.nio.DoubleBuffer buffer) {
    if (buffer.hasArray()
        && buffer.arrayOffset() == 0
        && buffer.array().length == buffer.remaining()) {
      return buffer.array();
    }
    double[] array = new double[buffer.remaining()];
    buffer.get(array);
    return array;
  }

  private static int[] toArray(java.nio.IntBuffer buffer) {
    if (buffer.hasArray()
        && buffer.arrayOffset() == 0
        && buffer.array().length == buffer.remaining()) {
      return buffer.array();
    }
    int[] array = new int[buffer.remaining()];
    buffer.get(array);
    return array;
  }

  private static long[] toArray(java.nio.LongBuffer buffer) {
    if (buffer.hasArray()
        && buffer.arrayOffset() == 0
        && buffer.array().length == buffer.remaining()) {
      return buffer.array();
    }
    long[] array = new long[buffer.remaining()];
    buffer.get(array);
    return array;
  }
}
