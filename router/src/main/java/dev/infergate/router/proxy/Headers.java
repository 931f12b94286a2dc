package dev.infergate.router.proxy;

import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
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
  static final CharSequence X_FORWARDED_FOR = HttpHeaders.createOptimized("x-forwarded-for");
  static final CharSequence X_FORWARDED_PROTO = HttpHeaders.createOptimized("x-forwarded-proto");
  static final CharSequence X_FORWARDED_HOST = HttpHeaders.createOptimized("x-forwarded-host");
  static final CharSequence FORWARDED = HttpHeaders.createOptimized("forwarded");
  static final CharSequence CONTENT_TYPE = HttpHeaders.CONTENT_TYPE;
  static final CharSequence CONTENT_LENGTH = HttpHeaders.CONTENT_LENGTH;
  static final CharSequence CONNECTION = HttpHeaders.CONNECTION;
  static final CharSequence CLOSE = HttpHeaders.CLOSE;
  static final CharSequence HTTP = HttpHeaders.createOptimized("http");
  static final CharSequence HTTPS = HttpHeaders.createOptimized("https");
  static final CharSequence APPLICATION_JSON = HttpHeaders.createOptimized("application/json");

  private Headers() {}

  /**
   * Copies {@code from} into {@code to} minus hop-by-hop headers, the headers the {@code Connection}
   * header names, and (for requests) those the router sets itself.
   */
  static void copy(MultiMap from, MultiMap to, boolean request) {
    copy(from, from.get(CONNECTION), to, request);
  }

  /** An upstream response's headers into the client's response, minus hop-by-hop ones. */
  static void copy(io.netty.handler.codec.http.HttpHeaders from, MultiMap to) {
    copy(from, from.get(CONNECTION), to, false);
  }

  private static void copy(Iterable<Map.Entry<String, String>> from, String connection, MultiMap to, boolean request) {
    boolean extra = connection != null && namesOtherHeaders(connection);
    for (Map.Entry<String, String> h : from) {
      String name = h.getKey();
      if (isHopByHop(name) || (request && setByRouter(name)) || (extra && listedIn(connection, name))) {
        continue;
      }
      to.add(name, h.getValue());
    }
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

  static boolean isHopByHop(String name) {
    switch (name.length()) {
      case 2:
        return name.equalsIgnoreCase("te");
      case 7:
        return name.equalsIgnoreCase("trailer") || name.equalsIgnoreCase("upgrade");
      case 10:
        return name.equalsIgnoreCase("connection") || name.equalsIgnoreCase("keep-alive");
      case 16:
        return name.equalsIgnoreCase("proxy-connection");
      case 17:
        return name.equalsIgnoreCase("transfer-encoding");
      case 18:
        return name.equalsIgnoreCase("proxy-authenticate");
      case 19:
        return name.equalsIgnoreCase("proxy-authorization");
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
  private static boolean setByRouter(String name) {
    switch (name.length()) {
      case 4:
        return name.equalsIgnoreCase("host");
      case 6:
        return name.equalsIgnoreCase("expect");
      case 9:
        return name.equalsIgnoreCase("forwarded");
      case 11:
        return name.equalsIgnoreCase("traceparent");
      case 12:
        return name.equalsIgnoreCase("x-request-id");
      case 14:
        return name.equalsIgnoreCase("content-length");
      case 15:
        return name.equalsIgnoreCase("x-forwarded-for");
      default:
        return false;
    }
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

  private static boolean listedIn(String connection, String name) {
    for (String token : connection.split(",")) {
      if (token.trim().equalsIgnoreCase(name)) {
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
