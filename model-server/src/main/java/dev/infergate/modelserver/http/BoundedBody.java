package dev.infergate.modelserver.http;

import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

/**
 * Reads a request body of at most {@code maxBytes}: one declared larger is refused from its
 * Content-Length before it is read, one that grows past the limit as it arrives. The refusal is a
 * 413 JSON error; the rest of the body is read and dropped, so the connection stays usable. A client
 * that sent {@code Expect: 100-continue} gets its 100 once the declared length is accepted; refused
 * instead, it may never send the body, so that connection is closed after the 413.
 * Confined to the request's event loop.
 */
final class BoundedBody {
  private final HttpServerRequest request;
  private final long maxBytes;
  private final Buffer body = Buffer.buffer();
  private boolean refused;

  private BoundedBody(HttpServerRequest request, long maxBytes) {
    this.request = request;
    this.maxBytes = maxBytes;
  }

  static void read(HttpServerRequest request, long maxBytes, Handler<Buffer> onBody) {
    BoundedBody reader = new BoundedBody(request, maxBytes);
    boolean expectsContinue = request.headers().contains(HttpHeaders.EXPECT, HttpHeaders.CONTINUE, true);
    if (declaredLength(request) > maxBytes) {
      reader.refuse(expectsContinue);
      return;
    }
    if (expectsContinue) {
      request.response().writeContinue();
    }
    request.handler(reader::append);
    request.endHandler(v -> {
      if (!reader.refused) {
        onBody.handle(reader.body);
      }
    });
  }

  private void append(Buffer chunk) {
    if (refused) {
      return;
    }
    if (body.length() + chunk.length() > maxBytes) {
      refuse(false);
      return;
    }
    body.appendBuffer(chunk);
  }

  private void refuse(boolean closeAfter) {
    refused = true;
    answerAndDrop(request, 413, "the request body is larger than the limit of " + maxBytes + " bytes", closeAfter);
  }

  /**
   * Refuses a request before its body is read ({@code status}, JSON), dropping the body so the
   * connection stays usable; a client waiting for 100 Continue gets none, and its connection is closed.
   */
  static void reject(HttpServerRequest request, int status, String message) {
    answerAndDrop(request, status, message, request.headers().contains(HttpHeaders.EXPECT, HttpHeaders.CONTINUE, true));
  }

  private static void answerAndDrop(HttpServerRequest request, int status, String message, boolean closeAfter) {
    if (closeAfter) {
      request.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
    }
    Responses.error(request.response(), status, message).onComplete(ar -> {
      if (closeAfter) {
        request.connection().close();
      }
    });
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
