package dev.infergate.modelserver.testsupport;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The KServe V2 binary tensor data extension as tritonclient speaks it: a JSON header, then each
 * input's little-endian bytes; the answer's outputs decoded back from theirs.
 */
public final class BinaryInference {
  private static final HttpClient CLIENT =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private BinaryInference() {}

  /** A decoded answer: the JSON header and each binary output's values (as JSON-like lists). */
  public record Answer(
      int status,
      String contentType,
      JsonObject header,
      Map<String, List<Object>> binary,
      String error) {}

  /** Little-endian bytes of {@code values} (numbers or strings) as {@code datatype}. */
  public static byte[] encode(String datatype, JsonArray values) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Object value : values) {
      ByteBuffer element;
      switch (datatype) {
        case "FP32" -> element = le(4).putFloat(((Number) value).floatValue());
        case "FP64" -> element = le(8).putDouble(((Number) value).doubleValue());
        case "INT32" -> element = le(4).putInt(((Number) value).intValue());
        case "INT64" -> element = le(8).putLong(((Number) value).longValue());
        case "INT16" -> element = le(2).putShort(((Number) value).shortValue());
        case "FP16" ->
            element =
                le(2)
                    .putShort(
                        ai.onnxruntime.platform.Fp16Conversions.floatToFp16(
                            ((Number) value).floatValue()));
        case "INT8", "UINT8" -> element = le(1).put(((Number) value).byteValue());
        case "BOOL" -> element = le(1).put((byte) (Boolean.TRUE.equals(value) ? 1 : 0));
        case "BYTES" -> {
          byte[] utf8 = value.toString().getBytes(StandardCharsets.UTF_8);
          element = le(4 + utf8.length).putInt(utf8.length).put(utf8);
        }
        default -> throw new IllegalArgumentException(datatype);
      }
      out.writeBytes(element.array());
    }
    return out.toByteArray();
  }

  private static ByteBuffer le(int size) {
    return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** Posts {@code header} (its inputs' data replaced by binary) and decodes the answer. */
  public static Answer post(URI uri, JsonObject request) {
    JsonObject header = request.copy();
    ByteArrayOutputStream tail = new ByteArrayOutputStream();
    for (Object entry : header.getJsonArray("inputs")) {
      JsonObject input = (JsonObject) entry;
      byte[] bytes = encode(input.getString("datatype"), flatten(input.getJsonArray("data")));
      input.remove("data");
      input.put("parameters", new JsonObject().put("binary_data_size", bytes.length));
      tail.writeBytes(bytes);
    }
    byte[] json = header.encode().getBytes(StandardCharsets.UTF_8);
    byte[] body = Arrays.copyOf(json, json.length + tail.size());
    System.arraycopy(tail.toByteArray(), 0, body, json.length, tail.size());
    return send(uri, body, json.length);
  }

  public static Answer send(URI uri, byte[] body, Integer headerLength) {
    HttpRequest.Builder builder =
        HttpRequest.newBuilder(uri)
            .timeout(Duration.ofSeconds(20))
            .header("content-type", "application/octet-stream")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (headerLength != null) {
      builder.header("Inference-Header-Content-Length", headerLength.toString());
    }
    HttpResponse<byte[]> response;
    try {
      response = CLIENT.send(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    String contentType = response.headers().firstValue("content-type").orElse("");
    byte[] bytes = response.body();
    if (response.statusCode() != 200) {
      return new Answer(
          response.statusCode(),
          contentType,
          null,
          Map.of(),
          new JsonObject(new String(bytes, StandardCharsets.UTF_8)).getString("error"));
    }
    int jsonLength =
        response
            .headers()
            .firstValue("Inference-Header-Content-Length")
            .map(Integer::parseInt)
            .orElse(bytes.length);
    JsonObject answer = new JsonObject(new String(bytes, 0, jsonLength, StandardCharsets.UTF_8));
    Map<String, List<Object>> binary = new LinkedHashMap<>();
    ByteBuffer rest =
        ByteBuffer.wrap(bytes, jsonLength, bytes.length - jsonLength)
            .slice()
            .order(ByteOrder.LITTLE_ENDIAN);
    for (Object entry : answer.getJsonArray("outputs")) {
      JsonObject output = (JsonObject) entry;
      JsonObject parameters = output.getJsonObject("parameters");
      if (parameters == null || !parameters.containsKey("binary_data_size")) {
        continue;
      }
      int size = parameters.getInteger("binary_data_size");
      ByteBuffer data = rest.slice().limit(size).order(ByteOrder.LITTLE_ENDIAN);
      rest.position(rest.position() + size);
      binary.put(output.getString("name"), decode(output.getString("datatype"), data));
    }
    if (rest.hasRemaining()) {
      throw new AssertionError(rest.remaining() + " bytes after the outputs' binary_data_size");
    }
    return new Answer(200, contentType, answer, binary, null);
  }

  private static List<Object> decode(String datatype, ByteBuffer data) {
    List<Object> values = new ArrayList<>();
    while (data.hasRemaining()) {
      switch (datatype) {
        case "FP32" -> values.add(data.getFloat());
        case "FP64" -> values.add(data.getDouble());
        case "INT32" -> values.add(data.getInt());
        case "INT64" -> values.add(data.getLong());
        case "INT16" -> values.add(data.getShort());
        case "FP16" ->
            values.add(ai.onnxruntime.platform.Fp16Conversions.fp16ToFloat(data.getShort()));
        case "INT8" -> values.add(data.get());
        case "UINT8" -> values.add(data.get() & 0xff);
        case "BOOL" -> values.add(data.get() != 0);
        case "BYTES" -> {
          byte[] utf8 = new byte[data.getInt()];
          data.get(utf8);
          values.add(new String(utf8, StandardCharsets.UTF_8));
        }
        default -> throw new IllegalArgumentException(datatype);
      }
    }
    return values;
  }

  public static JsonArray flatten(JsonArray nested) {
    JsonArray flat = new JsonArray();
    for (Object value : nested) {
      if (value instanceof JsonArray inner) {
        flatten(inner).forEach(flat::add);
      } else {
        flat.add(value);
      }
    }
    return flat;
  }
}
