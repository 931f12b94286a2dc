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
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * KServe V2 / Open Inference Protocol: parses {@code POST .../infer} bodies and writes responses.
 * JSON data may be flat or nested (row-major either way); numbers are converted to the model's
 * numeric datatype, booleans feed BOOL, strings BYTES. With the binary tensor data extension
 * (Triton/KServe), the body is a JSON header of {@code Inference-Header-Content-Length} bytes
 * followed by each input's raw little-endian data ({@code parameters.binary_data_size} bytes each,
 * in the order of {@code inputs}), and outputs asked for with {@code parameters.binary_data} (or
 * {@code binary_data_output} for all) come back the same way. A ZipMap output is an FP32 tensor
 * {@code [rows, classes]} whose column keys are in its {@code parameters.classes}, in the metadata
 * and in every answer. Stateless and thread-safe.
 */
public final class V2Codec {
  /** {@code binarySize} is -1 for an input sent as JSON {@code data}. */
  private record SentInput(
      String name, long[] shape, String datatype, NumberList data, long binarySize) {}

  /** Output names, and for each the explicit {@code binary_data} parameter if one was given. */
  private record SentOutputs(Set<String> names, Map<String, Boolean> binary) {}

  /** A JSON-only body (no binary data extension). */
  public InferenceRequest parseInfer(Buffer body, ModelVersion model) {
    return parseInfer(body, model, null);
  }

  /**
   * @param headerLength the request's {@code Inference-Header-Content-Length}, or null: then the
   *     whole body is the JSON object and no input may be binary
   */
  public InferenceRequest parseInfer(Buffer body, ModelVersion model, String headerLength) {
    byte[] bytes = Json.bytes(body);
    int jsonLength = jsonLength(headerLength, bytes.length);
    try (JsonParser parser = Json.parser(bytes, jsonLength)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw badRequest("the request body must be a JSON object, found " + Json.describe(parser));
      }
      String id = null;
      List<SentInput> inputs = null;
      SentOutputs outputs = null;
      boolean binaryOutput = false;
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        parser.nextToken();
        switch (field) {
          case "id" -> id = readString(parser, "id");
          case "inputs" -> inputs = readInputs(parser);
          case "outputs" -> outputs = readOutputs(parser);
          case "parameters" ->
              binaryOutput = readParameters(parser, "parameters", "binary_data_output") == 1;
          default -> parser.skipChildren();
        }
      }
      requireEnd(parser);
      if (inputs == null || inputs.isEmpty()) {
        throw badRequest("inputs must be a non-empty array");
      }
      return toRequest(
          id, inputs, outputs, binaryOutput, model, bytes, jsonLength, headerLength != null);
    } catch (StreamReadException e) {
      boolean binaryWithoutHeader =
          headerLength == null
              && new String(bytes, StandardCharsets.ISO_8859_1).contains("\"binary_data_size\"");
      throw badRequest(
          "malformed JSON: "
              + e.getOriginalMessage()
              + (binaryWithoutHeader
                  ? "; a body with binary tensor data needs the "
                      + EncodedResponse.HEADER_LENGTH
                      + " header"
                  : ""));
    } catch (IOException e) {
      throw badRequest("unreadable request body: " + e.getMessage());
    }
  }

  private static int jsonLength(String headerLength, int bodyLength) {
    if (headerLength == null) {
      return bodyLength;
    }
    long length;
    try {
      length = Long.parseLong(headerLength.trim());
    } catch (NumberFormatException e) {
      throw badRequest(
          EncodedResponse.HEADER_LENGTH
              + " must be a non-negative integer, was '"
              + Json.abbreviate(headerLength)
              + "'");
    }
    if (length < 0 || length > bodyLength) {
      throw badRequest(
          EncodedResponse.HEADER_LENGTH
              + " is "
              + length
              + ", "
              + (length < 0 ? "not a length" : "past the body's " + bodyLength + " bytes"));
    }
    return (int) length;
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
    long binarySize = -1;
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
        case "parameters" ->
            binarySize = readParameters(parser, where + ".parameters", "binary_data_size");
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
    if (data != null && binarySize >= 0) {
      throw badRequest(label + ": both data and parameters.binary_data_size are given; send one");
    }
    if (data == null && binarySize < 0) {
      throw badRequest(
          label + ": data (or parameters.binary_data_size with binary data) is required");
    }
    return new SentInput(name, shape, datatype, data, binarySize);
  }

  /**
   * Reads a {@code parameters} object and returns the value of {@code wanted}: an int64 size
   * ({@code binary_data_size}, -1 when absent) or a bool (1 true, 0 false, -1 absent). Other
   * parameters are skipped.
   */
  private static long readParameters(JsonParser parser, String where, String wanted)
      throws IOException {
    Json.expect(parser, JsonToken.START_OBJECT, where);
    long value = -1;
    while (parser.nextToken() == JsonToken.FIELD_NAME) {
      String field = parser.currentName();
      JsonToken token = parser.nextToken();
      if (!field.equals(wanted)) {
        parser.skipChildren();
      } else if (wanted.equals("binary_data_size")) {
        if (token != JsonToken.VALUE_NUMBER_INT || parser.getLongValue() < 0) {
          throw badRequest(
              where
                  + ".binary_data_size must be a non-negative integer, found "
                  + Json.describe(parser));
        }
        value = parser.getLongValue();
      } else {
        if (token != JsonToken.VALUE_TRUE && token != JsonToken.VALUE_FALSE) {
          throw badRequest(
              where + "." + wanted + " must be a boolean, found " + Json.describe(parser));
        }
        value = token == JsonToken.VALUE_TRUE ? 1 : 0;
      }
    }
    return value;
  }

  private static long[] readShape(JsonParser parser, String where) throws IOException {
    Json.expect(parser, JsonToken.START_ARRAY, where);
    List<Long> dims = new ArrayList<>();
    while (parser.nextToken() != JsonToken.END_ARRAY) {
      if (parser.currentToken() != JsonToken.VALUE_NUMBER_INT || parser.getLongValue() < 0) {
        throw badRequest(
            where + " must hold non-negative integers, found " + Json.describe(parser));
      }
      dims.add(parser.getLongValue());
    }
    return dims.stream().mapToLong(Long::longValue).toArray();
  }

  private static SentOutputs readOutputs(JsonParser parser) throws IOException {
    Json.expect(parser, JsonToken.START_ARRAY, "outputs");
    Set<String> names = new LinkedHashSet<>();
    Map<String, Boolean> binary = new HashMap<>();
    while (parser.nextToken() != JsonToken.END_ARRAY) {
      String where = "outputs[" + names.size() + "]";
      Json.expect(parser, JsonToken.START_OBJECT, where);
      String name = null;
      long binaryData = -1;
      while (parser.nextToken() == JsonToken.FIELD_NAME) {
        String field = parser.currentName();
        parser.nextToken();
        if (field.equals("name")) {
          name = readString(parser, where + ".name");
        } else if (field.equals("parameters")) {
          binaryData = readParameters(parser, where + ".parameters", "binary_data");
        } else {
          parser.skipChildren();
        }
      }
      if (name == null) {
        throw badRequest(where + ": name is required");
      }
      names.add(name);
      if (binaryData >= 0) {
        binary.put(name, binaryData == 1);
      }
    }
    return new SentOutputs(names, binary);
  }

  private static String readString(JsonParser parser, String where) throws IOException {
    if (parser.currentToken() != JsonToken.VALUE_STRING) {
      throw badRequest(where + " must be a string, found " + Json.describe(parser));
    }
    return parser.getText();
  }

  private static InferenceRequest toRequest(
      String id,
      List<SentInput> sent,
      SentOutputs outputs,
      boolean binaryOutput,
      ModelVersion model,
      byte[] body,
      int jsonLength,
      boolean headerGiven) {
    Map<String, SentInput> byName = new HashMap<>();
    Map<String, Integer> binaryOffsets = new HashMap<>();
    long offset = jsonLength;
    for (SentInput input : sent) {
      if (byName.put(input.name(), input) != null) {
        throw badRequest("input '" + input.name() + "' is given twice");
      }
      if (model.inputs().stream().noneMatch(spec -> spec.name().equals(input.name()))) {
        throw badRequest(
            "unknown input '"
                + input.name()
                + "'; model "
                + model.name()
                + " takes "
                + names(model.inputs()));
      }
      if (input.binarySize() >= 0) {
        if (!headerGiven) {
          throw badRequest(
              "input '"
                  + input.name()
                  + "' has binary_data_size, but the request has no "
                  + EncodedResponse.HEADER_LENGTH
                  + " header to say where the JSON ends");
        }
        if (offset + input.binarySize() > body.length) {
          throw badRequest(
              "input '"
                  + input.name()
                  + "': binary_data_size "
                  + input.binarySize()
                  + " from byte "
                  + offset
                  + " runs past the body's "
                  + body.length
                  + " bytes");
        }
        binaryOffsets.put(input.name(), (int) offset);
        offset += input.binarySize();
      }
    }
    if (offset != body.length) {
      throw badRequest(
          "the binary data sizes add up to "
              + (offset - jsonLength)
              + " bytes after the "
              + jsonLength
              + "-byte JSON header, but the body has "
              + (body.length - jsonLength));
    }
    List<Tensor> tensors = new ArrayList<>(model.inputs().size());
    for (TensorSpec spec : model.inputs()) {
      SentInput input = byName.get(spec.name());
      if (input == null) {
        throw badRequest(
            "missing input '"
                + spec.name()
                + "'; model "
                + model.name()
                + " takes "
                + names(model.inputs()));
      }
      Datatype datatype =
          Datatype.named(input.datatype())
              .orElseThrow(
                  () ->
                      badRequest(
                          "input '"
                              + spec.name()
                              + "': datatype '"
                              + Json.abbreviate(input.datatype())
                              + "' is not a V2 datatype; the model takes "
                              + spec.datatype()));
      tensors.add(
          input.binarySize() >= 0
              ? TensorDecoder.decodeBinary(
                  spec,
                  datatype,
                  input.shape(),
                  body,
                  binaryOffsets.get(spec.name()),
                  (int) input.binarySize(),
                  model.maxRequestRows())
              : TensorDecoder.decode(
                  spec, datatype, input.shape(), input.data(), model.maxRequestRows()));
    }
    int rows = tensors.get(0).rows();
    for (Tensor tensor : tensors) {
      if (tensor.rows() != rows) {
        throw badRequest(
            "all inputs must have the same number of rows; '"
                + tensors.get(0).name()
                + "' has "
                + rows
                + ", '"
                + tensor.name()
                + "' has "
                + tensor.rows());
      }
    }
    Set<String> requested = outputs == null ? null : outputs.names();
    if (requested != null) {
      for (String output : requested) {
        if (model.outputs().stream().noneMatch(spec -> spec.name().equals(output))) {
          throw badRequest(
              "unknown output '"
                  + output
                  + "'; model "
                  + model.name()
                  + " has "
                  + names(model.outputs()));
        }
      }
    }
    if (outputs == null && !binaryOutput) {
      return new InferenceRequest(id, tensors, null);
    }
    Set<String> binary = new HashSet<>();
    for (TensorSpec spec : model.outputs()) {
      Boolean explicit = outputs == null ? null : outputs.binary().get(spec.name());
      if (explicit != null ? explicit : binaryOutput) {
        binary.add(spec.name());
      }
    }
    return new InferenceRequest(id, tensors, requested, binary);
  }

  private static List<String> names(List<TensorSpec> specs) {
    return specs.stream().map(TensorSpec::name).toList();
  }

  /**
   * The infer response: requested outputs in the model's order, flat row-major data; outputs asked
   * for as binary carry {@code parameters.binary_data_size} and their bytes follow the JSON, in its
   * order.
   */
  public EncodedResponse encodeInferResponse(
      ModelVersion model, InferenceRequest request, List<Tensor> outputs) {
    List<byte[]> binaries = new ArrayList<>();
    Buffer json =
        Json.write(
            generator -> {
              generator.writeStartObject();
              generator.writeStringField("model_name", model.name());
              generator.writeStringField("model_version", model.version());
              if (request.id() != null) {
                generator.writeStringField("id", request.id());
              }
              generator.writeArrayFieldStart("outputs");
              for (Tensor output : outputs) {
                if (request.wants(output.name())) {
                  writeTensor(
                      generator,
                      output,
                      request.binaryOutputs().contains(output.name()) ? binaries : null);
                }
              }
              String labelOutput = model.labelOutput();
              if (labelOutput != null && request.wants(labelOutput)) {
                writeTensor(
                    generator,
                    labels(model, outputs.get(model.labelledOutput())),
                    request.binaryOutputs().contains(labelOutput) ? binaries : null);
              }
              generator.writeEndArray();
              generator.writeEndObject();
            });
    if (binaries.isEmpty()) {
      return EncodedResponse.json(json);
    }
    int jsonLength = json.length();
    for (byte[] binary : binaries) {
      json.appendBytes(binary);
    }
    return new EncodedResponse(json, jsonLength);
  }

  /**
   * Writes one output; with {@code binaries}, as binary data appended there instead of JSON data.
   */
  private static void writeTensor(JsonGenerator json, Tensor tensor, List<byte[]> binaries)
      throws IOException {
    json.writeStartObject();
    json.writeStringField("name", tensor.name());
    json.writeStringField("datatype", tensor.datatype().name());
    writeShape(json, tensor.shape());
    byte[] binary = binaries == null ? null : TensorWriter.binary(tensor);
    if (binary != null || !tensor.classes().isEmpty()) {
      json.writeObjectFieldStart("parameters");
      if (!tensor.classes().isEmpty()) {
        TensorWriter.writeClasses(json, tensor.classes());
      }
      if (binary != null) {
        json.writeNumberField("binary_data_size", binary.length);
        binaries.add(binary);
      }
      json.writeEndObject();
    }
    if (binary == null) {
      json.writeFieldName("data");
      TensorWriter.writeFlat(json, tensor);
    }
    json.writeEndObject();
  }

  private static Tensor labels(ModelVersion model, Tensor scores) {
    String[] labels = new String[scores.rows()];
    for (int row = 0; row < labels.length; row++) {
      labels[row] = model.labels().get(TensorWriter.argmax(scores, row));
    }
    return new Tensor(
        model.labelOutput(), Datatype.BYTES, new long[] {labels.length}, labels, 0, labels.length);
  }

  private static void writeShape(JsonGenerator json, long[] shape) throws IOException {
    json.writeFieldName("shape");
    json.writeArray(shape, 0, shape.length);
  }

  /**
   * {@code GET /v2/models/{m}[/versions/{v}]}: the model's signature with -1 for variable
   * dimensions.
   */
  public Buffer encodeMetadata(ModelVersion model, List<String> versions) {
    return Json.write(
        json -> {
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

  private static void writeSpecs(JsonGenerator json, String field, List<TensorSpec> specs)
      throws IOException {
    json.writeArrayFieldStart(field);
    for (TensorSpec spec : specs) {
      json.writeStartObject();
      json.writeStringField("name", spec.name());
      json.writeStringField("datatype", spec.datatype().name());
      writeShape(json, spec.shape());
      if (!spec.classes().isEmpty()) {
        json.writeObjectFieldStart("parameters");
        TensorWriter.writeClasses(json, spec.classes());
        json.writeEndObject();
      }
      json.writeEndObject();
    }
    json.writeEndArray();
  }
}
