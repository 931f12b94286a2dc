package dev.infergate.http;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;

/**
 * Closes the connection of a request answered before its body was read, after reading and dropping
 * what is left of that body for a moment, as nginx's lingering close does. Closing at once with
 * unread bytes in the socket makes the kernel send a reset, which can destroy the error response
 * before the client has read it; not closing leaves the rest of the body indistinguishable from the
 * next request and the connection held open. Every early answer of both servers goes through here:
 * the router's public listener and admin API, and the model server's body reader (413, and refusals
 * before the body is read), so a refused body ends its connection the same way everywhere.
 */
public final class LingeringClose {
  /** How long a refused body is drained before the connection is closed anyway. */
  static final long LINGER_MILLIS = 2000;

  private LingeringClose() {}

  /**
   * Whether the request declares a body (RFC 9112 §6.3: a {@code Transfer-Encoding}, or a {@code
   * Content-Length} over 0) that has not been read to its end: answering it now must close the
   * connection ({@code Connection: close}, then {@link #after}).
   */
  public static boolean bodyUnread(HttpServerRequest request) {
    if (request.isEnded()) {
      return false;
    }
    if (request.headers().contains(HttpHeaders.TRANSFER_ENCODING)) {
      return true;
    }
    String length = request.headers().get(HttpHeaders.CONTENT_LENGTH);
    return length != null && !length.trim().equals("0");
  }

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
    request.exceptionHandler(t -> {});
    request.handler(ignored -> {});
    request.endHandler(
        v -> {
          vertx.cancelTimer(timer);
          connection.close();
        });
    request.resume();
  }
}
