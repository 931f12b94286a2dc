package dev.infergate.modelserver.http;

import dev.infergate.http.JsonError;
import dev.infergate.modelserver.protocol.EncodedResponse;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/**
 * Writes JSON responses; every error the server gives is {@code {"error": "..."}} ({@link
 * JsonError}).
 */
final class Responses {
  static final String JSON = "application/json";
  static final String OCTET_STREAM = "application/octet-stream";

  private Responses() {}

  /** Completes when the response is written (at once when it had already ended). */
  static Future<Void> json(HttpServerResponse response, int status, Buffer body) {
    if (response.ended() || response.closed()) {
      return Future.succeededFuture();
    }
    return response.setStatusCode(status).putHeader("content-type", JSON).end(body);
  }

  /**
   * A 200 inference answer: JSON, or with binary outputs {@code application/octet-stream} and the
   * JSON header's length in {@code Inference-Header-Content-Length}.
   */
  static Future<Void> inference(HttpServerResponse response, EncodedResponse encoded) {
    if (!encoded.binary()) {
      return json(response, 200, encoded.body());
    }
    if (response.ended() || response.closed()) {
      return Future.succeededFuture();
    }
    return response
        .setStatusCode(200)
        .putHeader("content-type", OCTET_STREAM)
        .putHeader(EncodedResponse.HEADER_LENGTH, Integer.toString(encoded.jsonLength()))
        .end(encoded.body());
  }

  static Future<Void> error(HttpServerResponse response, int status, String message) {
    return json(response, status, Buffer.buffer(JsonError.body(message, null)));
  }

  static void json(RoutingContext ctx, int status, Buffer body) {
    json(ctx.response(), status, body);
  }

  static void json(RoutingContext ctx, int status, JsonObject body) {
    json(ctx.response(), status, body.toBuffer());
  }

  static void error(RoutingContext ctx, int status, String message) {
    error(ctx.response(), status, message);
  }
}
