package dev.infergate.modelserver.protocol;

import static dev.infergate.modelserver.protocol.ProtocolException.badRequest;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.StreamReadException;
import dev.infergate.modelserver.repository.ModelVersion;
import dev.infergate.modelserver.runtime.Datatype;
import dev.infergate.modelserver.runtime.InferenceRequest;
import dev.infergate.modelserver.runtime.Tensor;
import dev.infergate.modelserver.runtime.TensorSpec;
import io.vertx.core.buffer.Buffer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * KServe V1 / TF Serving predict: {@code {"instances": [row, ...]}} in, {@code {"predictions":
 * [...]}} out. For a model with one input, a row is an array (nested for inputs of rank > 2), or,
 * when the model's config names its features, an object keyed by feature name. For a model with
 * several inputs (a DataFrame export: one input per column), a row is an object keyed by input
 * name, each value that input's row (a number or string, or an array). A classifier's prediction is
 * {@code {"label": ..., "probabilities": {class: p, ...}}}: with config labels over the scores
 * output, or from a ZipMap output (its class keys) with the label from the model's label output, in
 * its own type. Stateless and thread-safe.
 */
public final class V1Codec {

  public InferenceRequest parsePredict(Buffer body, ModelVersion model) {
    for (TensorSpec spec : model.inputs()) {
      if (!spec.hasBatchDimension()) {
        throw badRequest(
            "model " + model.name() + " takes no batch dimension; use the V2 protocol");
      }
      for (int i = 1; i < spec.rank(); i++) {
        if (spec.dim(i) < 0) {
          throw badRequest(
              "model " + model.name() + " has variable inner dimensions; use the V2 protocol");
        }
      }
    }
    boolean byColumn = model.inputs().size() > 1;
    TensorSpec spec = model.inputs().get(0);
    long rowSize = rowSize(spec);
    try (JsonParser parser = Json.parser(body)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw badRequest("the request body must be a JSON object, found " + Json.describe(parser));
      }
      NumberList[] columns = null;
      int rows = 0;
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        parser.nextToken();
        if (field.equals("instances")) {
          Json.expect(parser, JsonToken.START_ARRAY, "instances");
          columns = new NumberList[model.inputs().size()];
          for (int i = 0; i < columns.length; i++) {
            columns[i] = new NumberList();
          }
          while (parser.nextToken() != JsonToken.END_ARRAY) {
            if (byColumn
                || (parser.currentToken() == JsonToken.START_OBJECT
                    && model.config().features().isEmpty())) {
              readColumns(parser, columns, model, rows);
            } else {
              readInstance(parser, columns[0], model, rows, rowSize);
            }
            rows++;
          }
        } else {
          parser.skipChildren();
        }
      }
      if (columns == null || rows == 0) {
        throw badRequest("instances must be a non-empty array");
      }
      List<Tensor> tensors = new ArrayList<>(columns.length);
      for (int i = 0; i < columns.length; i++) {
        TensorSpec input = model.inputs().get(i);
        long[] shape = input.shape();
        shape[0] = rows;
        Datatype sent = input.datatype() == Datatype.BYTES ? Datatype.BYTES : Datatype.FP64;
        tensors.add(TensorDecoder.decode(input, sent, shape, columns[i], model.maxRequestRows()));
      }
      return new InferenceRequest(null, tensors, null);
    } catch (StreamReadException e) {
      throw badRequest("malformed JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw badRequest("unreadable request body: " + e.getMessage());
    }
  }

  private static long rowSize(TensorSpec spec) {
    long rowSize = 1;
    for (int i = 1; i < spec.rank(); i++) {
      rowSize *= spec.dim(i);
    }
    return rowSize;
  }

  /** One row of a model with several inputs: an object with one value (or array) per input name. */
  private static void readColumns(
      JsonParser parser, NumberList[] columns, ModelVersion model, int row) throws IOException {
    String where = "instances[" + row + "]";
    List<TensorSpec> inputs = model.inputs();
    if (parser.currentToken() != JsonToken.START_OBJECT) {
      throw badRequest(
          where
              + " must be an object keyed by input name, the model takes "
              + inputs.stream().map(TensorSpec::name).toList()
              + "; found "
              + Json.describe(parser));
    }
    boolean[] seen = new boolean[inputs.size()];
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String name = parser.currentName();
      int index = -1;
      for (int i = 0; i < inputs.size(); i++) {
        if (inputs.get(i).name().equals(name)) {
          index = i;
        }
      }
      if (index < 0) {
        throw badRequest(
            where
                + ": unknown input '"
                + Json.abbreviate(name)
                + "'; the model takes "
                + inputs.stream().map(TensorSpec::name).toList());
      }
      if (seen[index]) {
        throw badRequest(where + ": input '" + name + "' is given twice");
      }
      seen[index] = true;
      parser.nextToken();
      NumberList column = columns[index];
      int before = column.count();
      Json.readNumbers(parser, column, where + "." + name);
      if (column.nonNumber() != null) {
        throw badRequest(column.nonNumber());
      }
      long expected = rowSize(inputs.get(index));
      if (column.count() - before != expected) {
        throw badRequest(
            where
                + "."
                + name
                + " has "
                + (column.count() - before)
                + " values, the model takes "
                + expected
                + " per row");
      }
    }
    for (int i = 0; i < inputs.size(); i++) {
      if (!seen[i]) {
        throw badRequest(where + ": missing input '" + inputs.get(i).name() + "'");
      }
    }
  }

  private static void readInstance(
      JsonParser parser, NumberList data, ModelVersion model, int row, long rowSize)
      throws IOException {
    String where = "instances[" + row + "]";
    int before = data.count();
    if (parser.currentToken() == JsonToken.START_OBJECT) {
      readNamedFeatures(parser, data, model.config().features(), where);
    } else {
      Json.readNumbers(parser, data, where);
    }
    if (data.nonNumber() != null) {
      throw badRequest(data.nonNumber());
    }
    if (data.count() - before != rowSize) {
      throw badRequest(
          where
              + " has "
              + (data.count() - before)
              + " values, the model takes "
              + rowSize
              + " per row");
    }
  }

  private static void readNamedFeatures(
      JsonParser parser, NumberList data, List<String> features, String where) throws IOException {
    if (features.isEmpty()) {
      throw badRequest(where + " is an object, but this model names no features; send an array");
    }
    double[] values = new double[features.size()];
    boolean[] seen = new boolean[features.size()];
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String feature = parser.currentName();
      int index = features.indexOf(feature);
      if (index < 0) {
        throw badRequest(
            where + ": unknown feature '" + feature + "'; the model takes " + features);
      }
      JsonToken token = parser.nextToken();
      if (token != JsonToken.VALUE_NUMBER_INT && token != JsonToken.VALUE_NUMBER_FLOAT) {
        throw badRequest(
            where + "." + feature + " must be a number, found " + Json.describe(parser));
      }
      values[index] = parser.getDoubleValue();
      seen[index] = true;
    }
    for (int i = 0; i < features.size(); i++) {
      if (!seen[i]) {
        throw badRequest(where + ": missing feature '" + features.get(i) + "'");
      }
      data.add(values[i]);
    }
  }

  public Buffer encodePredictions(ModelVersion model, List<Tensor> outputs) {
    int zipMap = -1;
    for (int i = 0; i < outputs.size(); i++) {
      if (!outputs.get(i).classes().isEmpty()) {
        zipMap = i;
        break;
      }
    }
    int labelTensor = zipMap < 0 ? -1 : labelTensor(outputs);
    int zipMapIndex = zipMap;
    return Json.write(
        json -> {
          json.writeStartObject();
          json.writeArrayFieldStart("predictions");
          int rows = outputs.get(0).rows();
          for (int row = 0; row < rows; row++) {
            if (model.labelledOutput() >= 0) {
              writeClassification(json, model, outputs.get(model.labelledOutput()), row);
            } else if (zipMapIndex >= 0) {
              writeZipMapRow(
                  json,
                  outputs.get(zipMapIndex),
                  labelTensor < 0 ? null : outputs.get(labelTensor),
                  row);
            } else if (outputs.size() == 1) {
              writeRow(json, outputs.get(0), row);
            } else {
              json.writeStartObject();
              for (Tensor output : outputs) {
                json.writeFieldName(output.name());
                writeRow(json, output, row);
              }
              json.writeEndObject();
            }
          }
          json.writeEndArray();
          json.writeEndObject();
        });
  }

  /**
   * The classifier's label output: a one-dimensional INT64 or BYTES tensor (skl2onnx's
   * output_label).
   */
  private static int labelTensor(List<Tensor> outputs) {
    for (int i = 0; i < outputs.size(); i++) {
      Tensor output = outputs.get(i);
      if (output.shape().length == 1
          && (output.datatype() == Datatype.INT64
              || output.datatype() == Datatype.BYTES
              || output.datatype() == Datatype.INT32)) {
        return i;
      }
    }
    return -1;
  }

  private static void writeZipMapRow(
      JsonGenerator json, Tensor probabilities, Tensor label, int row) throws IOException {
    List<Object> classes = probabilities.classes();
    json.writeStartObject();
    json.writeFieldName("label");
    if (label != null) {
      TensorWriter.writeElement(json, label, row);
    } else {
      TensorWriter.writeKey(json, classes.get(TensorWriter.argmax(probabilities, row)));
    }
    json.writeObjectFieldStart("probabilities");
    for (int column = 0; column < classes.size(); column++) {
      json.writeNumberField(
          classes.get(column).toString(),
          (float) probabilities.getDouble(row * classes.size() + column));
    }
    json.writeEndObject();
    json.writeEndObject();
  }

  private static void writeClassification(
      JsonGenerator json, ModelVersion model, Tensor scores, int row) throws IOException {
    List<String> labels = model.labels();
    json.writeStartObject();
    json.writeStringField("label", labels.get(TensorWriter.argmax(scores, row)));
    json.writeObjectFieldStart("probabilities");
    for (int column = 0; column < labels.size(); column++) {
      json.writeNumberField(
          labels.get(column), (float) scores.getDouble(row * labels.size() + column));
    }
    json.writeEndObject();
    json.writeEndObject();
  }

  /**
   * One row: a value of the output's type for [rows] outputs, else the row's values (flat,
   * row-major).
   */
  private static void writeRow(JsonGenerator json, Tensor output, int row) throws IOException {
    int rowSize = output.size() / output.rows();
    if (output.shape().length == 1) {
      TensorWriter.writeElement(json, output, row);
    } else {
      TensorWriter.writeRange(json, output, row * rowSize, rowSize);
    }
  }
}
