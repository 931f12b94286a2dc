package dev.infergate.modelserver.runtime;

import java.util.Arrays;
import java.util.List;

/**
 * A model input or output as the protocol's metadata shows it; {@code -1} marks a variable
 * dimension.
 *
 * @param zipMap true for an ONNX {@code seq(map(int64|string, float))} output (scikit-learn's
 *     ZipMap), served as an FP32 tensor {@code [rows, classes]}
 * @param classes a ZipMap output's class keys ({@code Long} or {@code String}) in column order,
 *     learnt from the warm-up run; empty for tensors
 */
public record TensorSpec(
    String name, Datatype datatype, long[] shape, boolean zipMap, List<Object> classes) {
  public TensorSpec {
    shape = shape.clone();
    classes = List.copyOf(classes);
  }

  public TensorSpec(String name, Datatype datatype, long[] shape) {
    this(name, datatype, shape, false, List.of());
  }

  /** This ZipMap output with its class keys known: shape {@code [-1, classes]}. */
  public TensorSpec withClasses(List<Object> keys) {
    return new TensorSpec(name, datatype, new long[] {-1, keys.size()}, true, keys);
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  public int rank() {
    return shape.length;
  }

  public long dim(int index) {
    return shape[index];
  }

  /** True when the first dimension is variable, so requests can be stacked along it. */
  public boolean hasBatchDimension() {
    return shape.length > 0 && shape[0] == -1;
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof TensorSpec spec
        && name.equals(spec.name)
        && datatype == spec.datatype
        && Arrays.equals(shape, spec.shape)
        && zipMap == spec.zipMap
        && classes.equals(spec.classes);
  }

  @Override
  public int hashCode() {
    return name.hashCode() * 31 + Arrays.hashCode(shape);
  }

  @Override
  public String toString() {
    return name + ":" + datatype + Arrays.toString(shape);
  }
}
