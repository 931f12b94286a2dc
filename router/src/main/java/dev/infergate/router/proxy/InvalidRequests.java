package dev.infergate.router.proxy;

import dev.infergate.http.ClientFraming;
import dev.infergate.http.JsonError;
import dev.infergate.router.http.DecoderFailure;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Answers what the HTTP decoder refused before any step saw it (a header block over the listener's
 * limit, a request line too long, bytes that are not HTTP) with the router's JSON error, where
 * Vert.x would answer an empty 431 or just close. The connection is closed afterwards; the close
 * waits a moment (the decoder drops what still arrives meanwhile), since closing with the rest of
 * an oversized header block unread makes the kernel send a reset that can destroy the answer. Runs
 * on the connection's event loop.
 */
final class InvalidRequests {
  /** How long the rest of a refused request is read and dropped before the connection is closed. */
  static final long LINGER_MILLIS = 1000;

  private InvalidRequests() {}

  static void answer(HttpServerRequest request, int maxHeaderBytes) {
    Throwable cause = request.decoderResult().cause();
    int status;
    String message;
    DecoderFailure failure = DecoderFailure.of(cause);
    if (failure == DecoderFailure.HEADERS_TOO_LARGE) {
      status = 431;
      message = "request headers too large: at most " + maxHeaderBytes + " bytes in all";
    } else if (failure == DecoderFailure.LINE_TOO_LONG) {
      status = 414;
      message = "request line too long";
    } else if (cause != null && ClientFraming.UNSUPPORTED_VERSION.equals(cause.getMessage())) {
      status = 400; // marked by ClientFraming; Vert.x would answer an empty 501
      message = ClientFraming.UNSUPPORTED_VERSION;
    } else {
      status = 400;
      message = "malformed HTTP request";
    }
    ThreadLocalRandom random = ThreadLocalRandom.current();
    String requestId = String.format("%016x%016x", random.nextLong(), random.nextLong());
    String body = JsonError.body(message, requestId);
    HttpServerResponse response = request.response().setStatusCode(status);
    response
        .headers()
        .set(Headers.CONTENT_TYPE, Headers.APPLICATION_JSON)
        .set(Headers.REQUEST_ID, requestId)
        .set(Headers.CONNECTION, Headers.CLOSE)
        .set("content-length", Integer.toString(body.length()));
    // The whole answer now; ending it (which makes Vert.x close) after the linger.
    response.write(body);
    Vertx.currentContext().owner().setTimer(LINGER_MILLIS, id -> response.end());
  }
}
