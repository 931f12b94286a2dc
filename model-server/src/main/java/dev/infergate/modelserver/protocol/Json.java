package dev.infergate.modelserver.protocol;

import static dev.infergate.modelserver.protocol.ProtocolException.badRequest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import io.netty.buffer.ByteBuf;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.internal.buffer.BufferInternal;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Streaming JSON for the inference hot path: tensors are read straight into primitive arrays and
 * written straight from them, with no tree of boxed numbers in between.
 */
final class Json {
  /** Deep nesting is a denial-of-service vector; real tensors here have a handful of dimensions. */
  private static final int MAX_NESTING = 64;

  static final JsonFactory FACTORY =
      JsonFactory.builder()
          .streamReadConstraints(
              StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING).build())
          // Tensors are mostly decimal numbers: Jackson's bundled FastDoubleParser reads them 3.3x
          // faster
          // (166 -> 50 ns each, bench/tools/JsonNumberParseBench.java), with the same correctly
          // rounded values.
          .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
          .build();

  private Json() {}

  static JsonParser parser(Buffer body) throws IOException {
    return FACTORY.createParser(bytes(body));
  }

  /**
   * The body's bytes, read-only: its backing array when that holds exactly the body (a request body
   * read in one chunk, or gathered into a buffer sized from its Content-Length), else a copy. Saves
   * copying every request body once more on the event loop.
   */
  static byte[] bytes(Buffer body) {
    if (body instanceof BufferInternal internal) {
      ByteBuf buf = internal.getByteBuf();
      if (buf.hasArray()
          && buf.arrayOffset() == 0
          && buf.readerIndex() == 0
          && buf.array().length == buf.readableBytes()) {
        return buf.array();
      }
    }
    return body.getBytes();
  }

  static JsonParser parser(byte[] bytes, int length) throws IOException {
    return FACTORY.createParser(bytes, 0, length);
  }

  /**
   * Reads a number, string or boolean, or a (nested) array of them, into {@code into}. A value that
   * is none of these is remembered in {@link NumberList#nonNumber()} rather than thrown at once, so
   * that a wrong datatype, which explains it, can be reported first.
   */
  static void readNumbers(JsonParser parser, NumberList into, String what) throws IOException {
    JsonToken token = parser.currentToken();
    if (token == JsonToken.START_ARRAY) {
      while ((token = parser.nextToken()) != JsonToken.END_ARRAY) {
        if (token == null) {
          throw badRequest("malformed JSON: unexpected end of input in " + what);
        }
        readNumbers(parser, into, what);
      }
    } else if (token == JsonToken.VALUE_NUMBER_INT
        && parser.getNumberType() == JsonParser.NumberType.LONG) {
      into.addLong(parser.getLongValue());
    } else if (token == JsonToken.VALUE_NUMBER_INT || token == JsonToken.VALUE_NUMBER_FLOAT) {
      into.add(parser.getDoubleValue());
    } else if (token == JsonToken.VALUE_STRING) {
      into.addString(parser.getText());
    } else if (token == JsonToken.VALUE_TRUE || token == JsonToken.VALUE_FALSE) {
      into.addBoolean(token == JsonToken.VALUE_TRUE);
    } else {
      into.markNonNumber(what + " must hold only numbers, found " + describe(parser));
      parser.skipChildren();
    }
  }

  static String describe(JsonParser parser) throws IOException {
    JsonToken token = parser.currentToken();
    if (token == null) {
      return "end of input";
    }
    return switch (token) {
      case VALUE_STRING -> "string \"" + abbreviate(parser.getText()) + "\"";
      case VALUE_TRUE, VALUE_FALSE -> "boolean " + parser.getText();
      case VALUE_NULL -> "null";
      case START_OBJECT -> "an object";
      case START_ARRAY -> "an array";
      default -> parser.getText();
    };
  }

  static String abbreviate(String text) {
    return text.length() <= 40 ? text : text.substring(0, 40) + "...";
  }

  static void expect(JsonParser parser, JsonToken expected, String what) throws IOException {
    if (parser.currentToken() != expected) {
      throw badRequest(
          what
              + " must be "
              + (expected == JsonToken.START_OBJECT ? "an object" : "an array")
              + ", found "
              + describe(parser));
    }
  }

  /** Writes a JSON document with {@code body} and returns it as a Vert.x buffer. */
  static Buffer write(JsonWriter body) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
    try (JsonGenerator generator = FACTORY.createGenerator(bytes)) {
      body.writeTo(generator);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Buffer.buffer(bytes.toByteArray());
  }

  @FunctionalInterface
  interface JsonWriter {
    void writeTo(JsonGenerator generator) throws IOException;
  }
}
