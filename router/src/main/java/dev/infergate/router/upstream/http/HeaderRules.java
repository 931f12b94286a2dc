package dev.infergate.router.upstream.http;

import io.netty.util.AsciiString;

/**
 * Which headers cross the router: hop-by-hop ones (RFC 9110 §7.6.1) stop at it in both directions,
 * and the ones it sets itself replace the client's. One home for the rule, used by the request
 * writers of both transports and by the response relay. Stateless; thread-safe.
 */
public final class HeaderRules {
  private HeaderRules() {}

  /**
   * A message's {@code Connection} header when it names headers of its own (to drop as hop-by-hop,
   * RFC 9110 §7.6.1), else null: {@code keep-alive} and {@code close} alone name none.
   */
  public static String connectionOptions(String connection) {
    return connection != null && namesOtherHeaders(connection) ? connection : null;
  }

  /**
   * Whether {@code name} is hop-by-hop: a fixed one, or one that {@code connectionOptions} names.
   */
  public static boolean isHopByHop(CharSequence name, String connectionOptions) {
    return isHopByHop(name) || (connectionOptions != null && listedIn(connectionOptions, name));
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
   * Request headers the router replaces: Host (the upstream's), Content-Length (of the buffered
   * body as sent), Expect (the router answers 100-continue itself), and its own tracing and
   * forwarding ones (X-Forwarded-For and Forwarded are rebuilt from the client's values). Left out
   * of the copy, they are then added without a search for an old value.
   */
  public static boolean setByRouter(CharSequence name) {
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
  public static boolean is(CharSequence name, String lowerCase) {
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
}
