package dev.infergate.router.upstream.http;

import dev.infergate.router.config.UpstreamConfig;

/**
 * The fallback transport, Vert.x's HttpClient ({@code upstream.transport: vertx}), against the
 * {@link UpstreamTransportContract}.
 */
class VertxTransportContractTest extends UpstreamTransportContract {
  @Override
  UpstreamConfig.Transport kind() {
    return UpstreamConfig.Transport.VERTX;
  }
}
