package dev.infergate.modelserver.protocol;

import static dev.infergate.modelserver.protocol.ProtocolException.badRequest;

import ai.onnxruntime.platform.Fp16Conversions;
import dev.infergate.modelserver.runtime.Datatype;
import dev.infergate.modelserver.runtime.Tensor;
import dev.infergate.modelserver.runtime.TensorSpec;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Checks a tensor as a client sent it against the model's input and converts it to the model's
 * datatype: JSON numbers to any numeric type (range-checked), JSON booleans (or 0 and 1) to BOOL,
 * JSON strings to BYTES; binary data (the binary tensor data extension) of exactly the model's
 * datatype. Shared by the V1 and V2 codecs so both refuse bad input with the same words.
 */
final class TensorDecoder {
  private TensorDecoder() {}

  static Tensor decode(TensorSpec spec, Datatype sent, long[] shape, NumberList data, int maxRows) {
    String input = "input '" + spec.name() + "'";
    if (data.nonNumber() != null) {
      throw badRequest(data.nonNumber());
    }
    if (spec.datatype() == Datatype.BYTES) {
      if (sent != Datatype.BYTES) {
        throw badRequest(input + ": datatype " + sent + ", the model takes BYTES (strings)");
      }
      if (data.count() != data.stringCount()) {
        throw badRequest(input + ": BYTES data must hold only strings");
      }
    } else if (sent == Datatype.BYTES) {
      throw badRequest(
          input
              + ": datatype 'BYTES' is not accepted; the model takes "
              + spec.datatype()
              + " (numbers of any numeric datatype are converted)");
    } else if (data.stringCount() > 0) {
      throw badRequest(
          input
              + ": data must hold only numbers for "
              + spec.datatype()
              + ", found string \""
              + Json.abbreviate(data.string(0))
              + "\"");
    } else if (data.hasBooleans() && spec.datatype() != Datatype.BOOL) {
      throw badRequest(
          input + ": data holds booleans, the model takes " + spec.datatype() + " numbers");
    } else if (sent.isInteger() && !data.allIntegral()) {
      throw badRequest(input + ": datatype " + sent + " but data holds " + data.firstFraction());
    }
    int count = checkShape(spec, shape);
    if (count != data.count()) {
      throw badRequest(
          input
              + ": shape "
              + Arrays.toString(shape)
              + " needs "
              + count
              + " values, data has "
              + data.count());
    }
    checkRows(spec, shape, maxRows);
    return new Tensor(spec.name(), spec.datatype(), shape, convert(spec, data), 0, count);
  }

  /**
   * A binary input: {@code length} bytes of {@code body} from {@code offset}, little-endian, in the
   * model's own datatype (BYTES elements each a 4-byte little-endian length and the bytes).
   */
  static Tensor decodeBinary(
      TensorSpec spec,
      Datatype sent,
      long[] shape,
      byte[] body,
      int offset,
      int length,
      int maxRows) {
    String input = "input '" + spec.name() + "'";
    if (sent != spec.datatype()) {
      throw badRequest(
          input
              + ": binary data of datatype "
              + sent
              + ", the model takes "
              + spec.datatype()
              + "; binary data is not converted, send "
              + spec.datatype());
    }
    int count = checkShape(spec, shape);
    checkRows(spec, shape, maxRows);
    Datatype type = spec.datatype();
    if (type != Datatype.BYTES && (long) count * type.byteSize() != length) {
      throw badRequest(
          input
              + ": shape "
              + Arrays.toString(shape)
              + " of "
              + type
              + " needs "
              + (long) count * type.byteSize()
              + " bytes, binary_data_size is "
              + length);
    }
    ByteBuffer bytes = ByteBuffer.wrap(body, offset, length).slice().order(ByteOrder.LITTLE_ENDIAN);
    Object array = type.newArray(count);
    switch (type) {
      case FP32 -> bytes.asFloatBuffer().get((float[]) array);
      case FP64 -> bytes.asDoubleBuffer().get((double[]) array);
      case FP16, INT16 -> bytes.asShortBuffer().get((short[]) array);
      case INT32 -> bytes.asIntBuffer().get((int[]) array);
      case INT64 -> bytes.asLongBuffer().get((long[]) array);
      case INT8, UINT8 -> bytes.get((byte[]) array);
      case BOOL -> {
        byte[] flags = (byte[]) array;
        bytes.get(flags);
        for (int i = 0; i < count; i++) {
          if (flags[i] != 0 && flags[i] != 1) {
            throw badRequest(
                input + ": BOOL element " + i + " is byte " + flags[i] + ", not 0 or 1");
          }
        }
      }
      case BYTES -> readStrings(input, bytes, (String[]) array);
    }
    if (type == Datatype.FP32) {
      float[] floats = (float[]) array;
      for (float value : floats) {
        if (!Float.isFinite(value)) {
          throw notFinite(spec, value);
        }
      }
    }
    return new Tensor(spec.name(), type, shape, array, 0, count);
  }

  private static void readStrings(String input, ByteBuffer bytes, String[] into) {
    var decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    for (int i = 0; i < into.length; i++) {
      if (bytes.remaining() < 4) {
        throw badRequest(
            input + ": BYTES element " + i + " has no 4-byte length; binary_data_size ends first");
      }
      long length = bytes.getInt() & 0xffffffffL;
      if (length > bytes.remaining()) {
        throw badRequest(
            input
                + ": BYTES element "
                + i
                + " declares "
                + length
                + " bytes, "
                + bytes.remaining()
                + " are left in binary_data_size");
      }
      ByteBuffer element = bytes.slice().limit((int) length);
      bytes.position(bytes.position() + (int) length);
      try {
        into[i] = decoder.decode(element).toString();
      } catch (CharacterCodingException e) {
        throw badRequest(
            input + ": BYTES element " + i + " is not UTF-8 text (the model takes ONNX strings)");
      }
    }
    if (bytes.hasRemaining()) {
      throw badRequest(
          input
              + ": "
              + bytes.remaining()
              + " bytes follow the "
              + into.length
              + " BYTES elements the shape holds");
    }
  }

  /** Checks {@code shape} against the model's and returns the element count. */
  static int checkShape(TensorSpec spec, long[] shape) {
    String input = "input '" + spec.name() + "'";
    if (shape.length != spec.rank()) {
      throw badRequest(
          input
              + ": shape "
              + Arrays.toString(shape)
              + " has "
              + shape.length
              + " dimensions, the model expects "
              + spec.rank()
              + " "
              + Arrays.toString(spec.shape()));
    }
    long count = 1;
    for (int i = 0; i < shape.length; i++) {
      if (shape[i] < 0 || (spec.dim(i) >= 0 && shape[i] != spec.dim(i))) {
        throw badRequest(
            input
                + ": shape "
                + Arrays.toString(shape)
                + " does not fit the model's "
                + Arrays.toString(spec.shape())
                + " (-1 means any size)");
      }
      count *= shape[i];
      if (count > Integer.MAX_VALUE) {
        throw badRequest(input + ": shape " + Arrays.toString(shape) + " is too large");
      }
    }
    return (int) count;
  }

  private static void checkRows(TensorSpec spec, long[] shape, int maxRows) {
    String input = "input '" + spec.name() + "'";
    if (spec.hasBatchDimension()) {
      if (shape[0] < 1) {
        throw badRequest(
            input + ": at least one row is needed, shape is " + Arrays.toString(shape));
      }
      if (shape[0] > maxRows) {
        throw badRequest(
            input
                + ": "
                + shape[0]
                + " rows exceed this model's maxRequestRows of "
                + maxRows
                + " (larger requests are split into batches up to that many rows); split the request");
      }
    }
  }

  /**
   * A value the model's type cannot hold ({@code 1e39} as FP32, {@code 1e400} at all) would run as
   * Infinity or NaN and answer NaN scores with a made-up label: refuse it, naming the input.
   */
  private static ProtocolException notFinite(TensorSpec spec, double sent) {
    return badRequest(
        "input '"
            + spec.name()
            + "': "
            + sent
            + " is not a finite "
            + spec.datatype()
            + " value (the model's type); send values within its range");
  }

  private static ProtocolException notInteger(TensorSpec spec, double value) {
    return badRequest(
        "input '" + spec.name() + "' takes " + spec.datatype() + ", and " + value + " is not one");
  }

  private static long integer(TensorSpec spec, NumberList data, int i, long min, long max) {
    double value = data.get(i);
    if (value != Math.rint(value) || value < min || value > max) {
      throw notInteger(spec, value);
    }
    return (long) value;
  }

  private static Object convert(TensorSpec spec, NumberList data) {
    int n = data.count();
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
      case FP16 -> {
        short[] out = new short[n];
        for (int i = 0; i < n; i++) {
          out[i] = Fp16Conversions.floatToFp16((float) data.get(i));
          if (!Float.isFinite(Fp16Conversions.fp16ToFloat(out[i]))) {
            throw notFinite(spec, data.get(i));
          }
        }
        return out;
      }
      case INT8 -> {
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) {
          out[i] = (byte) integer(spec, data, i, Byte.MIN_VALUE, Byte.MAX_VALUE);
        }
        return out;
      }
      case UINT8 -> {
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) {
          out[i] = (byte) integer(spec, data, i, 0, 255);
        }
        return out;
      }
      case BOOL -> {
        byte[] out = new byte[n];
        for (int i = 0; i < n; i++) {
          out[i] = (byte) integer(spec, data, i, 0, 1);
        }
        return out;
      }
      case INT16 -> {
        short[] out = new short[n];
        for (int i = 0; i < n; i++) {
          out[i] = (short) integer(spec, data, i, Short.MIN_VALUE, Short.MAX_VALUE);
        }
        return out;
      }
      case INT32 -> {
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
          out[i] = (int) integer(spec, data, i, Integer.MIN_VALUE, Integer.MAX_VALUE);
        }
        return out;
      }
      case INT64 -> {
        long[] out = new long[n];
        for (int i = 0; i < n; i++) {
          if (data.isExactLong(i)) {
            out[i] = data.getLong(i);
            continue;
          }
          double value = data.get(i);
          if (value != Math.rint(value) || value < Long.MIN_VALUE || value >= 0x1p63) {
            throw notInteger(spec, value);
          }
          out[i] = (long) value;
        }
        return out;
      }
      case BYTES -> {
        String[] out = new String[n];
        for (int i = 0; i < n; i++) {
          out[i] = data.string(i);
        }
        return out;
      }
      default -> throw new IllegalStateException("unhandled datatype " + spec.datatype());
    }
  }
}
