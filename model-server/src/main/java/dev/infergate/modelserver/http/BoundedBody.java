package dev.infergate.modelserver.http;

import dev.infergate.http.LingeringClose;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

/**
 * Reads a request body of at most {@code maxBytes}: one declared larger is refused from its
 * Content-Length before it is read, one that grows past the limit as it arrives. The refusal is a
 * 413 JSON error with {@code Connection: close}; what the client still sends is read and dropped
 * for a moment and the connection is then closed ({@link LingeringClose}, as the router does):
 * draining the rest instead would hold the connection for as long as a client cares to send, and a
 * client that sent {@code Expect: 100-continue} may never send it. A client that sent {@code
 * Expect: 100-continue} gets its 100 once the declared length is accepted.
 *
 * <p>A body that arrives in one chunk (most small requests) is handed on as that chunk, without a
 * copy (Vert.x already copied it off Netty's pooled buffer); one of several chunks is gathered into
 * a buffer sized from its Content-Length up front, instead of one grown by doubling, but never more
 * than {@link #PRESIZE_AHEAD_BYTES} past what has arrived, so a declared length costs no memory
 * before its bytes come. Confined to the request's event loop.
 */
final class BoundedBody {
  /**
   * How far past the bytes received a multi-chunk body's buffer is sized ahead, from its
   * Content-Length.
   */
  static final int PRESIZE_AHEAD_BYTES = 256 * 1024;

  private final HttpServerRequest request;
  private final long maxBytes;
  private final long declaredLength;

  /** The only chunk so far, or the buffer gathering several; null before the first. */
  private Buffer body;

  private boolean gathering;
  private boolean refused;

  private BoundedBody(HttpServerRequest request, long maxBytes, long declaredLength) {
    this.request = request;
    this.maxBytes = maxBytes;
    this.declaredLength = declaredLength;
  }

  static void read(HttpServerRequest request, long maxBytes, Handler<Buffer> onBody) {
    long declared = declaredLength(request);
    BoundedBody reader = new BoundedBody(request, maxBytes, declared);
    boolean expectsContinue =
        request.headers().contains(HttpHeaders.EXPECT, HttpHeaders.CONTINUE, true);
    if (declared > maxBytes) {
      reader.refuse();
      return;
    }
    if (expectsContinue) {
      request.response().writeContinue();
    }
    request.handler(reader::append);
    request.endHandler(
        v -> {
          if (!reader.refused) {
            onBody.handle(reader.body != null ? reader.body : Buffer.buffer());
          }
        });
  }

  private void append(Buffer chunk) {
    if (refused) {
      return;
    }
    int received = body == null ? 0 : body.length();
    if ((long) received + chunk.length() > maxBytes) {
      refuse();
      return;
    }
    if (body == null) {
      body = chunk;
      return;
    }
    if (!gathering) {
      long needed = (long) received + chunk.length();
      long capacity = Math.min(Math.max(declaredLength, needed), needed + PRESIZE_AHEAD_BYTES);
      body = Buffer.buffer((int) Math.min(capacity, maxBytes)).appendBuffer(body);
      gathering = true;
    }
    body.appendBuffer(chunk);
  }

  private void refuse() {
    refused = true;
    answerEarly(
        request, 413, "the request body is larger than the limit of " + maxBytes + " bytes");
  }

  /**
   * Refuses a request before its body is read ({@code status}, JSON); a body it declares ends the
   * connection after the answer ({@link LingeringClose}).
   */
  static void reject(HttpServerRequest request, int status, String message) {
    answerEarly(request, status, message);
  }

  private static void answerEarly(HttpServerRequest request, int status, String message) {
    boolean unread = LingeringClose.bodyUnread(request);
    if (unread) {
      request.response().putHeader(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
    }
    Responses.error(request.response(), status, message)
        .onComplete(
            ar -> {
              if (unread) {
                LingeringClose.after(request);
              }
            });
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
