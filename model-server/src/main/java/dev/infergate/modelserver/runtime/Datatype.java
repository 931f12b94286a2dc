package dev.infergate.modelserver.runtime;

import ai.onnxruntime.OnnxJavaType;
import java.util.Optional;

/**
 * Tensor element types by their KServe V2 names. The server computes on the four numeric types;
 * {@code BYTES} only appears in responses (class labels).
 */
public enum Datatype {
  FP32(4), FP64(8), INT32(4), INT64(8), BYTES(0);

  private final int byteSize;

  Datatype(int byteSize) {
    this.byteSize = byteSize;
  }

  public int byteSize() {
    return byteSize;
  }

  public boolean isInteger() {
    return this == INT32 || this == INT64;
  }

  /** The datatype a request may name for a numeric tensor; anything else is refused with a 400. */
  public static Optional<Datatype> numeric(String name) {
    return switch (name) {
      case "FP32" -> Optional.of(FP32);
      case "FP64" -> Optional.of(FP64);
      case "INT32" -> Optional.of(INT32);
      case "INT64" -> Optional.of(INT64);
      default -> Optional.empty();
    };
  }

  static Optional<Datatype> fromOnnx(OnnxJavaType type) {
    return switch (type) {
      case FLOAT -> Optional.of(FP32);
      case DOUBLE -> Optional.of(FP64);
      case INT32 -> Optional.of(INT32);
      case INT64 -> Optional.of(INT64);
      default -> Optional.empty();
    };
  }
}
