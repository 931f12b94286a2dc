package dev.infergate.modelserver.protocol;

import io.vertx.core.buffer.Buffer;

/**
 * An encoded inference answer: a JSON document, or (binary tensor data extension) a JSON header of
 * {@code jsonLength} bytes followed by the outputs' raw bytes.
 *
 * @param jsonLength the JSON header's length for the {@code Inference-Header-Content-Length}
 *     header, or -1 when the body is all JSON
 */
public record EncodedResponse(Buffer body, int jsonLength) {
  /** The header a binary answer carries, on requests and answers alike. */
  public static final String HEADER_LENGTH = "Inference-Header-Content-Length";

  public static EncodedResponse json(Buffer body) {
    return new EncodedResponse(body, -1);
  }

  public boolean binary() {
    return jsonLength >= 0;
  }
}
