package dev.infergate.modelserver.runtime;

import java.util.Arrays;
import java.util.List;

/**
 * A tensor on the heap: a window {@code [offset, offset + size)} of the array {@link Datatype}
 * names for its type ({@code float[]} for FP32, {@code String[]} for BYTES...), in row-major order.
 * Windows let a batch's output be split per request without copying.
 */
public final class Tensor {
  private final String name;
  private final Datatype datatype;
  private final long[] shape;
  private final Object data;
  private final int offset;
  private final int size;
  private final List<Object> classes;

  public Tensor(String name, Datatype datatype, long[] shape, Object data, int offset, int size) {
    this(name, datatype, shape, data, offset, size, List.of());
  }

  /** A ZipMap output's tensor, with its class keys in column order. */
  public Tensor(
      String name,
      Datatype datatype,
      long[] shape,
      Object data,
      int offset,
      int size,
      List<Object> classes) {
    this.classes = classes;
    this.name = name;
    this.datatype = datatype;
    this.shape = shape;
    this.data = data;
    this.offset = offset;
    this.size = size;
  }

  public static Tensor of(String name, long[] shape, float[] data) {
    return new Tensor(name, Datatype.FP32, shape, data, 0, data.length);
  }

  public String name() {
    return name;
  }

  public Datatype datatype() {
    return datatype;
  }

  public long[] shape() {
    return shape.clone();
  }

  /** The first dimension: how many rows this tensor adds to a batch. */
  public int rows() {
    return shape.length == 0 ? 1 : (int) shape[0];
  }

  /** The class keys naming the columns of a ZipMap output; empty for other tensors. */
  public List<Object> classes() {
    return classes;
  }

  public int size() {
    return size;
  }

  public int offset() {
    return offset;
  }

  /** The backing primitive array; read it from {@link #offset()} for {@link #size()} elements. */
  public Object data() {
    return data;
  }

  /** Element {@code index} as a number (FP16 decoded, UINT8 unsigned, BOOL 0 or 1). */
  public double getDouble(int index) {
    int i = offset + index;
    return switch (datatype) {
      case FP32 -> ((float[]) data)[i];
      case FP64 -> ((double[]) data)[i];
      case FP16 -> ai.onnxruntime.platform.Fp16Conversions.fp16ToFloat(((short[]) data)[i]);
      case INT8, BOOL -> ((byte[]) data)[i];
      case UINT8 -> ((byte[]) data)[i] & 0xff;
      case INT16 -> ((short[]) data)[i];
      case INT32 -> ((int[]) data)[i];
      case INT64 -> ((long[]) data)[i];
      case BYTES -> throw new IllegalStateException("BYTES tensor " + name + " has no numbers");
    };
  }

  /** Element {@code index} of a BYTES tensor. */
  public String getString(int index) {
    return ((String[]) data)[offset + index];
  }

  /** Rows {@code [firstRow, firstRow + rowCount)} as a window on the same array. */
  public Tensor rowSlice(int firstRow, int rowCount) {
    int rowSize = shape[0] == 0 ? 0 : size / (int) shape[0];
    long[] sliceShape = shape.clone();
    sliceShape[0] = rowCount;
    return new Tensor(
        name, datatype, sliceShape, data, offset + firstRow * rowSize, rowCount * rowSize, classes);
  }

  @Override
  public String toString() {
    return name + ":" + datatype + Arrays.toString(shape);
  }
}
