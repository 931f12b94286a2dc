package dev.infergate.modelserver.http;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

/**
 * Reads a request body of at most {@code maxBytes}: one declared larger is refused from its
 * Content-Length before it is read, one that grows past the limit as it arrives. The refusal is a
 * 413 JSON error; the rest of the body is read and dropped, so the connection stays usable.
 */
final class BoundedBody {
  private BoundedBody() {}

  static void read(HttpServerRequest request, long maxBytes, Handler<Buffer> onBody) {
    if (declaredLength(request) > maxBytes) {
      tooLarge(request, maxBytes);
      return;
    }
    Buffer body = Buffer.buffer();
    boolean[] refused = {false};
    request.handler(chunk -> {
      if (refused[0]) {
        return;
      }
      if (body.length() + chunk.length() > maxBytes) {
        refused[0] = true;
        tooLarge(request, maxBytes);
        return;
      }
      body.appendBuffer(chunk);
    });
    request.endHandler(v -> {
      if (!refused[0]) {
        onBody.handle(body);
      }
    });
  }

  static String tooLargeMessage(long maxBytes) {
    return "the request body is larger than the limit of " + maxBytes + " bytes";
  }

  private static void tooLarge(HttpServerRequest request, long maxBytes) {
    Responses.error(request.response(), 413, tooLargeMessage(maxBytes));
    request.handler(ignored -> { });
    request.endHandler(ignored -> { });
  }

  private static long declaredLength(HttpServerRequest request) {
    String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
    try {
      return length == null ? -1 : Long.parseLong(length.trim());
    } catch (NumberFormatException e) {
      return -1; // the HTTP codec refuses malformed lengths; the streamed count still applies
    }
  }
}
