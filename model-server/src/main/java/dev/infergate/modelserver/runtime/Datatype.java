package dev.infergate.modelserver.runtime;

import ai.onnxruntime.OnnxJavaType;
import java.util.Optional;

/**
 * Tensor element types by their KServe V2 names, each with the ONNX type it feeds and the Java
 * array that holds it on the heap: FP32 {@code float[]}, FP64 {@code double[]}, FP16 {@code
 * short[]} (IEEE half bits), INT8, UINT8 and BOOL {@code byte[]} (BOOL as 0/1), INT16 {@code
 * short[]}, INT32 {@code int[]}, INT64 {@code long[]}, BYTES {@code String[]} (ONNX STRING, UTF-8
 * on the wire).
 */
public enum Datatype {
  FP32(4, OnnxJavaType.FLOAT),
  FP64(8, OnnxJavaType.DOUBLE),
  FP16(2, OnnxJavaType.FLOAT16),
  INT8(1, OnnxJavaType.INT8),
  INT16(2, OnnxJavaType.INT16),
  INT32(4, OnnxJavaType.INT32),
  INT64(8, OnnxJavaType.INT64),
  UINT8(1, OnnxJavaType.UINT8),
  BOOL(1, OnnxJavaType.BOOL),
  BYTES(0, OnnxJavaType.STRING);

  private final int byteSize;
  private final OnnxJavaType onnx;

  Datatype(int byteSize, OnnxJavaType onnx) {
    this.byteSize = byteSize;
    this.onnx = onnx;
  }

  /** Bytes per element in the binary data extension and in ONNX Runtime buffers; 0 for BYTES. */
  public int byteSize() {
    return byteSize;
  }

  OnnxJavaType onnx() {
    return onnx;
  }

  public boolean isInteger() {
    return this == INT8 || this == INT16 || this == INT32 || this == INT64 || this == UINT8;
  }

  /** Numbers in JSON: every type but BYTES and BOOL. */
  public boolean isNumeric() {
    return this != BYTES && this != BOOL;
  }

  /** The datatype a request names, by its KServe V2 name; anything else is refused with a 400. */
  public static Optional<Datatype> named(String name) {
    for (Datatype type : values()) {
      if (type.name().equals(name)) {
        return Optional.of(type);
      }
    }
    return Optional.empty();
  }

  /** An empty array of this type's Java element type. */
  public Object newArray(int size) {
    return switch (this) {
      case FP32 -> new float[size];
      case FP64 -> new double[size];
      case FP16, INT16 -> new short[size];
      case INT8, UINT8, BOOL -> new byte[size];
      case INT32 -> new int[size];
      case INT64 -> new long[size];
      case BYTES -> emptyStrings(size);
    };
  }

  private static String[] emptyStrings(int size) {
    String[] strings = new String[size];
    java.util.Arrays.fill(strings, "");
    return strings;
  }

  static Optional<Datatype> fromOnnx(OnnxJavaType type) {
    for (Datatype datatype : values()) {
      if (datatype.onnx == type) {
        return Optional.of(datatype);
      }
    }
    return Optional.empty();
  }
}
