package dev.infergate.router.proxy;

import dev.infergate.http.JsonError;
import dev.infergate.http.KServePath;
import dev.infergate.http.LingeringClose;
import dev.infergate.router.auth.Consumer;
import dev.infergate.router.observability.AccessLog;
import dev.infergate.router.observability.TrackMeters;
import dev.infergate.router.routing.RoutingTable;
import dev.infergate.router.routing.ServiceRoute;
import dev.infergate.router.routing.TrackRoute;
import io.opentelemetry.api.trace.Span;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;

/**
 * The state of one request as it passes the pipeline: the routing snapshot it started with and the
 * typed decisions each step made. Confined to the request's event loop; not thread-safe.
 */
public final class ProxyContext {
  final HttpServerRequest request;
  final HttpServerResponse response;

  /** The snapshot read once at arrival; a reload does not change it for this request. */
  final RoutingTable routing;

  final long startNanos = System.nanoTime();
  private final RequestStep[] steps;
  private final AccessLog accessLog;
  private final TrackMeters unrouted;
  private int nextStep;
  private boolean finished;

  // Decisions, in pipeline order.
  String requestId;
  String traceparent;

  /** The request's server span; the no-op span when tracing is off (issue 21). */
  Span span = Span.getInvalid();

  /** The verified token's consumer, or null without auth. */
  Consumer consumer;

  /**
   * Canary stickiness and rate-limit key: the token's subject, or (no auth) the consumer header.
   */
  String consumerKey;

  KServePath modelPath;
  ServiceRoute service;

  /** The track chosen by the split or override; forwarding may serve another (fallback). */
  TrackRoute track;

  Buffer body;

  /** Set by forwarding: the track and endpoint that answered, and how many tries were made. */
  TrackRoute servedTrack;

  String servedEndpoint;
  int tries;

  ProxyContext(
      HttpServerRequest request,
      RoutingTable routing,
      RequestStep[] steps,
      AccessLog accessLog,
      TrackMeters unrouted) {
    this.request = request;
    this.response = request.response();
    this.routing = routing;
    this.steps = steps;
    this.accessLog = accessLog;
    this.unrouted = unrouted;
  }

  /**
   * Holds the request body until {@link BodyReadStep} reads it: a step before that one which
   * finishes asynchronously (a token verified on a worker) calls this before it lets go of the
   * event loop, else body bytes arriving meanwhile would be delivered to no handler and lost. See
   * {@link RequestStep}'s body contract. Idempotent; an early answer releases the body ({@link
   * #fail} closes the connection after it).
   */
  public void pauseBody() {
    request.pause();
  }

  /** Passes the request to the next step. */
  public void next() {
    steps[nextStep++].handle(this);
  }

  public HttpServerRequest request() {
    return request;
  }

  public String requestId() {
    return requestId;
  }

  boolean finished() {
    return finished;
  }

  /**
   * Answers with the router's own JSON error {@code {"error": ..., "requestId": ...}}. When the
   * request body was not read to the end the connection is closed afterwards, since its remaining
   * bytes cannot be told apart from the next request.
   */
  public void fail(int status, String message) {
    fail(status, message, message);
  }

  /**
   * As {@link #fail(int, String)}, with {@code detail} for the access log instead of {@code
   * message}: what clients must not see (upstream addresses, file paths) goes there.
   */
  public void fail(int status, String message, String detail) {
    if (finished || response.ended() || response.headWritten()) {
      if (!finished) {
        response.reset();
        complete(status, detail);
      }
      return;
    }
    TrackRoute t = servedTrack != null ? servedTrack : track;
    if (t != null) {
      response.headers().set(Headers.TRACK, t.name());
    }
    respond(status, JsonError.body(message, requestId == null ? "" : requestId), detail);
  }

  /** Answers with the router's own JSON that is not an error (its health endpoints). */
  void respond(int status, String json) {
    respond(status, json, null);
  }

  private void respond(int status, String json, String error) {
    response.setStatusCode(status);
    response
        .headers()
        .set(Headers.CONTENT_TYPE, Headers.APPLICATION_JSON)
        .set(Headers.REQUEST_ID, requestId == null ? "" : requestId);
    boolean unread = LingeringClose.bodyUnread(request);
    if (unread) {
      response.headers().set(Headers.CONNECTION, Headers.CLOSE);
    } else {
      // A step may have paused the request (pauseBody) and no body is coming: let it end, so that a
      // keep-alive connection goes on to its next request.
      request.resume();
    }
    response
        .end(json)
        .onComplete(
            ar -> {
              if (unread) {
                LingeringClose.after(request);
              }
            });
    complete(status, error);
  }

  /** Records the finished request (metrics, access log) exactly once. */
  void complete(int status, String error) {
    if (finished) {
      return;
    }
    finished = true;
    SpanNames.endServer(this, status, error);
    long nanos = System.nanoTime() - startNanos;
    TrackRoute t = servedTrack != null ? servedTrack : track;
    (t != null ? t.meters() : unrouted).record(status, nanos);
    if (accessLog.enabled()) {
      // The wall-clock start, worked out only when it is logged: one clock read less per request.
      long startMillis = System.currentTimeMillis() - nanos / 1_000_000L;
      accessLog.log(
          new AccessLog.Entry(
              startMillis,
              requestId,
              traceparent,
              request.method().name(),
              request.path(),
              status,
              service == null ? null : service.name(),
              t == null ? null : t.name(),
              servedEndpoint,
              tries,
              nanos,
              error));
    }
  }
}
