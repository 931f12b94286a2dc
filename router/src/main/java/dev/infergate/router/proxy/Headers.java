package dev.infergate.router.proxy;

import dev.infergate.router.upstream.http.HeaderRules;
import dev.infergate.router.upstream.http.UpstreamExchange;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import java.util.Iterator;
import java.util.Map;

/**
 * Header names the router reads or writes, and the copying of headers between client and upstream
 * without the hop-by-hop ones (RFC 9110 §7.6.1: they describe one connection, not the message).
 */
final class Headers {
  static final CharSequence REQUEST_ID = HttpHeaders.createOptimized("x-request-id");
  static final CharSequence TRACK = HttpHeaders.createOptimized("x-infergate-track");
  static final CharSequence CONSUMER = HttpHeaders.createOptimized("x-infergate-consumer");
  static final CharSequence TRACEPARENT = HttpHeaders.createOptimized("traceparent");
  static final CharSequence CONTENT_TYPE = HttpHeaders.CONTENT_TYPE;
  static final CharSequence CONTENT_LENGTH = HttpHeaders.CONTENT_LENGTH;
  static final CharSequence CONNECTION = HttpHeaders.CONNECTION;
  static final CharSequence CLOSE = HttpHeaders.CLOSE;
  static final CharSequence APPLICATION_JSON = HttpHeaders.createOptimized("application/json");

  private Headers() {}

  /**
   * An upstream response's headers into the client's response, minus hop-by-hop ones and those its
   * {@code Connection} header names. (Request headers are written by the transport, with the same
   * {@link HeaderRules}.)
   */
  static void copy(UpstreamExchange from, MultiMap to) {
    String options = HeaderRules.connectionOptions(from.header(CONNECTION));
    Iterator<Map.Entry<CharSequence, CharSequence>> it = from.headers();
    while (it.hasNext()) {
      Map.Entry<CharSequence, CharSequence> h = it.next();
      if (!HeaderRules.isHopByHop(h.getKey(), options)) {
        to.add(h.getKey(), h.getValue());
      }
    }
  }
}
