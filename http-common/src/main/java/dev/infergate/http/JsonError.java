package dev.infergate.http;

/**
 * The one JSON error body both servers write, {@code {"error":"...","requestId":"..."}} (the router
 * always gives a request id; the model server gives none), and the one JSON string escaper behind
 * it. Hand-written rather than Jackson: the router writes it on its hot path (a 404, 401 or 429 per
 * refused request) and from a Netty handler, where building a {@code JsonObject} per error buys
 * nothing. Pure; thread-safe.
 */
public final class JsonError {
  private static final char[] HEX = "0123456789abcdef".toCharArray();

  private JsonError() {}

  /** The error body; {@code requestId} null leaves the field out. */
  public static String body(String message, String requestId) {
    StringBuilder json = new StringBuilder(48 + message.length()).append("{\"error\":\"");
    escape(json, message);
    json.append('"');
    if (requestId != null) {
      json.append(",\"requestId\":\"");
      escape(json, requestId);
      json.append('"');
    }
    return json.append('}').toString();
  }

  /**
   * Appends {@code ,"name":"value"} with the value escaped; nothing when {@code value} is null. For
   * the hand-written JSON lines (access log, JSON log records).
   */
  public static void field(StringBuilder out, String name, String value) {
    if (value == null) {
      return;
    }
    out.append(",\"").append(name).append("\":\"");
    escape(out, value);
    out.append('"');
  }

  /**
   * Appends {@code s} as the inside of a JSON string (RFC 8259 §7): quote and backslash escaped,
   * control characters as {@code \n}, {@code \t}... or as a six-character escape (backslash, {@code
   * u}, four hex digits), as are U+2028 and U+2029 (line terminators to JavaScript and to some log
   * readers), other characters as they are (UTF-8 on the wire). A lone surrogate, which has no
   * UTF-8 form and which some parsers refuse even escaped, becomes U+FFFD, so an error message that
   * quotes a client's broken input is still valid JSON everywhere.
   */
  public static void escape(StringBuilder out, String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        case '\t' -> out.append("\\t");
        case '\b' -> out.append("\\b");
        case '\f' -> out.append("\\f");
        default -> {
          if (c < 0x20 || c == '\u2028' || c == '\u2029') {
            out.append("\\u")
                .append(HEX[c >> 12])
                .append(HEX[c >> 8 & 0xf])
                .append(HEX[c >> 4 & 0xf])
                .append(HEX[c & 0xf]);
          } else if (Character.isHighSurrogate(c)
              && i + 1 < s.length()
              && Character.isLowSurrogate(s.charAt(i + 1))) {
            out.append(c).append(s.charAt(++i));
          } else if (Character.isSurrogate(c)) {
            out.append('\ufffd');
          } else {
            out.append(c);
          }
        }
      }
    }
  }
}
