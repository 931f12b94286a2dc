package dev.infergate.modelserver.runtime;

import java.util.Arrays;

/** A model input or output as the protocol's metadata shows it; {@code -1} marks a variable dimension. */
public record TensorSpec(String name, Datatype datatype, long[] shape) {
  public TensorSpec {
    shape = shape.clone();
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
    return other instanceof TensorSpec spec && name.equals(spec.name) && datatype == spec.datatype
        && Arrays.equals(shape, spec.shape);
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
