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
import java.util.List;

/**
 * KServe V1 / TF Serving predict: {@code {"instances": [row, ...]}} in, {@code {"predictions": [...]}}
 * out, for models with one input. A row is an array (nested for inputs of rank > 2), or, when the
 * model's config names its features, an object keyed by feature name. With labels, each prediction
 * is {@code {"label": ..., "probabilities": {label: p, ...}}}. Stateless and thread-safe.
 */
public final class V1Codec {

  public InferenceRequest parsePredict(Buffer body, ModelVersion model) {
    if (model.inputs().size() != 1) {
      throw badRequest("the V1 protocol needs a model with one input; " + model.name()
          + " has " + model.inputs().size() + ": use the V2 protocol");
    }
    TensorSpec spec = model.inputs().get(0);
    if (!spec.hasBatchDimension()) {
      throw badRequest("model " + model.name() + " takes no batch dimension; use the V2 protocol");
    }
    long rowSize = 1;
    for (int i = 1; i < spec.rank(); i++) {
      if (spec.dim(i) < 0) {
        throw badRequest("model " + model.name() + " has variable inner dimensions; use the V2 protocol");
      }
      rowSize *= spec.dim(i);
    }
    try (JsonParser parser = Json.parser(body)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw badRequest("the request body must be a JSON object, found " + Json.describe(parser));
      }
      NumberList data = null;
      int rows = 0;
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        parser.nextToken();
        if (field.equals("instances")) {
          Json.expect(parser, JsonToken.START_ARRAY, "instances");
          data = new NumberList();
          while (parser.nextToken() != JsonToken.END_ARRAY) {
            readInstance(parser, data, model, rows, rowSize);
            rows++;
          }
        } else {
          parser.skipChildren();
        }
      }
      if (data == null || rows == 0) {
        throw badRequest("instances must be a non-empty array");
      }
      long[] shape = spec.shape();
      shape[0] = rows;
      Tensor tensor = TensorDecoder.decode(spec, Datatype.FP64, shape, data, model.maxRequestRows());
      return new InferenceRequest(null, List.of(tensor), null);
    } catch (StreamReadException e) {
      throw badRequest("malformed JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw badRequest("unreadable request body: " + e.getMessage());
    }
  }

  private static void readInstance(JsonParser parser, NumberList data, ModelVersion model, int row, long rowSize)
      throws IOException {
    String where = "instances[" + row + "]";
    int before = data.size();
    if (parser.currentToken() == JsonToken.START_OBJECT) {
      readNamedFeatures(parser, data, model.config().features(), where);
    } else {
      Json.readNumbers(parser, data, where);
    }
    if (data.nonNumber() != null) {
      throw badRequest(data.nonNumber());
    }
    if (data.size() - before != rowSize) {
      throw badRequest(where + " has " + (data.size() - before) + " values, the model takes " + rowSize + " per row");
    }
  }

  private static void readNamedFeatures(JsonParser parser, NumberList data, List<String> features, String where)
      throws IOException {
    if (features.isEmpty()) {
      throw badRequest(where + " is an object, but this model names no features; send an array");
    }
    double[] values = new double[features.size()];
    boolean[] seen = new boolean[features.size()];
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String feature = parser.currentName();
      int index = features.indexOf(feature);
      if (index < 0) {
        throw badRequest(where + ": unknown feature '" + feature + "'; the model takes " + features);
      }
      JsonToken token = parser.nextToken();
      if (token != JsonToken.VALUE_NUMBER_INT && token != JsonToken.VALUE_NUMBER_FLOAT) {
        throw badRequest(where + "." + feature + " must be a number, found " + Json.describe(parser));
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
    return Json.write(json -> {
      json.writeStartObject();
      json.writeArrayFieldStart("predictions");
      int rows = outputs.get(0).rows();
      for (int row = 0; row < rows; row++) {
        if (model.labelledOutput() >= 0) {
          writeClassification(json, model, outputs.get(model.labelledOutput()), row);
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

  private static void writeClassification(JsonGenerator json, ModelVersion model, Tensor scores, int row)
      throws IOException {
    List<String> labels = model.labels();
    json.writeStartObject();
    json.writeStringField("label", labels.get(TensorWriter.argmax(scores, row)));
    json.writeObjectFieldStart("probabilities");
    for (int column = 0; column < labels.size(); column++) {
      json.writeNumberField(labels.get(column), (float) scores.getDouble(row * labels.size() + column));
    }
    json.writeEndObject();
    json.writeEndObject();
  }

  /** One row: a number for [rows] outputs, else the row's values (flat, row-major). */
  private static void writeRow(JsonGenerator json, Tensor output, int row) throws IOException {
    int rowSize = output.size() / output.rows();
    if (output.shape().length == 1) {
      json.writeNumber(output.getDouble(row));
    } else {
      TensorWriter.writeRange(json, output, row * rowSize, rowSize);
    }
  }
}
