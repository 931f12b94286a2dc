package dev.infergate.modelserver.protocol;

import ai.onnxruntime.platform.Fp16Conversions;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.infergate.modelserver.runtime.Tensor;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Writes tensor data straight from its primitive array: JSON values, or binary (little-endian). */
final class TensorWriter {
  private TensorWriter() {}

  static void writeFlat(JsonGenerator json, Tensor tensor) throws IOException {
    writeRange(json, tensor, 0, tensor.size());
  }

  /** Writes elements {@code [from, from + count)} of {@code tensor} as one JSON array. */
  static void writeRange(JsonGenerator json, Tensor tensor, int from, int count)
      throws IOException {
    int start = tensor.offset() + from;
    switch (tensor.datatype()) {
      case FP32 -> {
        float[] data = (float[]) tensor.data();
        json.writeStartArray();
        for (int i = start; i < start + count; i++) {
          json.writeNumber(data[i]);
        }
        json.writeEndArray();
      }
      case FP64 -> json.writeArray((double[]) tensor.data(), start, count);
      case INT32 -> json.writeArray((int[]) tensor.data(), start, count);
      case INT64 -> json.writeArray((long[]) tensor.data(), start, count);
      default -> {
        json.writeStartArray();
        for (int i = from; i < from + count; i++) {
          writeElement(json, tensor, i);
        }
        json.writeEndArray();
      }
    }
  }

  /**
   * Element {@code index} as one JSON value of its own type: 0 for INT64 0, true for BOOL, a string
   * for BYTES.
   */
  static void writeElement(JsonGenerator json, Tensor tensor, int index) throws IOException {
    int i = tensor.offset() + index;
    switch (tensor.datatype()) {
      case FP32 -> json.writeNumber(((float[]) tensor.data())[i]);
      case FP64 -> json.writeNumber(((double[]) tensor.data())[i]);
      case FP16 -> json.writeNumber(Fp16Conversions.fp16ToFloat(((short[]) tensor.data())[i]));
      case INT8 -> json.writeNumber(((byte[]) tensor.data())[i]);
      case UINT8 -> json.writeNumber(((byte[]) tensor.data())[i] & 0xff);
      case BOOL -> json.writeBoolean(((byte[]) tensor.data())[i] != 0);
      case INT16 -> json.writeNumber(((short[]) tensor.data())[i]);
      case INT32 -> json.writeNumber(((int[]) tensor.data())[i]);
      case INT64 -> json.writeNumber(((long[]) tensor.data())[i]);
      case BYTES -> json.writeString(((String[]) tensor.data())[i]);
    }
  }

  /** A class key as JSON: a number for int64 keys, a string otherwise. */
  static void writeKey(JsonGenerator json, Object key) throws IOException {
    if (key instanceof Long number) {
      json.writeNumber(number);
    } else {
      json.writeString(key.toString());
    }
  }

  static void writeClasses(JsonGenerator json, List<Object> classes) throws IOException {
    json.writeArrayFieldStart("classes");
    for (Object key : classes) {
      writeKey(json, key);
    }
    json.writeEndArray();
  }

  /** The tensor's data in the binary tensor data extension's layout. */
  static byte[] binary(Tensor tensor) {
    int n = tensor.size();
    int start = tensor.offset();
    if (tensor.datatype() == dev.infergate.modelserver.runtime.Datatype.BYTES) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(n * 16);
      byte[] length = new byte[4];
      for (int i = 0; i < n; i++) {
        byte[] utf8 = ((String[]) tensor.data())[start + i].getBytes(StandardCharsets.UTF_8);
        ByteBuffer.wrap(length).order(ByteOrder.LITTLE_ENDIAN).putInt(utf8.length);
        out.write(length, 0, 4);
        out.write(utf8, 0, utf8.length);
      }
      return out.toByteArray();
    }
    ByteBuffer bytes =
        ByteBuffer.allocate(n * tensor.datatype().byteSize()).order(ByteOrder.LITTLE_ENDIAN);
    switch (tensor.datatype()) {
      case FP32 -> bytes.asFloatBuffer().put((float[]) tensor.data(), start, n);
      case FP64 -> bytes.asDoubleBuffer().put((double[]) tensor.data(), start, n);
      case FP16, INT16 -> bytes.asShortBuffer().put((short[]) tensor.data(), start, n);
      case INT32 -> bytes.asIntBuffer().put((int[]) tensor.data(), start, n);
      case INT64 -> bytes.asLongBuffer().put((long[]) tensor.data(), start, n);
      case INT8, UINT8, BOOL -> bytes.put((byte[]) tensor.data(), start, n);
      case BYTES -> throw new IllegalStateException("handled above");
    }
    return bytes.array();
  }

  /** The column with the highest score in {@code row} of a [rows, classes] tensor. */
  static int argmax(Tensor scores, int row) {
    int columns = scores.size() / scores.rows();
    int best = 0;
    for (int column = 1; column < columns; column++) {
      if (scores.getDouble(row * columns + column) > scores.getDouble(row * columns + best)) {
        best = column;
      }
    }
    return best;
  }
}
