package dev.infergate.modelserver.http;

import dev.infergate.modelserver.protocol.ProtocolException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The one place that percent-decodes request paths. A malformed escape ({@code %}, {@code %zz},
 * {@code %G1}, a truncated {@code iris%}) or escaped bytes that are not UTF-8 are the client's fault:
 * a {@link ProtocolException} (400), never an {@link IllegalArgumentException} that escapes a handler
 * and leaves the request unanswered. {@code +} is a plain character in a path, not a space.
 */
final class PathSegments {
  private PathSegments() {}

  /** The segment with its escapes decoded. */
  static String decode(String segment) {
    int percent = segment.indexOf('%');
    if (percent < 0) {
      return segment;
    }
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(segment.length());
    byte[] raw = segment.getBytes(StandardCharsets.UTF_8);
    for (int i = 0; i < raw.length; i++) {
      if (raw[i] != '%') {
        bytes.write(raw[i]);
        continue;
      }
      int high = i + 1 < raw.length ? Character.digit(raw[i + 1], 16) : -1;
      int low = i + 2 < raw.length ? Character.digit(raw[i + 2], 16) : -1;
      if (high < 0 || low < 0) {
        throw malformed();
      }
      bytes.write(high << 4 | low);
      i += 2;
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
    } catch (CharacterCodingException e) {
      throw ProtocolException.badRequest("the request path has percent-escapes that are not UTF-8");
    }
  }

  /** Fails with a 400 unless every escape in {@code path} is well-formed, so routers may decode it safely. */
  static void requireWellFormed(String path) {
    if (path.indexOf('%') >= 0) {
      decode(path);
    }
  }

  private static ProtocolException malformed() {
    // The path is not echoed: it is the client's own input, and it may hold control bytes.
    return ProtocolException.badRequest("the request path has a malformed percent-escape"
        + " (a '%' must be followed by two hex digits)");
  }
}
