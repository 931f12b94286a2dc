package dev.infergate.router.proxy;

import dev.infergate.http.ConnectionGuard;
import dev.infergate.router.auth.Authenticator;
import dev.infergate.router.config.AuthConfig;
import dev.infergate.router.config.TlsConfig;
import dev.infergate.router.config.UpstreamConfig;
import dev.infergate.router.observability.AccessLog;
import dev.infergate.router.observability.RouterMetrics;
import dev.infergate.router.ratelimit.RateLimiting;
import dev.infergate.router.shadow.Shadowing;
import dev.infergate.router.upstream.http.UpstreamTransport;
import dev.infergate.router.upstream.http.UpstreamTransports;
import dev.infergate.telemetry.Tracing;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.net.PemKeyCertOptions;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * One instance per event loop: an HTTP server on the shared listen port and its own pooled
 * keep-alive {@link UpstreamTransport}, so that a request and its upstream connection live on the
 * same event loop and never hop threads.
 */
public final class ProxyVerticle extends VerticleBase {
  /**
   * Idle pooled upstream connections are closed after this (the client side is {@code
   * limits.idleTimeoutSeconds}).
   */
  static final int IDLE_TIMEOUT_SECONDS = 60;

  private final String host;
  private final int port;
  private final RoutingSource routing;
  private final Authenticator authenticator;
  private final RateLimiting rateLimiting;
  private final TlsConfig tls;
  private final AccessLog accessLog;
  private final RouterMetrics metrics;
  private final RandomGenerator random;
  private final ShutdownSignal shutdownSignal;
  private final long drainMillis;
  private final ConnectionGuard guard;
  private HttpServer server;
  private final UpstreamConfig.Transport transport;
  private final Shadowing shadowing;
  private UpstreamTransport upstream;
  private Tracing tracing = Tracing.OFF;

  /**
   * @param authenticator null without auth
   * @param tls null for plain HTTP
   * @param guard the public listener's connection cap, idle timeout and read deadlines (shared by
   *     all instances)
   * @param transport which client talks to the model servers ({@code upstream.transport})
   * @param shadowing shadow copies' sampling, places and counts (shared by all instances)
   */
  public ProxyVerticle(
      String host,
      int port,
      RoutingSource routing,
      Authenticator authenticator,
      RateLimiting rateLimiting,
      TlsConfig tls,
      AccessLog accessLog,
      RouterMetrics metrics,
      RandomGenerator random,
      ShutdownSignal shutdownSignal,
      long drainMillis,
      ConnectionGuard guard,
      UpstreamConfig.Transport transport,
      Shadowing shadowing) {
    this.host = host;
    this.port = port;
    this.routing = routing;
    this.authenticator = authenticator;
    this.rateLimiting = rateLimiting;
    this.tls = tls;
    this.accessLog = accessLog;
    this.metrics = metrics;
    this.random = random;
    this.shutdownSignal = shutdownSignal;
    this.drainMillis = drainMillis;
    this.guard = guard;
    this.transport = transport;
    this.shadowing = shadowing;
  }

  /** Spans for this instance's requests (the tracer is shared by all instances); off by default. */
  public ProxyVerticle tracing(Tracing tracing) {
    this.tracing = tracing;
    return this;
  }

  @Override
  public Future<?> start() {
    upstream =
        UpstreamTransports.create(
            transport, context, TimeUnit.SECONDS.toMillis(IDLE_TIMEOUT_SECONDS));
    RequestPipeline pipeline =
        new RequestPipeline(
            vertx,
            upstream,
            routing,
            authenticator,
            rateLimiting,
            accessLog,
            metrics,
            random,
            shutdownSignal,
            shadowing,
            tracing);
    HttpServerOptions options =
        guard
            .options(new HttpServerOptions())
            .setTcpNoDelay(true)
            .setHandle100ContinueAutomatically(false)
            // HTTP/1.1 only for now: limits, hop-by-hop handling and connection closing are written
            // for it.
            .setHttp2ClearTextEnabled(false)
            // Nothing is proxied as a WebSocket: without compression handshakers Vert.x leaves the
            // WebSocket extension handler, which inspects every request and response, out of the
            // pipeline.
            .setPerFrameWebSocketCompressionSupported(false)
            .setPerMessageWebSocketCompressionSupported(false)
            // Responses are written from this event loop only (the upstream client lives on it
            // too), so
            // they may skip Vert.x's cross-thread outbound queue.
            .setStrictThreadMode(true)
            .setMaxHeaderSize(
                AuthConfig.listenerMaxHeaderBytes(
                    authenticator == null ? null : authenticator.config()));
    if (tls != null) {
      options
          .setSsl(true)
          .setKeyCertOptions(
              new PemKeyCertOptions().setCertPath(tls.certFile()).setKeyPath(tls.keyFile()));
    }
    server =
        vertx
            .createHttpServer(options)
            .connectionHandler(guard::accept)
            .requestHandler(pipeline::handle)
            .invalidRequestHandler(req -> InvalidRequests.answer(req, options.getMaxHeaderSize()));
    return server.listen(port, host);
  }

  /** The bound port (the real one when asked for port 0). */
  public int actualPort() {
    return server.actualPort();
  }

  @Override
  public Future<?> stop() {
    return server
        .shutdown(drainMillis, TimeUnit.MILLISECONDS)
        .onComplete(
            ar -> upstream.close()); // on this verticle's event loop, where the client lives
  }
}
