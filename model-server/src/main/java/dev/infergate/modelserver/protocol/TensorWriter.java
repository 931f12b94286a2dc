package dev.infergate.modelserver.protocol;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.infergate.modelserver.runtime.Tensor;
import java.io.IOException;

/** Writes tensor data straight from its primitive array. */
final class TensorWriter {
  private TensorWriter() {}

  static void writeFlat(JsonGenerator json, Tensor tensor) throws IOException {
    writeRange(json, tensor, 0, tensor.size());
  }

  /** Writes elements {@code [from, from + count)} of {@code tensor} as one JSON array. */
  static void writeRange(JsonGenerator json, Tensor tensor, int from, int count) throws IOException {
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
      case BYTES -> throw new IllegalStateException("BYTES tensors are written by the codec");
    }
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
