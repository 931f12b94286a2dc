package dev.infergate.router.proxy;

import dev.infergate.router.observability.RouterMetrics;
import dev.infergate.router.shadow.Shadowing;
import dev.infergate.router.upstream.http.OutboundRequest;
import dev.infergate.router.upstream.http.UpstreamTransport;
import dev.infergate.telemetry.Tracing;
import io.vertx.core.Vertx;
import io.vertx.core.net.SocketAddress;

/**
 * The last step: picks an endpoint of the chosen track, forwards, retries, fails over and relays
 * the response (see {@link Forwarding} for the per-request machinery, {@link Attempt} for one try,
 * {@link RetryPolicy} for the decisions).
 *
 * <p>Forwarding goes through an {@link UpstreamTransport} on the request's event loop (raw Netty by
 * default) rather than {@code vertx-http-proxy}, which measured as most of a Vert.x proxy's cost:
 * every inference body is buffered anyway so that a retry can resend it, the retry/failover loop
 * needs control of each try (endpoint, per-try timer, breaker accounting, discarding a 5xx to try
 * elsewhere), and the proxy library would add its own request/response wrappers per request on the
 * hot path. What it would have given us (hop-by-hop stripping, Forwarded headers) is a few lines.
 */
final class ForwardStep implements RequestStep {
  final UpstreamTransport transport;
  final RouterMetrics metrics;
  final Deadlines deadlines;
  final NanoClock clock;
  final AttemptObserver observer;

  /** Shadow copies ({@link ShadowTap}); null where none are made (tests of forwarding alone). */
  final Shadowing shadowing;

  /** For comparisons of large shadowed answers on a worker; null with {@link #shadowing}. */
  final Vertx vertx;

  /** Create on the event loop that will run the requests: the deadline sweep runs there. */
  ForwardStep(
      Vertx vertx, UpstreamTransport transport, RouterMetrics metrics, Shadowing shadowing) {
    this(vertx, transport, metrics, shadowing, Tracing.OFF);
  }

  /**
   * @param tracing with tracing on, a client span per try ({@link TryTracing}) besides the rollout
   *     statistics ({@link TrackOutcomesObserver})
   */
  ForwardStep(
      Vertx vertx,
      UpstreamTransport transport,
      RouterMetrics metrics,
      Shadowing shadowing,
      Tracing tracing) {
    this(
        transport,
        metrics,
        new Deadlines(),
        NanoClock.SYSTEM,
        tracing.enabled()
            ? new TryTracing(tracing, new TrackOutcomesObserver())
            : new TrackOutcomesObserver(),
        shadowing,
        vertx);
    deadlines.start(vertx);
  }

  /** Without a sweep of its own: the caller sweeps {@code deadlines} (tests, with a fake clock). */
  ForwardStep(
      UpstreamTransport transport,
      RouterMetrics metrics,
      Deadlines deadlines,
      NanoClock clock,
      AttemptObserver observer) {
    this(transport, metrics, deadlines, clock, observer, null, null);
  }

  private ForwardStep(
      UpstreamTransport transport,
      RouterMetrics metrics,
      Deadlines deadlines,
      NanoClock clock,
      AttemptObserver observer,
      Shadowing shadowing,
      Vertx vertx) {
    this.shadowing = shadowing;
    this.vertx = vertx;
    this.transport = transport;
    this.metrics = metrics;
    this.deadlines = deadlines;
    this.clock = clock;
    this.observer = observer;
  }

  @Override
  public void handle(ProxyContext ctx) {
    OutboundRequest request = outbound(ctx);
    new Forwarding(
            this,
            new ClientDownstream(ctx),
            ctx.service,
            ctx.track,
            request,
            ctx.startNanos,
            ShadowTap.open(this, ctx, request))
        .start();
  }

  /** What goes upstream, fixed once for every try. */
  static OutboundRequest outbound(ProxyContext ctx) {
    SocketAddress remote = ctx.request.remoteAddress();
    return new OutboundRequest(
        ctx.request.method(),
        ctx.request.headers(),
        ctx.requestId,
        ctx.traceparent,
        remote == null ? "unknown" : remote.hostAddress(),
        ctx.request.authority() == null ? null : ctx.request.authority().toString(),
        ctx.request.isSSL() ? "https" : "http",
        ctx.consumer != null,
        ctx.body);
  }
}
