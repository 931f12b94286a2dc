package dev.infergate.router.proxy;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.netty.util.AsciiString;
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
   * {@code Connection} header names. (Request headers are written by {@link UpstreamRequestWriter}.)
   */
  static void copy(io.netty.handler.codec.http.HttpHeaders from, MultiMap to) {
    String options = connectionOptions(from.get(CONNECTION));
    Iterator<Map.Entry<CharSequence, CharSequence>> it = from.iteratorCharSequence();
    while (it.hasNext()) {
      Map.Entry<CharSequence, CharSequence> h = it.next();
      if (!isHopByHop(h.getKey(), options)) {
        to.add(h.getKey(), h.getValue());
      }
    }
  }

  /**
   * A message's {@code Connection} header when it names headers of its own (to drop as hop-by-hop,
   * RFC 9110 §7.6.1), else null: {@code keep-alive} and {@code close} alone name none.
   */
  static String connectionOptions(String connection) {
    return connection != null && namesOtherHeaders(connection) ? connection : null;
  }

  /** Whether {@code name} is hop-by-hop: a fixed one, or one that {@code connectionOptions} names. */
  static boolean isHopByHop(CharSequence name, String connectionOptions) {
    return isHopByHop(name) || (connectionOptions != null && listedIn(connectionOptions, name));
  }

  /**
   * Whether the request carries a body (RFC 9112 §6.3: a Transfer-Encoding or a non-zero
   * Content-Length); without one there is nothing left to read once the head has arrived.
   */
  static boolean declaresBody(HttpServerRequest request) {
    if (request.headers().contains(HttpHeaders.TRANSFER_ENCODING)) {
      return true;
    }
    String length = request.headers().get(CONTENT_LENGTH);
    return length != null && !length.trim().equals("0");
  }

  private static boolean isHopByHop(CharSequence name) {
    switch (name.length()) {
      case 2:
        return is(name, "te");
      case 7:
        return is(name, "trailer") || is(name, "upgrade");
      case 10:
        return is(name, "connection") || is(name, "keep-alive");
      case 16:
        return is(name, "proxy-connection");
      case 17:
        return is(name, "transfer-encoding");
      case 18:
        return is(name, "proxy-authenticate");
      case 19:
        return is(name, "proxy-authorization");
      default:
        return false;
    }
  }

  /**
   * Request headers the router replaces: Host (the upstream's), Content-Length (of the buffered body
   * as sent), Expect (the router answers 100-continue itself), and its own tracing and forwarding
   * ones (X-Forwarded-For and Forwarded are rebuilt from the client's values). Left out of the copy,
   * they are then added without a search for an old value.
   */
  static boolean setByRouter(CharSequence name) {
    switch (name.length()) {
      case 4:
        return is(name, "host");
      case 6:
        return is(name, "expect");
      case 9:
        return is(name, "forwarded");
      case 11:
        return is(name, "traceparent");
      case 12:
        return is(name, "x-request-id");
      case 14:
        return is(name, "content-length");
      case 15:
        return is(name, "x-forwarded-for");
      default:
        return false;
    }
  }

  /** {@code name} equals {@code lowerCase} ignoring ASCII case (header names are ASCII tokens). */
  static boolean is(CharSequence name, String lowerCase) {
    int n = lowerCase.length();
    if (name.length() != n) {
      return false;
    }
    for (int i = 0; i < n; i++) {
      char c = name.charAt(i);
      if ((c >= 'A' && c <= 'Z' ? (char) (c + 32) : c) != lowerCase.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static boolean namesOtherHeaders(String connection) {
    for (String token : connection.split(",")) {
      String t = token.trim();
      if (!t.isEmpty() && !t.equalsIgnoreCase("keep-alive") && !t.equalsIgnoreCase("close")) {
        return true;
      }
    }
    return false;
  }

  private static boolean listedIn(String connection, CharSequence name) {
    for (String token : connection.split(",")) {
      if (AsciiString.contentEqualsIgnoreCase(token.trim(), name)) {
        return true;
      }
    }
    return false;
  }

  static void jsonEscape(StringBuilder b, String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '"' || c == '\\') {
        b.append('\\').append(c);
      } else if (c < 0x20) {
        b.append(String.format("\\u%04x", (int) c));
      } else {
        b.append(c);
      }
    }
  }
}
