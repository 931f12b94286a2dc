package dev.infergate.router.proxy;

import dev.infergate.router.observability.RouterMetrics;
import io.vertx.core.Vertx;

/**
 * The last step: picks an endpoint of the chosen track, forwards, retries, fails over and relays
 * the response (see {@link Forwarding} for the per-request machinery).
 *
 * <p>Forwarding uses its own {@link UpstreamClient} (raw Netty on the request's event loop) rather
 * than {@code vertx-http-proxy} or Vert.x's HttpClient, which measured as most of a Vert.x proxy's cost:
 * every inference body is buffered anyway so that a retry can resend it, the retry/failover loop
 * needs control of each try (endpoint, per-try timer, breaker accounting, discarding a 5xx to try
 * elsewhere), and the proxy library would add its own request/response wrappers per request on the
 * hot path. What it would have given us (hop-by-hop stripping, Forwarded headers) is a few lines
 * in {@link Headers}.
 */
final class ForwardStep implements RequestStep {
  final UpstreamClient upstream;
  final RouterMetrics metrics;
  final Deadlines deadlines = new Deadlines();

  /** Create on the event loop that will run the requests: the deadline sweep runs there. */
  ForwardStep(Vertx vertx, UpstreamClient upstream, RouterMetrics metrics) {
    this.upstream = upstream;
    this.metrics = metrics;
    deadlines.start(vertx);
  }

  @Override
  public void handle(ProxyContext ctx) {
    new Forwarding(this, ctx).start();
  }
}
