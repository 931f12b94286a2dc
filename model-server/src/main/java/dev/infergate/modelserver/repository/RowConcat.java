package dev.infergate.modelserver.repository;

import dev.infergate.modelserver.runtime.Tensor;
import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.List;

/**
 * Joins the outputs of a split request's parts back into one tensor per output, rows in part order.
 * Copies element arrays of any type (the part windows may share a batch's array), so it holds for
 * every element type a {@link Tensor} carries.
 */
final class RowConcat {
  private RowConcat() {}

  /**
   * {@code parts.get(p).get(o)} is output {@code o} of part {@code p}; every part has the same
   * outputs.
   */
  static List<Tensor> join(List<List<Tensor>> parts) {
    List<Tensor> first = parts.get(0);
    List<Tensor> joined = new ArrayList<>(first.size());
    for (int o = 0; o < first.size(); o++) {
      Tensor head = first.get(o);
      int size = 0;
      long rows = 0;
      for (List<Tensor> part : parts) {
        size = Math.addExact(size, part.get(o).size());
        rows += part.get(o).rows();
      }
      Object data = Array.newInstance(head.data().getClass().getComponentType(), size);
      int at = 0;
      for (List<Tensor> part : parts) {
        Tensor tensor = part.get(o);
        System.arraycopy(tensor.data(), tensor.offset(), data, at, tensor.size());
        at += tensor.size();
      }
      long[] shape = head.shape();
      shape[0] = rows;
      joined.add(new Tensor(head.name(), head.datatype(), shape, data, 0, size, head.classes()));
    }
    return joined;
  }
}
