package dev.infergate.router.proxy;

import dev.infergate.router.routing.TrackRoute;
import dev.infergate.router.upstream.http.UpstreamExchange;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;

/**
 * The client side of a forwarded request, as {@link Forwarding} sees it: where answers go and how
 * the request is recorded. {@link ClientDownstream} is the real one, over the request's {@link
 * ProxyContext}; tests put a fake in its place. Confined to the request's event loop.
 */
interface Downstream {
  /** Runs {@code handler} if the client closes its connection before the answer is complete. */
  void onClientGone(Runnable handler);

  /** The request URI on an endpoint of {@code track}. */
  String upstreamUri(TrackRoute track);

  /** One more try was made (the access log's count). */
  void tried();

  /**
   * Passes {@code response} on: status, end-to-end headers, the track and request id, then the body
   * as it arrives, with back-pressure; {@code done} hears once that the body was sent whole (null)
   * or why it was cut.
   *
   * @param capture keep the body's first this many bytes in {@link Relay#captured()}; 0 for none
   */
  Relay relay(
      UpstreamExchange response,
      TrackRoute track,
      String endpoint,
      int capture,
      Handler<String> done);

  /** Cuts the client's connection: the response head is out, the rest will not come. */
  void reset();

  /**
   * Answers with the router's JSON error; {@code detail} (the access log's) may name the endpoint.
   */
  void fail(int status, String message, String detail, TrackRoute track, String endpoint);

  /** Records the finished request (metrics, access log); the answer was sent or cut. */
  void complete(int status, String error);

  /** A relay under way. */
  interface Relay {
    /** The captured start of the body (see {@code capture}), or null. */
    Buffer captured();
  }
}
