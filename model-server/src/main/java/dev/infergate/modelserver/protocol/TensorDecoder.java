package dev.infergate.modelserver.protocol;

import static dev.infergate.modelserver.protocol.ProtocolException.badRequest;

import dev.infergate.modelserver.runtime.Datatype;
import dev.infergate.modelserver.runtime.Tensor;
import dev.infergate.modelserver.runtime.TensorSpec;
import java.util.Arrays;

/**
 * Checks a tensor as a client sent it against the model's input and converts it to the model's
 * datatype. Shared by the V1 and V2 codecs so both refuse bad input with the same words.
 */
final class TensorDecoder {
  private TensorDecoder() {}

  static Tensor decode(TensorSpec spec, Datatype sent, long[] shape, NumberList data, int maxRows) {
    String input = "input '" + spec.name() + "'";
    if (data.nonNumber() != null) {
      throw badRequest(data.nonNumber());
    }
    if (sent.isInteger() && !data.allIntegral()) {
      throw badRequest(input + ": datatype " + sent + " but data holds " + data.firstFraction());
    }
    if (shape.length != spec.rank()) {
      throw badRequest(input + ": shape " + Arrays.toString(shape) + " has " + shape.length
          + " dimensions, the model expects " + spec.rank() + " " + Arrays.toString(spec.shape()));
    }
    long count = 1;
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] < 0 || (spec.dim(i) >= 0 && shape[i] != spec.dim(i))) {
        throw badRequest(input + ": shape " + Arrays.toString(shape) + " does not fit the model's "
            + Arrays.toString(spec.shape()) + " (-1 means any size)");
      }
      count *= shape[i];
      if (count > Integer.MAX_VALUE) {
        throw badRequest(input + ": shape " + Arrays.toString(shape) + " is too large");
      }
    }
    if (count != data.size()) {
      throw badRequest(input + ": shape " + Arrays.toString(shape) + " needs " + count
          + " values, data has " + data.size());
    }
    if (spec.hasBatchDimension()) {
      if (shape[0] < 1) {
        throw badRequest(input + ": at least one row is needed, shape is " + Arrays.toString(shape));
      }
      if (shape[0] > maxRows) {
        throw badRequest(input + ": " + shape[0] + " rows exceed this model's maxRequestRows of "
            + maxRows + " (larger requests are split into batches up to that many rows); split the request");
      }
    }
    return new Tensor(spec.name(), spec.datatype(), shape, convert(spec, data), 0, data.size());
  }

  /**
   * A value the model's type cannot hold ({@code 1e39} as FP32, {@code 1e400} at all) would run as
   * Infinity or NaN and answer NaN scores with a made-up label: refuse it, naming the input.
   */
  private static ProtocolException notFinite(TensorSpec spec, double sent) {
    return badRequest("input '" + spec.name() + "': " + sent + " is not a finite " + spec.datatype()
        + " value (the model's type); send values within its range");
  }

  private static Object convert(TensorSpec spec, NumberList data) {
    int n = data.size();
    switch (spec.datatype()) {
      case FP32 -> {
        float[] out = new float[n];
        for (int i = 0; i < n; i++) {
          out[i] = (float) data.get(i);
          if (!Float.isFinite(out[i])) {
            throw notFinite(spec, data.get(i));
          }
        }
        return out;
      }
      case FP64 -> {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
          out[i] = data.get(i);
          if (!Double.isFinite(out[i])) {
            throw notFinite(spec, data.get(i));
          }
        }
        return out;
      }
      case INT32 -> {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
          double value = data.get(i);
          if (value != Math.rint(value) || value < Integer.MIN_VALUE || value > Integer.MAX_VALUE) {
            throw badRequest("input '" + spec.name() + "' takes INT32, and " + value + " is not one");
          }
          out[i] = (int) value;
        }
        return out;
      }
      case INT64 -> {
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
          double value = data.get(i);
          if (value != Math.rint(value) || value < Long.MIN_VALUE || value >= 0x1p63) {
            throw badRequest("input '" + spec.name() + "' takes INT64, and " + value + " is not one");
          }
          out[i] = (long) value;
        }
        return out;
      }
      default -> throw badRequest("input '" + spec.name() + "' has datatype " + spec.datatype()
          + ", which this server cannot feed");
    }
  }
}
