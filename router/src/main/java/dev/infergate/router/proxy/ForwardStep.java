package dev.infergate.router.proxy;

import dev.infergate.router.observability.RouterMetrics;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;

/**
 * The last step: picks an endpoint of the chosen track, forwards, retries, fails over and relays
 * the response (see {@link Forwarding} for the per-request machinery).
 *
 * <p>Forwarding uses the Vert.x {@link HttpClient} directly rather than {@code vertx-http-proxy}:
 * every inference body is buffered anyway so that a retry can resend it, the retry/failover loop
 * needs control of each try (endpoint, per-try timer, breaker accounting, discarding a 5xx to try
 * elsewhere), and the proxy library would add its own request/response wrappers per request on the
 * hot path. What it would have given us (hop-by-hop stripping, Forwarded headers) is a few lines
 * in {@link Headers}.
 */
final class ForwardStep implements RequestStep {
  final Vertx vertx;
  final HttpClient client;
  final RouterMetrics metrics;
  final Deadlines deadlines = new Deadlines();

  /** Create on the event loop that will run the requests: the deadline sweep runs there. */
  ForwardStep(Vertx vertx, HttpClient client, RouterMetrics metrics) {
    this.vertx = vertx;
    this.client = client;
    this.metrics = metrics;
    deadlines.start(vertx);
  }

  @Override
  public void handle(ProxyContext ctx) {
    new Forwarding(this, ctx).start();
  }
}
