package dev.infergate.router.upstream.http;

import io.vertx.core.Context;
import io.vertx.core.internal.ContextInternal;
import java.util.Locale;

/** The {@code upstream.transport} setting: which {@link UpstreamTransport} the router uses. */
public enum TransportKind {
  /** {@link NettyTransport}: raw Netty on the request's event loop (the default, the fast path). */
  NETTY,
  /** {@link VertxTransport}: Vert.x's public HttpClient, the fallback when Vert.x internals change. */
  VERTX;

  public static final TransportKind DEFAULT = NETTY;

  /** The kind named {@code name} ({@code netty} or {@code vertx}, any case), or null. */
  public static TransportKind named(String name) {
    for (TransportKind k : values()) {
      if (k.name().equalsIgnoreCase(name)) {
        return k;
      }
    }
    return null;
  }

  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * A transport for the event loop of {@code context} (a verticle's event-loop context).
   *
   * @param idleTimeoutMillis how long a pooled connection may stay unused
   */
  public UpstreamTransport create(Context context, long idleTimeoutMillis) {
    return switch (this) {
      case NETTY -> new NettyTransport((ContextInternal) context, idleTimeoutMillis);
      case VERTX -> new VertxTransport(context.owner(), idleTimeoutMillis);
    };
  }
}
