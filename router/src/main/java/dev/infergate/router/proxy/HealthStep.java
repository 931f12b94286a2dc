package dev.infergate.router.proxy;

import io.vertx.core.http.HttpMethod;

/**
 * The router's own KServe V2 health endpoints, {@code GET /v2/health/live} and {@code
 * /v2/health/ready}, answered before auth: kubelet probes carry no token, and a KServe client
 * pointed at the router checks the server's health there. The answer comes from the request's event
 * loop, so a probe fails when that loop is stuck, which a TCP connect (accepted by the kernel)
 * would not show.
 *
 * <p>Readiness does not follow upstream health: a router whose model servers are down still answers
 * at once (fails over, or a JSON 503), and taking every router pod out of its Service would turn
 * those answers into refused connections. Model readiness is forwarded: {@code
 * /v2/models/{m}/ready}. Readiness is false only while the router shuts down ({@link
 * ShutdownSignal}).
 */
final class HealthStep implements RequestStep {
  static final String LIVE = "/v2/health/live";
  static final String READY = "/v2/health/ready";
  private static final String LIVE_BODY = "{\"live\":true}";
  private static final String READY_BODY = "{\"ready\":true}";
  private static final String STOPPING_BODY = "{\"ready\":false,\"reason\":\"shutting down\"}";

  private final ShutdownSignal shutdown;

  HealthStep(ShutdownSignal shutdown) {
    this.shutdown = shutdown;
  }

  @Override
  public void handle(ProxyContext ctx) {
    String path = ctx.request.path();
    boolean live = path.equals(LIVE);
    if (!live && !path.equals(READY)) {
      ctx.next();
      return;
    }
    HttpMethod method = ctx.request.method();
    if (method != HttpMethod.GET && method != HttpMethod.HEAD) {
      ctx.response.putHeader("allow", "GET, HEAD");
      ctx.fail(405, method.name() + " is not allowed on " + path + "; use GET");
      return;
    }
    if (!live && shutdown.stopping()) {
      ctx.respond(503, STOPPING_BODY);
      return;
    }
    ctx.respond(200, live ? LIVE_BODY : READY_BODY);
  }
}
