package dev.infergate.modelserver.http;

import dev.infergate.http.ClientFraming;
import dev.infergate.http.KServePath;
import dev.infergate.modelserver.protocol.ProtocolException;
import dev.infergate.telemetry.LogContext;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How both listeners answer what went wrong. A client's mistake (a {@link ProtocolException}, any
 * 4xx) gets its reason as JSON and at most a FINE log line: it is not a server error. Anything else
 * is a 500 with a stack trace in the log and, for the client, a message with no file paths or
 * addresses.
 */
public final class Errors {
  private static final Logger LOG = Logger.getLogger(Errors.class.getName());

  /**
   * An absolute file path ({@code /opt/models/iris/1/model.onnx}), not a URL path a client sent.
   */
  private static final Pattern FILE_PATH =
      Pattern.compile("(?<![\\w./-])/(?:[\\w.@+-]+/)+[\\w.@+-]*");

  private static final Pattern ADDRESS =
      Pattern.compile(
          "\\b(?:\\d{1,3}\\.){3}\\d{1,3}(?::\\d{1,5})?\\b|\\[[0-9a-fA-F:]*:[0-9a-fA-F:]*](?::\\d{1,5})?");

  private Errors() {}

  /**
   * Wraps a listener's request handler: a path with a percent-escape gets a 400 before any routing
   * ({@link KServePath#refusal}: no name this server serves needs one, and the router refuses them
   * the same way), and an exception thrown by {@code handler} is answered, so no request is left
   * without a response.
   */
  static Handler<HttpServerRequest> guarded(Handler<HttpServerRequest> handler) {
    return request -> {
      LogContext.bind(request.getHeader("x-request-id"), request.getHeader("traceparent"));
      try {
        String refusal = KServePath.refusal(request.path());
        if (refusal != null) {
          throw ProtocolException.badRequest(refusal);
        }
        handler.handle(request);
      } catch (RuntimeException e) {
        answer(request.response(), request.method() + " " + request.path(), e);
      }
    };
  }

  /**
   * Answers {@code failure} as JSON: 4xx with the client's reason, else a 500 whose detail goes to
   * the log.
   */
  static void answer(HttpServerResponse response, String what, Throwable failure) {
    if (failure instanceof ProtocolException protocol) {
      LOG.fine(() -> what + ": " + protocol.status() + " " + protocol.getMessage());
      Responses.error(response, protocol.status(), protocol.getMessage());
      return;
    }
    LOG.log(Level.WARNING, "unexpected failure on " + what, failure);
    Responses.error(response, 500, "internal error; the server log has the detail");
  }

  /**
   * Answers what the HTTP decoder refused before any handler saw it (a header block or request line
   * too long, a malformed request line, an HTTP version other than 1.x) with a JSON error where
   * Vert.x would answer an empty one or a 501, then closes the connection: what follows on it
   * cannot be trusted.
   */
  public static void invalidRequest(HttpServerRequest request) {
    Throwable cause = request.decoderResult().cause();
    int status =
        cause instanceof TooLongHttpHeaderException
            ? 431
            : cause instanceof TooLongHttpLineException ? 414 : 400;
    String message =
        switch (status) {
          case 431 -> "request headers too large";
          case 414 -> "request line too long";
          default ->
              cause != null && ClientFraming.UNSUPPORTED_VERSION.equals(cause.getMessage())
                  ? ClientFraming.UNSUPPORTED_VERSION
                  : "malformed HTTP request";
        };
    LOG.fine(() -> "invalid request: " + status + " " + message);
    HttpServerResponse response = request.response();
    response.putHeader("connection", "close");
    Responses.error(response, status, message).onComplete(written -> request.connection().close());
  }

  /**
   * JSON for every error Vert.x Web produces on {@code router}: unmatched routes, methods, failed
   * handlers.
   */
  static void install(Router router) {
    router.route().failureHandler(Errors::failure);
    router.errorHandler(400, ctx -> Responses.error(ctx, 400, "bad request"));
    router.errorHandler(
        404,
        ctx ->
            Responses.error(
                ctx, 404, "no route for " + ctx.request().method() + " " + ctx.request().path()));
    router.errorHandler(
        405,
        ctx ->
            Responses.error(
                ctx, 405, ctx.request().method() + " is not allowed on " + ctx.request().path()));
    router.errorHandler(
        500, ctx -> Responses.error(ctx, 500, "internal error; the server log has the detail"));
  }

  private static void failure(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    String what = ctx.request().method() + " " + ctx.request().path();
    int status = ctx.statusCode();
    if (failure == null || failure instanceof ProtocolException) {
      answer(
          ctx.response(),
          what,
          failure != null
              ? failure
              : new ProtocolException(
                  status >= 400 && status < 600 ? status : 500,
                  status == 404 ? "no route for " + what : "request failed with status " + status));
      return;
    }
    if (status >= 400 && status < 500) {
      answer(ctx.response(), what, new ProtocolException(status, forClient(failure.getMessage())));
      return;
    }
    answer(ctx.response(), what, failure);
  }

  /**
   * {@code detail} with absolute file paths cut to their file name and network addresses removed:
   * what a client may read of an internal message. The log keeps the whole text.
   */
  static String forClient(String detail) {
    if (detail == null) {
      return "unknown reason";
    }
    String paths =
        FILE_PATH
            .matcher(detail)
            .replaceAll(
                match -> {
                  String path = match.group();
                  return Matcher.quoteReplacement(path.substring(path.lastIndexOf('/') + 1));
                });
    return ADDRESS.matcher(paths).replaceAll("<address>");
  }
}
