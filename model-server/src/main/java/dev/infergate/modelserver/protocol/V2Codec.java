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
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * KServe V2 / Open Inference Protocol: parses {@code POST .../infer} bodies and writes responses.
 * Data may be flat or nested (row-major either way); FP32, FP64, INT32 and INT64 are converted to the
 * model's datatype. Stateless and thread-safe.
 */
public final class V2Codec {
  private record SentInput(String name, long[] shape, String datatype, NumberList data) {}

  public InferenceRequest parseInfer(Buffer body, ModelVersion model) {
    try (JsonParser parser = Json.parser(body)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw badRequest("the request body must be a JSON object, found " + Json.describe(parser));
      }
      String id = null;
      List<SentInput> inputs = null;
      Set<String> outputs = null;
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        parser.nextToken();
        switch (field) {
          case "id" -> id = readString(parser, "id");
          case "inputs" -> inputs = readInputs(parser);
          case "outputs" -> outputs = readOutputs(parser);
          default -> parser.skipChildren();
        }
      }
      requireEnd(parser);
      if (inputs == null || inputs.isEmpty()) {
        throw badRequest("inputs must be a non-empty array");
      }
      return toRequest(id, inputs, outputs, model);
    } catch (StreamReadException e) {
      throw badRequest("malformed JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw badRequest("unreadable request body: " + e.getMessage());
    }
  }

  private static void requireEnd(JsonParser parser) throws IOException {
    if (parser.currentToken() != JsonToken.END_OBJECT || parser.nextToken() != null) {
      throw badRequest("malformed JSON: unexpected content after the request object");
    }
  }

  private static List<SentInput> readInputs(JsonParser parser) throws IOException {
    Json.expect(parser, JsonToken.START_ARRAY, "inputs");
    List<SentInput> inputs = new ArrayList<>();
    while (parser.nextToken() != JsonToken.END_ARRAY) {
      Json.expect(parser, JsonToken.START_OBJECT, "inputs[" + inputs.size() + "]");
      inputs.add(readInput(parser, "inputs[" + inputs.size() + "]"));
    }
    return inputs;
  }

  private static SentInput readInput(JsonParser parser, String where) throws IOException {
    String name = null;
    String datatype = null;
    long[] shape = null;
    NumberList data = null;
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String field = parser.currentName();
      parser.nextToken();
      switch (field) {
        case "name" -> name = readString(parser, where + ".name");
        case "datatype" -> datatype = readString(parser, where + ".datatype");
        case "shape" -> shape = readShape(parser, where + ".shape");
        case "data" -> {
          data = new NumberList();
          Json.readNumbers(parser, data, where + ".data");
        }
        default -> parser.skipChildren();
      }
    }
    String label = name == null ? where : "input '" + name + "'";
    if (name == null) {
      throw badRequest(where + ": name is required");
    }
    if (datatype == null) {
      throw badRequest(label + ": datatype is required");
    }
    if (shape == null) {
      throw badRequest(label + ": shape is required");
    }
    if (data == null) {
      throw badRequest(label + ": data is required");
    }
    return new SentInput(name, shape, datatype, data);
  }

  private static long[] readShape(JsonParser parser, String where) throws IOException {
    Json.expect(parser, JsonToken.START_ARRAY, where);
    List<Long> dims = new ArrayList<>();
    while (parser.nextToken() != JsonToken.END_ARRAY) {
      if (parser.currentToken() != JsonToken.VALUE_NUMBER_INT || parser.getLongValue() < 0) {
        throw badRequest(where + " must hold non-negative integers, found " + Json.describe(parser));
      }
      dims.add(parser.getLongValue());
    }
    return dims.stream().mapToLong(Long::longValue).toArray();
  }

  private static Set<String> readOutputs(JsonParser parser) throws IOException {
    Json.expect(parser, JsonToken.START_ARRAY, "outputs");
    Set<String> names = new LinkedHashSet<>();
    while (parser.nextToken() != JsonToken.END_ARRAY) {
      Json.expect(parser, JsonToken.START_OBJECT, "outputs[" + names.size() + "]");
      String name = null;
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        parser.nextToken();
        if (field.equals("name")) {
          name = readString(parser, "outputs[].name");
        } else {
          parser.skipChildren();
        }
      }
      if (name == null) {
        throw badRequest("outputs[" + names.size() + "]: name is required");
      }
      names.add(name);
    }
    return names;
  }

  private static String readString(JsonParser parser, String where) throws IOException {
    if (parser.currentToken() != JsonToken.VALUE_STRING) {
      throw badRequest(where + " must be a string, found " + Json.describe(parser));
    }
    return parser.getText();
  }

  private static InferenceRequest toRequest(String id, List<SentInput> sent, Set<String> outputs, ModelVersion model) {
    Map<String, SentInput> byName = new HashMap<>();
    for (SentInput input : sent) {
      if (byName.put(input.name(), input) != null) {
        throw badRequest("input '" + input.name() + "' is given twice");
      }
      if (model.inputs().stream().noneMatch(spec -> spec.name().equals(input.name()))) {
        throw badRequest("unknown input '" + input.name() + "'; model " + model.name() + " takes "
            + names(model.inputs()));
      }
    }
    List<Tensor> tensors = new ArrayList<>(model.inputs().size());
    for (TensorSpec spec : model.inputs()) {
      SentInput input = byName.get(spec.name());
      if (input == null) {
        throw badRequest("missing input '" + spec.name() + "'; model " + model.name() + " takes " + names(model.inputs()));
      }
      Datatype datatype = Datatype.numeric(input.datatype()).orElseThrow(() -> badRequest(
          "input '" + spec.name() + "': datatype '" + input.datatype() + "' is not accepted; the model takes "
              + spec.datatype() + " (FP32, FP64, INT32 and INT64 are converted)"));
      tensors.add(TensorDecoder.decode(spec, datatype, input.shape(), input.data(), model.maxRequestRows()));
    }
    int rows = tensors.get(0).rows();
    for (Tensor tensor : tensors) {
      if (tensor.rows() != rows) {
        throw badRequest("all inputs must have the same number of rows; '" + tensors.get(0).name() + "' has "
            + rows + ", '" + tensor.name() + "' has " + tensor.rows());
      }
    }
    if (outputs != null) {
      for (String output : outputs) {
        if (model.outputs().stream().noneMatch(spec -> spec.name().equals(output))) {
          throw badRequest("unknown output '" + output + "'; model " + model.name() + " has " + names(model.outputs()));
        }
      }
    }
    return new InferenceRequest(id, tensors, outputs);
  }

  private static List<String> names(List<TensorSpec> specs) {
    return specs.stream().map(TensorSpec::name).toList();
  }

  /** The infer response: requested outputs in the model's order, flat row-major data. */
  public Buffer encodeInferResponse(ModelVersion model, InferenceRequest request, List<Tensor> outputs) {
    return Json.write(json -> {
      json.writeStartObject();
      json.writeStringField("model_name", model.name());
      json.writeStringField("model_version", model.version());
      if (request.id() != null) {
        json.writeStringField("id", request.id());
      }
      json.writeArrayFieldStart("outputs");
      for (Tensor output : outputs) {
        if (request.wants(output.name())) {
          writeTensor(json, output);
        }
      }
      if (model.labelledOutput() >= 0 && request.wants(ModelVersion.LABEL_OUTPUT)) {
        writeLabels(json, model, outputs.get(model.labelledOutput()));
      }
      json.writeEndArray();
      json.writeEndObject();
    });
  }

  private static void writeTensor(JsonGenerator json, Tensor tensor) throws IOException {
    json.writeStartObject();
    json.writeStringField("name", tensor.name());
    json.writeStringField("datatype", tensor.datatype().name());
    writeShape(json, tensor.shape());
    json.writeFieldName("data");
    TensorWriter.writeFlat(json, tensor);
    json.writeEndObject();
  }

  private static void writeLabels(JsonGenerator json, ModelVersion model, Tensor scores) throws IOException {
    json.writeStartObject();
    json.writeStringField("name", ModelVersion.LABEL_OUTPUT);
    json.writeStringField("datatype", Datatype.BYTES.name());
    writeShape(json, new long[] {scores.rows()});
    json.writeArrayFieldStart("data");
    for (int row = 0; row < scores.rows(); row++) {
      json.writeString(model.labels().get(TensorWriter.argmax(scores, row)));
    }
    json.writeEndArray();
    json.writeEndObject();
  }

  private static void writeShape(JsonGenerator json, long[] shape) throws IOException {
    json.writeFieldName("shape");
    json.writeArray(shape, 0, shape.length);
  }

  /** {@code GET /v2/models/{m}[/versions/{v}]}: the model's signature with -1 for variable dimensions. */
  public Buffer encodeMetadata(ModelVersion model, List<String> versions) {
    return Json.write(json -> {
      json.writeStartObject();
      json.writeStringField("name", model.name());
      json.writeArrayFieldStart("versions");
      for (String version : versions) {
        json.writeString(version);
      }
      json.writeEndArray();
      json.writeStringField("platform", "onnxruntime_onnx");
      writeSpecs(json, "inputs", model.inputs());
      writeSpecs(json, "outputs", model.outputs());
      json.writeEndObject();
    });
  }

  private static void writeSpecs(JsonGenerator json, String field, List<TensorSpec> specs) throws IOException {
    json.writeArrayFieldStart(field);
    for (TensorSpec spec : specs) {
      json.writeStartObject();
      json.writeStringField("name", spec.name());
      json.writeStringField("datatype", spec.datatype().name());
      writeShape(json, spec.shape());
      json.writeEndObject();
    }
    json.writeEndArray();
  }
}
