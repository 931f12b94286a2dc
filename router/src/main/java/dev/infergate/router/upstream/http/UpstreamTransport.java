package dev.infergate.router.upstream.http;

/**
 * The router's HTTP/1.1 client to the model servers: sends an {@link OutboundRequest} to one
 * endpoint and reports its response through an {@link UpstreamExchange}. Retries, timeouts other
 * than the connect timeout, and breakers are the caller's; a transport only moves bytes and pools
 * keep-alive connections per endpoint.
 *
 * <p>Two implementations, chosen by {@code upstream.transport} ({@link UpstreamTransports}): {@code
 * netty} (the default; {@link NettyTransport}, raw Netty on the request's event loop, the fast
 * path) and {@code vertx} ({@link VertxTransport}, Vert.x's public {@code HttpClient}; slower, but
 * uses no Vert.x internals, so a Vert.x upgrade that breaks the Netty path is a one-line switch).
 * Both pass {@code UpstreamTransportContract}.
 *
 * <p>Threading: one instance per event loop; call {@link #send} and {@link #close} on that event
 * loop only. Errors: never thrown by {@link #send}; reported to the listener.
 */
public interface UpstreamTransport {
  /**
   * Sends {@code request} to {@code host:port}.
   *
   * @param authority {@code host:port} (IPv6 hosts in brackets): the {@code Host} header and the
   *     pool's key, passed in so that no key is built per request
   * @param uri the request target on the model server (path and query)
   * @param connectTimeoutMillis how long to wait for a new connection; a connect that takes longer
   *     fails with a {@link java.net.ConnectException}
   * @return the exchange, to {@link UpstreamExchange#reset} it before its head arrives
   */
  UpstreamExchange send(
      OutboundRequest request,
      String host,
      int port,
      String authority,
      String uri,
      int connectTimeoutMillis,
      UpstreamExchange.Listener listener);

  /** Closes idle connections; exchanges in flight finish on their own. */
  void close();
}
