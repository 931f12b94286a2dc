package dev.infergate.router.proxy;

import dev.infergate.router.auth.Authenticator;
import dev.infergate.router.observability.AccessLog;
import dev.infergate.router.observability.RouterMetrics;
import dev.infergate.router.observability.TrackMeters;
import dev.infergate.router.ratelimit.RateLimiting;
import dev.infergate.router.shadow.Shadowing;
import dev.infergate.router.upstream.http.UpstreamTransport;
import dev.infergate.telemetry.Tracing;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The router's request chain, in order, in this one place (DESIGN.md "Router request pipeline").
 * Observation (metrics, access log) wraps the whole chain: {@link ProxyContext} records every
 * request once when it completes, whichever step answered it.
 */
public final class RequestPipeline {
  private final RequestStep[] steps;
  private final RoutingSource routing;
  private final AccessLog accessLog;
  private final TrackMeters unrouted;
  private final ShutdownSignal shutdown;

  /**
   * @param tracing the router's tracer: a server span per request, a client span per try
   */
  public RequestPipeline(
      Vertx vertx,
      UpstreamTransport upstream,
      RoutingSource routing,
      Authenticator authenticator,
      RateLimiting rateLimiting,
      AccessLog accessLog,
      RouterMetrics metrics,
      RandomGenerator random,
      ShutdownSignal shutdown,
      Shadowing shadowing,
      Tracing tracing) {
    this.routing = routing;
    this.accessLog = accessLog;
    this.unrouted = metrics.unrouted();
    this.shutdown = shutdown;
    List<RequestStep> chain =
        List.of(
            new RequestIdStep(
                random, tracing), // 1. take or create x-request-id; propagate traceparent
            new CanonicalTargetStep(), //    400 on a non-canonical request target (.., %2e, //,
            // ...)
            new HealthStep(shutdown), //    the router's own /v2/health/live|ready (no auth)
            new BodyLimitStep(), // 2. 413 on a declared Content-Length over maxBodyBytes
            new AuthStep(
                authenticator, metrics), // 3. bearer JWT → consumer (401); no auth: consumer header
            new ServerMetadataStep(), //    the router's own GET /v2 (KServe server metadata)
            new RouteStep(), // 5. path → service (404 JSON for unknown models)
            new RateLimitStep(
                rateLimiting, metrics), // 4. consumer (+ service) token buckets (429); after route
            //    so per-service limits apply and a 404 costs no token
            new TrackStep(random), // 6. override (403 without the role), canary buckets or active
            new BodyReadStep(), // buffer the body (≤ maxBodyBytes, else 413) so a retry can resend
            // it
            new ForwardStep(
                vertx, upstream, metrics, shadowing,
                tracing)); // 7. pick endpoint, forward, retry, fail over,
    //    relay; then a sampled shadow copy
    this.steps = chain.toArray(new RequestStep[0]);
  }

  /** Runs the chain for one request; call on the request's event loop. */
  public void handle(HttpServerRequest request) {
    if (shutdown.stopping()) {
      closeAfterAnswer(request);
    }
    new ProxyContext(request, routing.current(), steps, accessLog, unrouted).next();
  }

  /**
   * While shutting down: the answer says {@code Connection: close}, and the connection closes after
   * it.
   */
  private static void closeAfterAnswer(HttpServerRequest request) {
    HttpServerResponse response = request.response();
    response.headersEndHandler(v -> response.headers().set(Headers.CONNECTION, Headers.CLOSE));
    response.endHandler(v -> request.connection().close());
  }
}
