package dev.infergate.router.upstream.http;

import dev.infergate.router.config.UpstreamConfig;
import io.vertx.core.Context;
import io.vertx.core.internal.ContextInternal;

/** Makes the {@link UpstreamTransport} that {@code upstream.transport} names. */
public final class UpstreamTransports {
  private UpstreamTransports() {}

  /**
   * A transport for the event loop of {@code context} (a verticle's event-loop context); call
   * there.
   *
   * @param idleTimeoutMillis how long a pooled connection may stay unused
   */
  public static UpstreamTransport create(
      UpstreamConfig.Transport kind, Context context, long idleTimeoutMillis) {
    return switch (kind) {
      case NETTY -> new NettyTransport((ContextInternal) context, idleTimeoutMillis);
      case VERTX -> new VertxTransport(context.owner(), idleTimeoutMillis);
    };
  }
}
