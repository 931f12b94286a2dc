package dev.infergate.modelserver.runtime;

import ai.onnxruntime.OnnxMap;
import ai.onnxruntime.OnnxSequence;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A ZipMap output ({@code seq(map(int64|string, float))}, one map per row, as scikit-learn
 * classifiers export their probabilities) as an FP32 tensor {@code [rows, classes]}. Columns are
 * the class keys in ascending order (numeric for int64 keys, by UTF-16 code unit for strings): the
 * order of ONNX Runtime's own ordered maps and of scikit-learn's {@code classes_}.
 */
public final class ZipMaps {
  private ZipMaps() {}

  static Tensor toTensor(String name, OnnxSequence sequence) throws OrtException {
    List<? extends OnnxValue> maps = sequence.getValue();
    List<Object> keys = null;
    float[] data = null;
    try {
      for (int row = 0; row < maps.size(); row++) {
        Map<? extends Object, ? extends Object> map = ((OnnxMap) maps.get(row)).getValue();
        if (keys == null) {
          keys = sortedKeys(map);
          data = new float[maps.size() * keys.size()];
        }
        if (map.size() != keys.size()) {
          throw new InferenceException(
              "output '"
                  + name
                  + "': row "
                  + row
                  + " has "
                  + map.size()
                  + " classes, row 0 has "
                  + keys.size());
        }
        for (int column = 0; column < keys.size(); column++) {
          Object probability = map.get(keys.get(column));
          if (!(probability instanceof Float value)) {
            throw new InferenceException(
                "output '" + name + "': row " + row + " lacks class " + keys.get(column));
          }
          data[row * keys.size() + column] = value;
        }
      }
    } finally {
      for (OnnxValue map : maps) {
        map.close();
      }
    }
    int columns = keys == null ? 0 : keys.size();
    return new Tensor(
        name,
        Datatype.FP32,
        new long[] {maps.size(), columns},
        data == null ? new float[0] : data,
        0,
        maps.size() * columns,
        keys == null ? List.of() : keys);
  }

  /** The class keys of one ZipMap row, in column order. */
  public static List<Object> sortedKeys(Map<?, ?> map) {
    List<Object> keys = new ArrayList<>(map.keySet());
    keys.sort(
        (a, b) ->
            a instanceof Long x && b instanceof Long y
                ? Long.compare(x, y)
                : a.toString().compareTo(b.toString()));
    return List.copyOf(keys);
  }
}
