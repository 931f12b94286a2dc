package dev.infergate.router.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;

/**
 * Closes the connection of a request answered before its body was read, after reading and dropping
 * what is left of that body for a moment, as nginx's lingering close does. Closing at once with
 * unread bytes in the socket makes the kernel send a reset, which can destroy the error response
 * before the client has read it; not closing leaves the rest of the body indistinguishable from the
 * next request and the connection held open. Used by the public listener and the admin API.
 */
public final class LingeringClose {
  /** How long a refused body is drained before the connection is closed anyway. */
  static final long LINGER_MILLIS = 2000;

  private LingeringClose() {}

  /** Call on the request's event loop once the response has been written. */
  public static void after(HttpServerRequest request) {
    HttpConnection connection = request.connection();
    if (request.isEnded()) {
      // The rest of the body arrived while the answer was written: nothing to drain (and Vert.x
      // refuses handlers on an ended request with an exception).
      connection.close();
      return;
    }
    Vertx vertx = Vertx.currentContext().owner();
    long timer = vertx.setTimer(LINGER_MILLIS, id -> connection.close());
    request.exceptionHandler(t -> { });
    request.handler(ignored -> { });
    request.endHandler(v -> {
      vertx.cancelTimer(timer);
      connection.close();
    });
    request.resume();
  }
}
