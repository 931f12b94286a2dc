package dev.infergate.router.http;

/**
 * Whether a request target is canonical, judged on the bytes as they came (before anything decodes
 * or normalises them), so that the router and the server behind it cannot read one path two ways.
 *
 * <p>Accepted: origin-form only ({@code /path[?query]}), the path built of RFC 3986 {@code pchar}s
 * in non-empty segments. Refused, each with its reason:
 *
 * <ul>
 *   <li>absolute-form ({@code http://host/...}), authority-form and asterisk-form ({@code *}): a
 *       reverse proxy is sent origin-form, and another form would let the client name a second host
 *       or path;
 *   <li>dot-segments ({@code .}, {@code ..}) and empty segments ({@code //}, a trailing {@code /});
 *   <li>percent-escapes of {@code .}, {@code /}, {@code \}, {@code %} (double encoding), of control
 *       bytes ({@code %00}..{@code %1F}, {@code %7F}), and of unreserved characters ({@code %69}
 *       for {@code i}: never canonical); malformed escapes ({@code %}, {@code %zz}, {@code %G1},
 *       {@code iris%});
 *   <li>raw backslashes, control bytes, non-ASCII bytes and other characters RFC 3986 does not
 *       allow in a path (space, {@code "}, {@code #}, {@code <}, {@code >}, {@code [}, {@code ]},
 *       ...).
 * </ul>
 *
 * The query is forwarded as it came, so it gets the same character rules (plus {@code /} and {@code
 * ?}): no raw or encoded control bytes, no malformed escapes; any other escape is data there
 * ({@code %25}, {@code %2F}). Other escapes in the path ({@code %20}) pass this check; the router's
 * path grammar matches none of them.
 *
 * <p>Vert.x keeps each byte of the request line as one char (ISO-8859-1), so a char above 0x7E is a
 * byte the client sent. Pure; thread-safe.
 */
public final class RequestTarget {
  private RequestTarget() {}

  /** Why {@code target} is refused, or null when it is canonical. */
  public static String problem(String target) {
    if (target == null || target.isEmpty()) {
      return "empty request target";
    }
    if (target.charAt(0) != '/') {
      return target.equals("*")
          ? "the asterisk-form request target (*) is not served"
          : "the request target must be a path starting with / (absolute-form is not served)";
    }
    int q = target.indexOf('?');
    int pathEnd = q < 0 ? target.length() : q;
    String problem = pathProblem(target, pathEnd);
    if (problem == null && q >= 0) {
      problem = queryProblem(target, q + 1);
    }
    return problem;
  }

  private static String pathProblem(String s, int end) {
    if (end == 1) {
      return null; // "/"
    }
    int segment = 1;
    for (int i = 1; i <= end; i++) {
      if (i == end || s.charAt(i) == '/') {
        int len = i - segment;
        if (len == 0) {
          return i == end ? "the path ends with /" : "the path has an empty segment (//)";
        }
        if (s.charAt(segment) == '.' && (len == 1 || (len == 2 && s.charAt(segment + 1) == '.'))) {
          return "the path has a dot-segment (. or ..)";
        }
        segment = i + 1;
        continue;
      }
      char c = s.charAt(i);
      if (c == '%') {
        String problem = escapeProblem(s, i, end, true);
        if (problem != null) {
          return "the path has " + problem;
        }
        i += 2;
      } else {
        String problem = charProblem(c);
        if (problem != null) {
          return "the path has " + problem;
        }
      }
    }
    return null;
  }

  private static String queryProblem(String s, int from) {
    for (int i = from; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '%') {
        String problem = escapeProblem(s, i, s.length(), false);
        if (problem != null) {
          return "the query has " + problem;
        }
        i += 2;
      } else if (c != '/' && c != '?') {
        String problem = charProblem(c);
        if (problem != null) {
          return "the query has " + problem;
        }
      }
    }
    return null;
  }

  /** The escape at {@code s[i] == '%'}: what is wrong with it, or null. */
  private static String escapeProblem(String s, int i, int end, boolean inPath) {
    if (i + 2 >= end) {
      return "a malformed percent-escape (% needs two hex digits)";
    }
    int hi = hex(s.charAt(i + 1));
    int lo = hex(s.charAt(i + 2));
    if (hi < 0 || lo < 0) {
      return "a malformed percent-escape (% needs two hex digits)";
    }
    int b = hi << 4 | lo;
    if (b < 0x20 || b == 0x7f) {
      return "a percent-encoded control byte";
    }
    if (!inPath) {
      return null;
    }
    if (b == '%') {
      return "a percent-encoded % (double encoding)";
    }
    if (b == '.' || b == '/' || b == '\\') {
      return "a percent-encoded '" + (char) b + "'";
    }
    if (unreserved((char) b)) {
      return "a percent-encoded unreserved character (not canonical)";
    }
    return null;
  }

  /** A raw character outside escapes: null when RFC 3986 allows it in a path segment or query. */
  private static String charProblem(char c) {
    if (c < 0x20 || c == 0x7f) {
      return "a control byte";
    }
    if (c > 0x7f) {
      return "a non-ASCII byte";
    }
    if (c == '\\') {
      return "a backslash";
    }
    if (unreserved(c) || c == ':' || c == '@' || subDelim(c)) {
      return null;
    }
    return "the character '" + c + "', which is not allowed unescaped";
  }

  private static boolean unreserved(char c) {
    return (c >= 'a' && c <= 'z')
        || (c >= 'A' && c <= 'Z')
        || (c >= '0' && c <= '9')
        || c == '-'
        || c == '.'
        || c == '_'
        || c == '~';
  }

  private static boolean subDelim(char c) {
    return c == '!' || c == '$' || c == '&' || c == '\'' || c == '(' || c == ')' || c == '*'
        || c == '+' || c == ',' || c == ';' || c == '=';
  }

  private static int hex(char c) {
    if (c >= '0' && c <= '9') {
      return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
      return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
      return c - 'A' + 10;
    }
    return -1;
  }
}
