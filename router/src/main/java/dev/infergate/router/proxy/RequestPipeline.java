package dev.infergate.router.proxy;

import dev.infergate.router.observability.AccessLog;
import dev.infergate.router.observability.RouterMetrics;
import dev.infergate.router.observability.TrackMeters;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpServerRequest;
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

  public RequestPipeline(Vertx vertx, HttpClient client, RoutingSource routing, AccessLog accessLog,
      RouterMetrics metrics, RandomGenerator random) {
    this.routing = routing;
    this.accessLog = accessLog;
    this.unrouted = metrics.unrouted();
    List<RequestStep> chain = List.of(
        new RequestIdStep(random),          // 1. take or create x-request-id; propagate traceparent
        new BodyLimitStep(),                // 2. 413 on a declared Content-Length over maxBodyBytes
        // 3. auth and 4. rate limit: the security issue adds them here.
        new RouteStep(),                    // 5. path → service (404 JSON for unknown models)
        new TrackStep(random),              // 6. override, canary buckets or blue-green active
        new BodyReadStep(),                 // buffer the body (≤ maxBodyBytes, else 413) so a retry can resend it
        new ForwardStep(vertx, client, metrics));    // 7. pick endpoint, forward, retry, fail over, relay
    this.steps = chain.toArray(new RequestStep[0]);
  }

  /** Runs the chain for one request; call on the request's event loop. */
  public void handle(HttpServerRequest request) {
    new ProxyContext(request, routing.current(), steps, accessLog, unrouted).next();
  }
}
