package dev.infergate.router.proxy;

import dev.infergate.http.KServePath;
import dev.infergate.router.routing.TrackRoute;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;

/**
 * The router's span attributes, as constants so that setting one allocates nothing, and the server
 * span's end. With tracing off every span is {@link Span#getInvalid()} and these calls do nothing.
 */
final class SpanNames {
  static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
  static final AttributeKey<String> ROUTE = AttributeKey.stringKey("http.route");
  static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");
  static final AttributeKey<String> SERVICE = AttributeKey.stringKey("infergate.service");
  static final AttributeKey<String> TRACK = AttributeKey.stringKey("infergate.track");
  static final AttributeKey<String> CONSUMER = AttributeKey.stringKey("infergate.consumer");
  static final AttributeKey<String> AUTH = AttributeKey.stringKey("infergate.auth");
  static final AttributeKey<String> RATE_LIMIT = AttributeKey.stringKey("infergate.rate_limit");
  static final AttributeKey<Long> TRIES = AttributeKey.longKey("infergate.tries");
  static final AttributeKey<Long> TRY = AttributeKey.longKey("infergate.try");
  static final AttributeKey<String> ENDPOINT = AttributeKey.stringKey("server.address");
  static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("infergate.try.outcome");

  private SpanNames() {}

  /** Ends the request's server span with what {@link ProxyContext} knows at its completion. */
  static void endServer(ProxyContext ctx, int status, String error) {
    Span span = ctx.span;
    if (!span.isRecording()) {
      span.end();
      return;
    }
    span.setAttribute(STATUS, status);
    if (ctx.modelPath != null) {
      span.setAttribute(
          ROUTE,
          ctx.modelPath.protocol() == KServePath.Protocol.V1
              ? "/v1/models/{model}" + ctx.modelPath.operation().suffix()
              : "/v2/models/{model}" + ctx.modelPath.operation().suffix());
    }
    if (ctx.service != null) {
      span.setAttribute(SERVICE, ctx.service.name());
    }
    TrackRoute t = ctx.servedTrack != null ? ctx.servedTrack : ctx.track;
    if (t != null) {
      span.setAttribute(TRACK, t.name());
    }
    if (ctx.consumerKey != null) {
      span.setAttribute(CONSUMER, ctx.consumerKey);
    }
    span.setAttribute(TRIES, ctx.tries);
    if (status >= 500) {
      span.setStatus(StatusCode.ERROR, error == null ? "" : error);
    }
    span.end();
  }
}
